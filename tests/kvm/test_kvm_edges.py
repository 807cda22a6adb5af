"""Edge cases the reference lists as remaining in the final code (section 7.4) that other files
do not already pin down, and the flags KVM leaves unchecked (1.6)."""

from rvpmu import csr

from .kvm_helpers import (ACCESS_LOAD, ALL_HW, BRANCH, CF, E, FW0, IPI_SENT, SF, TF, cfg, fw_read,
                          make, read_csr, start, stop)


def test_fw_event_on_hw_index_keeps_the_old_perf_event():
    """7.4 item 6: a FW event attached by SKIP_MATCH to a HW counter keeps its perf event;
    start/stop and reads act on it, firmware events do not reach it."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 10) == (E.SUCCESS, 0)
    assert cfg(v, 3, 1, CF.SKIP_MATCH | CF.AUTO_START, IPI_SENT) == (E.SUCCESS, 3)
    v.run(4, events={"branch": 1})
    v.fw_event("IPI_SENT", 100)
    assert read_csr(v, csr.hpmcounter(3)) == 14
    assert stop(v, 3) == (E.SUCCESS, 0)
    v.run(4, events={"branch": 1})
    assert fw_read(v, 3) == (E.SUCCESS, 14)


def test_hw_event_on_fw_index_reads_the_fw_state_of_its_code():
    """7.4 item 6: a HW event on a FW index uses fw_event[code(hw eidx)]: BRANCH_INSTRUCTIONS
    (code 5) shares the state of SET_TIMER (code 5)."""
    v = make()
    assert cfg(v, FW0, 1, 0, ACCESS_LOAD) == (E.SUCCESS, FW0)
    assert cfg(v, FW0, 1, CF.SKIP_MATCH, BRANCH) == (E.SUCCESS, FW0)
    assert start(v, FW0) == (E.SUCCESS, 0)
    v.run(5, events={"branch": 1})
    v.fw_event("SET_TIMER", 2)
    assert fw_read(v, FW0) == (E.SUCCESS, 2)


def test_start_and_stop_reserved_flags_unchecked():
    """1.6: start flag bits 2.. and stop flag bits 2.. are not checked (in both profiles)."""
    for profile in ("kvm", "spec"):
        v = make(profile)
        assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
        assert start(v, 3, 1, 1 << 5) == (E.SUCCESS, 0)
        assert stop(v, 3, 1, 1 << 7) == (E.SUCCESS, 0)


def test_counter_value_of_unused_counter_survives_reset():
    """1.5: reset zeroes only counters in use; an unmapped counter keeps counter_val, which a
    new configuration without CLEAR_VALUE then shows."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 777) == (E.SUCCESS, 0)
    assert stop(v, 3, 1, TF.RESET) == (E.SUCCESS, 0)
    v.reset()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert read_csr(v, csr.hpmcounter(3)) == 777


def test_counters_do_not_count_before_start():
    """7.3 (bbb622488749): perf events are created disabled."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    v.run(5, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(3)) == 0


def test_get_info_and_csr_of_counter_31():
    """7.3 (5aa09297a3dc): hpmcounter31 is emulated."""
    v = make()
    assert cfg(v, 31, 1, CF.AUTO_START, BRANCH) == (E.SUCCESS, 31)
    v.run(3, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(31)) == 3
