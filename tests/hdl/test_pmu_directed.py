"""Directed sequences per rule (rvpmu.sim.directed) on the gateware, in lock-step with the model.

The model is checked against the rules by tests/model; here every response, LCOFIP and
counter-enable output of the gateware must equal the model's in every cycle.
"""

import pytest

from rvpmu.model import PMUConfig
from rvpmu.sim.directed import SEQUENCES
from rvpmu.sim.sweeps import SWEEPS

from .lockstep import run_lockstep

CONFIGS = {
    "rv64": PMUConfig(),
    "rv32-w40-noh": PMUConfig(xlen=32, counter_width=40, has_h=False),
    "rv64-mu-w1": PMUConfig(num_counters=2, counter_width=1, has_s=False, has_h=False,
                            sscofpmf=False),
    "rv32-w64-3ctr": PMUConfig(xlen=32, num_counters=3),
}


# One RV32 access matrix (rv32-w40-noh) is enough: it is the slowest sequence.
# The per-counter sweeps only on the two smallest (the cocotb regression runs them on its own).
CASES = [(n, s) for n in CONFIGS for s in SEQUENCES
         if not (s == "access_matrix" and n == "rv32-w64-3ctr")] + \
    [(n, s) for n in ("rv64-mu-w1", "rv32-w64-3ctr") for s in SWEEPS]


@pytest.mark.parametrize("name, seq", CASES)
def test_directed(name, seq):
    cfg = CONFIGS[name]
    inputs = {**SEQUENCES, **SWEEPS}[seq](cfg)
    cov = run_lockstep(cfg, inputs, label=f"{name}/{seq}")
    assert cov["cycles"] == len(inputs)
    if seq == "overflow" and cfg.sscofpmf and cfg.num_counters:
        assert cov["lcofip_rise"] >= 1
    if seq == "access_matrix":
        assert cov["exc1"] > 100 and cov["exc0"] > 100
        if cfg.has_h:
            assert cov["exc2"] > 10
