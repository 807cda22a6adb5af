# The two entry points of the README. Both set themselves up on first use (tools/bootstrap.sh:
# missing Debian packages with apt-get, then .venv) and skip that step when .venv is current.
# `make run` installs only what the main job needs (no FPGA or formal tools); `make test`
# installs everything its tests need; `make setup` is make test's set-up alone.
SHELL := /bin/bash
VENV := .venv
ALL_EXTRAS := test,formal,fpga,board
RUN_EXTRAS ?=
# EXTRAS (older spelling) still picks make test's extras.
TEST_EXTRAS ?= $(if $(EXTRAS),$(EXTRAS),$(ALL_EXTRAS))
RUN_STAMP := $(VENV)/.rvpmu-run
TEST_STAMP := $(VENV)/.rvpmu-test

.PHONY: run test setup clean

$(TEST_STAMP): pyproject.toml tools/bootstrap.sh
	RVPMU_EXTRAS=$(TEST_EXTRAS) bash tools/bootstrap.sh
	touch $@

# make test's set-up covers make run's: reuse it when it is current.
$(RUN_STAMP): pyproject.toml tools/bootstrap.sh
	@if [ $(TEST_STAMP) -nt pyproject.toml ] && [ $(TEST_STAMP) -nt tools/bootstrap.sh ]; then \
	    echo "setup: current (make test's set-up includes make run's)"; \
	else \
	    RVPMU_EXTRAS=$(RUN_EXTRAS) bash tools/bootstrap.sh; \
	fi
	touch $@

setup: $(TEST_STAMP)

# The main job: generate the default PMU, then check it on Verilator against the golden models
# (cycle-checked regression, directed rules, KVM selftest scenarios), then a C program on the SoC.
run: $(RUN_STAMP)
	$(VENV)/bin/rvpmu doctor
	$(VENV)/bin/rvpmu generate -o build/rvpmu
	$(VENV)/bin/rvpmu sim --simulator verilator --cycles 2000000 --seed 1
	$(VENV)/bin/rvpmu soc run csrforms

test: $(TEST_STAMP)
	$(VENV)/bin/rvpmu doctor
	$(VENV)/bin/python -m pytest --durations=25 $(PYTEST_ARGS)

clean:
	rm -rf build .pytest_cache .hypothesis
