"""counter_start (section 2.4), counter_stop (2.5), AUTO_START (7.4 item 3), reset (1.5)."""

import pytest

from rvpmu import csr, sbi

from .kvm_helpers import (ACCESS_LOAD, ALL_HW, BRANCH, CF, CYCLES, E, FW0, NUM, SF, TF, cfg,
                          fw_read, make, read_csr, set_shmem, set_snap_value, snap_value, start,
                          stop)


@pytest.mark.parametrize("call", [start, stop])
@pytest.mark.parametrize("cbase,cmask", [(0, 0), (NUM, 1), (NUM - 2, 0b100), ((1 << 64) - 1, 2)])
def test_invalid_mask(call, cbase, cmask):
    assert call(make(), cbase, cmask) == (E.INVALID_PARAM, 0)


def test_unconfigured_and_time_counters_are_skipped():
    """2.4 / 2.5: counters not in use (index 1 included) are skipped silently."""
    v = make()
    assert start(v, 0, 0b1111) == (E.SUCCESS, 0)
    assert stop(v, 0, (1 << NUM) - 1) == (E.SUCCESS, 0)
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, 0, 0b11 | 1 << c) == (E.SUCCESS, 0)
    assert stop(v, 1, 1 | 1 << (c - 1)) == (E.SUCCESS, 0)


def test_start_from_value_and_resume():
    """2.4: SET_INIT_VALUE sets the value; without it counting resumes from the current value."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, 500) == (E.SUCCESS, 0)
    v.run(10, events={"branch": 1})
    assert stop(v, c) == (E.SUCCESS, 0)
    v.run(10, events={"branch": 1})  # stopped: not counted
    assert read_csr(v, csr.hpmcounter(c)) == 510
    assert start(v, c) == (E.SUCCESS, 0)
    v.run(5, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(c)) == 515
    assert read_csr(v, csr.hpmcounter(c)) == 515  # intended semantics: no double counting


def test_already_started_and_already_stopped():
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c) == (E.SUCCESS, 0)
    assert start(v, c) == (E.ALREADY_STARTED, 0)
    assert stop(v, c) == (E.SUCCESS, 0)
    assert stop(v, c) == (E.ALREADY_STOPPED, 0)


def test_already_started_value_still_overwritten():
    """2.4: for an ALREADY_STARTED counter the value is still set from ival (KVM)."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c) == (E.SUCCESS, 0)
    v.run(4, events={"branch": 1})
    assert start(v, c, 1, SF.SET_INIT_VALUE, 7000) == (E.ALREADY_STARTED, 0)
    v.run(3, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(c)) == 7003


def test_start_returns_the_last_error():
    """2.4 step 4: errors are kept in ascending order, successes never clear them."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 4)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 5)
    assert cfg(v, 5, 1, CF.SKIP_MATCH, sbi.event_idx(0, 0x1234)) == (E.NOT_SUPPORTED, 0)
    assert start(v, 3) == (E.SUCCESS, 0)
    # 3: ALREADY_STARTED, 4: started, 5: no perf event -> INVALID_PARAM (last)
    assert start(v, 3, 0b111) == (E.INVALID_PARAM, 0)
    assert stop(v, 5) == (E.INVALID_PARAM, 0)  # no perf event behind counter 5
    assert read_csr(v, csr.hpmcounter(4)) == 0
    v.run(2, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(4)) == 2  # the later counter was started anyway
    assert stop(v, 3, 0b11) == (E.SUCCESS, 0)
    assert start(v, 3, 0b11) == (E.SUCCESS, 0)
    assert stop(v, 4) == (E.SUCCESS, 0)
    assert stop(v, 3, 0b11) == (E.ALREADY_STOPPED, 0)  # 4 already stopped, 3 stopped now


def test_init_snapshot_without_shmem():
    """2.4 step 2: NO_SHMEM, after the mask check; SET_INIT_VALUE does not avoid it."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c, 1, SF.INIT_SNAPSHOT) == (E.NO_SHMEM, 0)
    assert start(v, c, 1, SF.INIT_SNAPSHOT | SF.SET_INIT_VALUE, 5) == (E.NO_SHMEM, 0)
    assert start(v, c, 0, SF.INIT_SNAPSHOT) == (E.INVALID_PARAM, 0)
    assert stop(v, c, 1, TF.TAKE_SNAPSHOT) == (E.NO_SHMEM, 0)


def test_init_snapshot_uses_values_relative_to_cbase():
    """2.4: counter cbase+i takes ctr_values[i]; SET_INIT_VALUE wins when both are set."""
    v = make()
    for _ in range(3):
        cfg(v, 0, ALL_HW, 0, BRANCH)  # counters 3, 4, 5
    assert set_shmem(v) == (E.SUCCESS, 0)
    set_snap_value(v, 0, 111)
    set_snap_value(v, 2, 333)
    set_snap_value(v, 3, 999)
    assert start(v, 3, 0b101, SF.INIT_SNAPSHOT) == (E.SUCCESS, 0)
    assert read_csr(v, csr.hpmcounter(3)) == 111
    assert read_csr(v, csr.hpmcounter(5)) == 333
    assert read_csr(v, csr.hpmcounter(4)) == 0
    assert start(v, 4, 1, SF.INIT_SNAPSHOT | SF.SET_INIT_VALUE, 44) == (E.SUCCESS, 0)
    assert read_csr(v, csr.hpmcounter(4)) == 44


def test_stop_reset_unmaps_even_when_already_stopped():
    """2.5 / 6.1 stop_reset_counter: RESET is honoured with ALREADY_STOPPED."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert stop(v, c, 1, TF.RESET) == (E.ALREADY_STOPPED, 0)
    assert cfg(v, c, 1, CF.SKIP_MATCH, BRANCH) == (E.FAILED, 0)
    assert read_csr(v, csr.hpmcounter(c)) == "illegal"
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, c)  # free again


def test_stop_reset_of_running_counter_releases_hardware():
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c) == (E.SUCCESS, 0)
    assert stop(v, c, 1, TF.RESET) == (E.SUCCESS, 0)
    hart = v.backend.hart
    assert all(hart.peek(f"mhpmevent{p}") == 0 for p in range(3, 32))
    assert stop(v, c) == (E.SUCCESS, 0)  # unconfigured now: skipped


def test_auto_start_hw_counts_but_stays_stopped():
    """1.6 / 7.4 item 3: AUTO_START enables counting, pmc.started stays false."""
    v = make()
    assert cfg(v, 0, ALL_HW, CF.AUTO_START, BRANCH) == (E.SUCCESS, 3)
    v.run(4, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(3)) == 4
    assert stop(v, 3) == (E.ALREADY_STOPPED, 0)  # and it keeps counting
    v.run(2, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(3)) == 6
    assert start(v, 3) == (E.SUCCESS, 0)
    assert stop(v, 3) == (E.SUCCESS, 0)
    v.run(2, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(3)) == 6


def test_auto_start_has_no_impact_on_value():
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, 50) == (E.SUCCESS, 0)
    assert stop(v, c) == (E.SUCCESS, 0)
    assert cfg(v, c, 1, CF.SKIP_MATCH | CF.AUTO_START, BRANCH) == (E.SUCCESS, c)
    v.run(1, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(c)) == 51


def test_started_flag_survives_skip_match_reconfiguration():
    """7.4 item 4: after SKIP_MATCH on a running counter, start says ALREADY_STARTED although
    the new perf event is disabled; a stop clears the flag."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c) == (E.SUCCESS, 0)
    assert cfg(v, c, 1, CF.SKIP_MATCH | CF.CLEAR_VALUE, BRANCH) == (E.SUCCESS, c)
    assert start(v, c) == (E.ALREADY_STARTED, 0)
    v.run(3, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(c)) == 0
    assert stop(v, c) == (E.SUCCESS, 0)
    assert start(v, c) == (E.SUCCESS, 0)
    v.run(3, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(c)) == 3


def test_vcpu_reset():
    """1.5: in-use counters unmapped and zeroed, FW state zeroed, snapshot dropped (guest
    memory untouched), overflow state and LCOFI cleared, pmc.started kept."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c) == (E.SUCCESS, 0)
    assert cfg(v, FW0, 1, CF.AUTO_START, ACCESS_LOAD) == (E.SUCCESS, FW0)
    v.fw_event("ACCESS_LOAD", 3)
    assert set_shmem(v) == (E.SUCCESS, 0)
    set_snap_value(v, 7, 1234)
    v.reset()
    assert read_csr(v, csr.hpmcounter(c)) == "illegal"
    assert fw_read(v, FW0) == (E.INVALID_PARAM, 0)
    assert stop(v, 0, 1, TF.TAKE_SNAPSHOT) == (E.NO_SHMEM, 0)
    assert snap_value(v, 7) == 1234
    assert v.backend.hart.peek(f"mhpmevent{3}") == 0
    assert cfg(v, FW0, 1, 0, ACCESS_LOAD) == (E.SUCCESS, FW0)
    assert fw_read(v, FW0) == (E.SUCCESS, 0)
    # the HW counter was running at reset: started survives (7.4 item 4)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, c)
    assert start(v, c) == (E.ALREADY_STARTED, 0)
    v.run(3, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(c)) == 0


def test_reset_clears_lcofi_and_overflow():
    v = make()
    c = cfg(v, 0, ALL_HW, 0, CYCLES)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, (1 << 64) - 2) == (E.SUCCESS, 0)
    v.run(5)
    assert v.lcofi_pending
    v.reset()
    assert not v.lcofi_pending


def test_type_confused_fw_counter_with_large_code_aborts():
    """2.4 / 2.5 / 2.6 / 7.4 item 6: a HW event whose code is >= 22 attached by SKIP_MATCH to a
    FW counter makes start/stop abort with INVALID_PARAM and fw_read fail."""
    v = make()
    assert cfg(v, FW0, 1, 0, ACCESS_LOAD) == (E.SUCCESS, FW0)
    eidx = sbi.event_idx(sbi.EventType.RAW, 0x1234)  # raw: code not checked, creation succeeds
    assert cfg(v, FW0, 1, CF.SKIP_MATCH, eidx, 3) == (E.SUCCESS, FW0)
    assert start(v, FW0) == (E.INVALID_PARAM, 0)
    assert stop(v, FW0) == (E.INVALID_PARAM, 0)
    assert fw_read(v, FW0) == (E.INVALID_PARAM, 0)
