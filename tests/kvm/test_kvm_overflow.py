"""Overflow: sample period (section 4.1), overflow handler (4.2), LCOFI (4.3), the host side
(Appendix A) and the worked sequence of 4.6."""

from rvpmu import csr
from rvpmu.model import PMUConfig

from .kvm_helpers import (ALL_HW, BRANCH, CYCLES, E, SF, TF, cfg, make, read_csr, set_shmem,
                          set_snap_value, snap_mask, snap_value, start, stop)

U64 = (1 << 64) - 1


def test_lcofi_exactly_when_the_value_wraps():
    """4.1: period = -counter_val & mask: 2^64 - 10 overflows on the 10th event."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, U64 - 9) == (E.SUCCESS, 0)
    assert v.run(100, events={"branch": [1, 0]}, stop_on_lcofi=True) == 19
    assert v.lcofi_pending
    assert read_csr(v, csr.hpmcounter(c)) == 0


def test_counter_keeps_counting_and_no_second_lcofi():
    """4.2: the host re-arms a full 64-bit period: counting goes on, one LCOFI per overflow;
    the guest clears LCOFIP (4.3)."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, CYCLES)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, U64 - 4) == (E.SUCCESS, 0)
    assert v.run(20, stop_on_lcofi=True) == 5
    v.clear_lcofi()
    assert v.run(500, stop_on_lcofi=True) == 500
    assert not v.lcofi_pending
    assert read_csr(v, csr.CYCLE) == 500


def test_lcofi_stays_pending_until_cleared_and_start_does_not_clear_it():
    """2.4: start clears pmc_overflown only, not the pending LCOFI."""
    v = make()
    c = configured_overflowed(v)
    assert stop(v, c) == (E.SUCCESS, 0)
    assert start(v, c) == (E.SUCCESS, 0)
    assert v.lcofi_pending
    assert v.run(10, stop_on_lcofi=True) == 0  # the pending interrupt is taken at once
    v.lcofi_pending = False
    assert not v.lcofi_pending


def configured_overflowed(v):
    c = cfg(v, 0, ALL_HW, 0, CYCLES)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, U64) == (E.SUCCESS, 0)
    v.run(2)
    return c


def test_start_clears_overflown_bit():
    v = make()
    assert set_shmem(v) == (E.SUCCESS, 0)
    c = configured_overflowed(v)
    assert stop(v, c) == (E.SUCCESS, 0)
    assert start(v, c) == (E.SUCCESS, 0)
    assert stop(v, c, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert snap_mask(v) == 0


def test_no_overflow_counting_in_host_modes():
    v = make()
    c = cfg(v, 0, ALL_HW, 0, CYCLES)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, U64) == (E.SUCCESS, 0)
    v.run(50, mode="S")
    v.run(50, mode="M")
    assert not v.lcofi_pending
    v.run(1, mode="VU")
    assert v.lcofi_pending


def test_worked_overflow_sequence():
    """4.6, step by step."""
    v = make()
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert cfg(v, 0, ALL_HW, 0, CYCLES) == (E.SUCCESS, 0)
    set_snap_value(v, 0, U64 - 10000)
    assert start(v, 0, 1, SF.INIT_SNAPSHOT) == (E.SUCCESS, 0)
    assert v.run(30000, stop_on_lcofi=True) == 10001
    assert v.lcofi_pending
    assert stop(v, 0, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)  # the guest's LCOFI handler
    assert snap_mask(v) & 1 and snap_value(v, 0) == 0
    v.clear_lcofi()
    v.run(1000)
    assert stop(v, 0, 1, TF.TAKE_SNAPSHOT) == (E.ALREADY_STOPPED, 0)
    assert snap_value(v, 0) == 0 < U64 - 10000
    assert stop(v, 0, 1, TF.RESET) == (E.ALREADY_STOPPED, 0)


def test_zero_start_overflows_one_event_early():
    """4.1: counter_val 0 gives period = mask, i.e. 2^(width+1) - 1 events (57990ab90ce3)."""
    v = make(config=PMUConfig(num_counters=4, counter_width=12))
    c = cfg(v, 0, (1 << 7) - 1, 0, BRANCH)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, 0) == (E.SUCCESS, 0)
    assert v.run(5000, events={"branch": 1}, stop_on_lcofi=True) == 4095


def test_narrow_counter_value_not_masked():
    """1.4 / 7.4 item 7: a 12-bit counter reports values >= 2^12."""
    v = make(config=PMUConfig(num_counters=4, counter_width=12))
    c = cfg(v, 0, (1 << 7) - 1, 0, BRANCH)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, 4000) == (E.SUCCESS, 0)
    v.run(200, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(c)) == 4200
    assert v.lcofi_pending  # it passed 4096


def test_host_absorbs_half_range_overflows():
    """Appendix A / 4.1: the host programs at most half the counter range and re-arms it when
    the sample period has not elapsed: only the real period raises LCOFI."""
    v = make(config=PMUConfig(num_counters=4, counter_width=8))  # 8-bit counters: 127 max
    c = cfg(v, 0, (1 << 7) - 1, 0, BRANCH)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, 0) == (E.SUCCESS, 0)  # period 255
    assert v.run(254, events={"branch": 1}, stop_on_lcofi=True) == 254
    assert not v.lcofi_pending
    assert v.run(10, events={"branch": 1}, stop_on_lcofi=True) == 1


def test_rejected_period_keeps_the_previous_one():
    """4.1: perf refuses periods >= 2^63 (value 0, width 63): the rest of the old period
    stays in force, an early LCOFI."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, U64 - 99) == (E.SUCCESS, 0)  # period 100
    v.run(10, events={"branch": 1})
    assert stop(v, c) == (E.SUCCESS, 0)
    assert start(v, c, 1, SF.SET_INIT_VALUE, 0) == (E.SUCCESS, 0)  # period 2^64-1 refused
    assert v.run(1000, events={"branch": 1}, stop_on_lcofi=True) == 90
    assert read_csr(v, csr.hpmcounter(c)) == 90


def test_fixed_counter_fallback_when_programmable_counters_run_out():
    """Appendix A: cycles/instret fall back to mcycle/minstret (filtered by Smcntrpmf) when all
    programmable counters are taken; they count without overflow interrupts."""
    v = make(config=PMUConfig(num_counters=1, events=()))  # num_hw 4: one programmable
    assert cfg(v, 0, 0b1111, 0, BRANCH) == (E.NOT_SUPPORTED, 0)  # no branch input
    assert cfg(v, 0, 0b1111, 0, 0x0) == (E.SUCCESS, 3)  # NO_EVENT: cycles on counter 3
    assert cfg(v, 0, 0b1111, 0, CYCLES) == (E.SUCCESS, 0)
    assert start(v, 0, 0b1001) == (E.SUCCESS, 0)
    v.run(7)
    v.run(5, mode="S")
    assert read_csr(v, csr.CYCLE) == 7
    assert read_csr(v, csr.hpmcounter(3)) == 7
    hart = v.backend.hart
    assert hart.peek("mcyclecfg") >> csr.MHPMEVENT_SINH & 1


def test_no_fallback_without_smcntrpmf():
    v = make(config=PMUConfig(num_counters=1, events=(), smcntrpmf=False))
    assert cfg(v, 0, 0b1111, 0, 0x0) == (E.SUCCESS, 3)
    assert cfg(v, 0, 0b1111, 0, CYCLES) == (E.SUCCESS, 0)
    assert start(v, 0, 0b1001) == (E.SUCCESS, 0)
    v.run(7)
    # guest counter 0 is enabled first (ascending) and takes the only programmable counter;
    # guest counter 3 finds none and stays in the pinned-event error state
    assert read_csr(v, csr.CYCLE) == 7
    assert read_csr(v, csr.hpmcounter(3)) == 0
    assert stop(v, 0) == (E.SUCCESS, 0)
    assert stop(v, 3) == (E.SUCCESS, 0)
    assert start(v, 3) == (E.SUCCESS, 0)  # re-enabled: now it gets the counter
    v.run(2)
    assert read_csr(v, csr.hpmcounter(3)) == 2
