# The two entry points of the README. Both set themselves up on first use (tools/bootstrap.sh)
# and skip that step when .venv is current.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.rvpmu-bootstrap
EXTRAS ?= test
export AMARANTH_USE_YOSYS := builtin

.PHONY: run test setup clean

$(STAMP): pyproject.toml tools/bootstrap.sh
	RVPMU_EXTRAS=$(EXTRAS) bash tools/bootstrap.sh

setup: $(STAMP)

# The main job. Until the gateware exists it runs the golden-model example trace.
run: $(STAMP)
	$(VENV)/bin/rvpmu doctor
	$(VENV)/bin/rvpmu model hart examples/overflow.hart

test: $(STAMP)
	$(VENV)/bin/rvpmu doctor
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf build .pytest_cache .hypothesis
