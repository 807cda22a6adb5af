"""The PMU gateware against the hart model's port-level interface, cycle by cycle."""

import itertools
import zlib

import pytest

from rvpmu.model import EventInput, PMUConfig
from rvpmu.sim.stimulus import Stimulus

from .lockstep import run_lockstep

CONFIGS = {
    "default": PMUConfig(),
    "rv32": PMUConfig(xlen=32),
    "rv32-w40-noh": PMUConfig(xlen=32, counter_width=40, has_h=False),
    "rv64-w1-4ctr": PMUConfig(counter_width=1, num_counters=4),
    "rv64-0ctr": PMUConfig(num_counters=0),
    "rv32-1ctr-mu": PMUConfig(xlen=32, num_counters=1, has_s=False, has_h=False),
    "rv64-m-only": PMUConfig(num_counters=3, counter_width=40, has_s=False, has_u=False,
                             has_h=False),
    "rv64-noext": PMUConfig(num_counters=5, sscofpmf=False, smcntrpmf=False),
    "rv32-noext-w64": PMUConfig(xlen=32, num_counters=2, sscofpmf=False, smcntrpmf=False),
    "multi-issue": PMUConfig(num_counters=6, counter_width=40, retire_width=3,
                             events=(EventInput("branch", 2, "BRANCH_INSTRUCTIONS"),
                                     EventInput("load", 3), EventInput("miss", 1))),
    "no-events": PMUConfig(num_counters=2, events=()),
    "w1-wide-issue": PMUConfig(num_counters=3, counter_width=1, retire_width=4,
                               events=(EventInput("uops", 7),)),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_random_lockstep(name):
    cfg = CONFIGS[name]
    stim = Stimulus(cfg, seed=zlib.crc32(name.encode()) & 0xFFFF)  # reproducible
    cycles = 3000
    cov = run_lockstep(cfg, itertools.islice(stim, cycles), label=name)
    assert cov["cycles"] == cycles
    # The stream must have exercised what it is there for, or the comparison proves little.
    assert cov["exc0"] > 100 and cov["exc1"] > 10 and cov["miss"] > 0
    if cfg.has_h:
        assert cov["exc2"] > 0
    if cfg.sscofpmf and cfg.num_counters:
        assert cov["lcofip_rise"] > 0
