"""HartPMU.cycles_until_lcofi agrees with stepping cycle by cycle (the KVM backend's jump)."""

import random

import pytest

from rvpmu import csr
from rvpmu.model import EventInput, HartPMU, PMUConfig


@pytest.mark.parametrize("seed", range(40))
def test_matches_stepping(seed):
    rng = random.Random(seed)
    cfg = PMUConfig(num_counters=4, counter_width=rng.choice([3, 6, 10]), retire_width=2,
                    events=(EventInput("a", 3), EventInput("b")))
    pmu = HartPMU(cfg)
    top = 1 << cfg.counter_width
    for i in cfg.hpm_indices:
        sel = rng.randrange(cfg.num_selectors)
        flags = rng.choice([0, 0, 1 << 63, 1 << csr.INH_BIT[csr.Mode.S]])
        pmu.csr_write(csr.mhpmevent(i), flags | sel)
        pmu.csr_write(csr.mhpmcounter(i), top - rng.randint(1, min(40, top)))
    pmu.csr_write(csr.MCOUNTINHIBIT, rng.choice([0, 1 << 3]))
    pmu.step(halted=True)
    events = [3] * rng.randint(0, 3) + [4] * rng.randint(0, 1)
    retired = rng.randint(0, 2)
    mode = rng.choice(["M", "S", "U"])
    want = None
    probe = HartPMU(cfg)
    probe.__dict__.update({k: (dict(v) if isinstance(v, dict) else v)
                           for k, v in pmu.__dict__.items()})
    for n in range(1, 200):
        probe.step(events=events, retired=retired, mode=mode)
        if probe.lcofip:
            want = n
            break
    assert pmu.cycles_until_lcofi(events, retired, mode) == want
