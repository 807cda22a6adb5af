# The two entry points of the README. Both set themselves up on first use (tools/bootstrap.sh)
# and skip that step when .venv is current.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.rvpmu-bootstrap
EXTRAS ?= test,formal,fpga,board

.PHONY: run test setup clean

$(STAMP): pyproject.toml tools/bootstrap.sh
	RVPMU_EXTRAS=$(EXTRAS) bash tools/bootstrap.sh

setup: $(STAMP)

# The main job: generate the default PMU, then check it on Verilator against the golden models
# (cycle-checked regression, directed rules, KVM selftest scenarios).
run: $(STAMP)
	$(VENV)/bin/rvpmu doctor
	$(VENV)/bin/rvpmu generate -o build/rvpmu
	$(VENV)/bin/rvpmu sim --simulator verilator --cycles 2000000 --seed 1
	$(VENV)/bin/rvpmu soc run csrforms

test: $(STAMP)
	$(VENV)/bin/rvpmu doctor
	$(VENV)/bin/python -m pytest --durations=25 $(PYTEST_ARGS)

clean:
	rm -rf build .pytest_cache .hypothesis
