"""The scoreboard's transaction-level checks (the board check's): an access answered as the
model answers it passes, any other answer is a Mismatch naming the access and how to
reproduce it; a run likewise by its length and LCOFIP."""

import pytest

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.model.cycle import CSRRequest, CSRResponse
from rvpmu.model.eventgen import EventSource
from rvpmu.sim.scoreboard import Mismatch, Scoreboard

CFG = PMUConfig(num_counters=4, counter_width=40)
R, W = csr.CSROp.READ, csr.CSROp.WRITE


def test_access_and_run():
    sb = Scoreboard(CFG, seed=3, reproduce="--seed 3")
    src = EventSource.from_seed(CFG, 3)
    ok = CSRResponse(True, True, 0, csr.Exc.NONE)
    sb.check_access(CSRRequest(csr.MCYCLE, W, 1000), ok, False)
    sb.check_access(CSRRequest(csr.MCYCLE, R), CSRResponse(True, True, 1000, csr.Exc.NONE),
                    False)  # the access cycles are halted: nothing counted
    assert sb.check_run(50, src, 0, csr.Mode.M, 50, False) == 50
    with pytest.raises(Mismatch, match=r"(?s)READ of CSR 0xB00 in M .*reproduce with: --seed 3"):
        sb.check_access(CSRRequest(csr.MCYCLE, R), ok, False)  # mcycle is 1050, not 0
    with pytest.raises(Mismatch, match="in U"):  # U-mode mcycle: illegal instruction
        sb.check_access(CSRRequest(csr.MCYCLE, R, 0, csr.Mode.U), ok, False)
    with pytest.raises(Mismatch, match=r"run of 10 cycles in S \(cycles, lcofip\)"):
        sb.check_run(10, src, 50, csr.Mode.S, 9, False)


def test_run_stopping_at_lcofip():
    sb = Scoreboard(CFG, seed=1)
    src = EventSource.from_seed(CFG, 1)
    ok = CSRResponse(True, True, 0, csr.Exc.NONE)
    sb.check_access(CSRRequest(csr.mhpmevent(3), W, csr.EVENT_CYCLES), ok, False)
    sb.check_access(CSRRequest(csr.mhpmcounter(3), W, (1 << 40) - 5), ok, False)
    # counts from the cycle after the event write: the counter wraps in the run's 5th cycle
    assert sb.check_run(100, src, 0, csr.Mode.M, 5, True, stop_on_lcofip=True) == 5
