"""Every row of the profile-difference table (docs/kvm-profiles.md) checked in both profiles,
plus the generated document and the accumulate_on_read option (section 1.4)."""

import struct
from pathlib import Path

import pytest

from rvpmu import csr, sbi
from rvpmu.model import PMUConfig
from rvpmu.model.kvm import profiles

from .kvm_helpers import (ACCESS_LOAD, ALL_HW, BRANCH, BRANCH_SEL, CF, CYCLES, E, F, FW0, IPI_SENT,
                          NO_EVENT, NUM, RAW, SF, SHMEM, TF, UNMAPPED, cfg, fw, fw_read, make,
                          read_csr, set_shmem, set_snap_value, small, snap_value, start, stop)

U64 = (1 << 64) - 1
KVM, SPEC = "kvm", "spec"


def pick(p, kvm, spec):
    return kvm if p == KVM else spec


def branches(v, cycles: int) -> int | str:
    """Run ``cycles`` cycles with a branch in each; hpmcounter3 as the guest then reads it."""
    v.run(cycles, events={"branch": 1})
    return read_csr(v, csr.hpmcounter(3))


def row_get_info_bound_64(p):
    assert make(p).ecall(F.COUNTER_GET_INFO, NUM) == pick(p, (E.SUCCESS, 0), (E.INVALID_PARAM, 0))


def row_cfg_reserved_flags_ignored(p):
    assert cfg(make(p), 0, ALL_HW, 1 << 8, BRANCH) == pick(p, (E.SUCCESS, 3), (E.INVALID_PARAM, 0))


def row_skip_match_unconfigured_failure(p):
    assert cfg(make(p), 5, 1, CF.SKIP_MATCH, BRANCH) == pick(p, (E.FAILED, 0),
                                                             (E.INVALID_PARAM, 0))


def row_skip_match_no_type_check(p):
    v = make(p)
    assert cfg(v, FW0, 1, 0, ACCESS_LOAD) == (E.SUCCESS, FW0)
    assert cfg(v, 0, ALL_HW, 0, CYCLES) == (E.SUCCESS, 0)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert cfg(v, FW0, 1, CF.SKIP_MATCH, BRANCH) == pick(p, (E.SUCCESS, FW0),
                                                         (E.NOT_SUPPORTED, 0))
    assert cfg(v, 3, 1, CF.SKIP_MATCH, IPI_SENT) == pick(p, (E.SUCCESS, 3), (E.NOT_SUPPORTED, 0))
    assert cfg(v, 0, 1, CF.SKIP_MATCH, BRANCH) == pick(p, (E.SUCCESS, 0), (E.NOT_SUPPORTED, 0))
    assert cfg(v, 0, 1, CF.SKIP_MATCH, CYCLES) == (E.SUCCESS, 0)


def row_fixed_counter_ignores_mask(p):
    v = make(p)
    assert cfg(v, 5, 1, 0, CYCLES) == pick(p, (E.SUCCESS, 0), (E.SUCCESS, 5))
    assert cfg(v, 0, ALL_HW, 0, CYCLES) == (E.SUCCESS, 0)
    assert cfg(v, 0, ALL_HW, 0, CYCLES) == pick(p, (E.SUCCESS, 0), (E.SUCCESS, 3))
    assert cfg(v, FW0, 1, 0, sbi.event_idx(0, 2)) == pick(p, (E.SUCCESS, 2), (E.NOT_SUPPORTED, 0))


def row_no_event_counts_cycles(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, 0, NO_EVENT) == pick(p, (E.SUCCESS, 3), (E.NOT_SUPPORTED, 0))


def row_raw_events_unchecked(p):
    v = make(p)
    raw5 = sbi.event_idx(sbi.EventType.RAW, 5)
    assert cfg(v, 0, ALL_HW, 0, raw5, BRANCH_SEL) == pick(p, (E.SUCCESS, 3), (E.NOT_SUPPORTED, 0))
    assert cfg(v, 0, ALL_HW, 0, RAW, 0xFFFF) == pick(p, (E.SUCCESS, 4), (E.NOT_SUPPORTED, 0))
    assert cfg(v, 5, 1, 0, RAW, BRANCH_SEL) == (E.SUCCESS, 5)


def row_fw_clear_value_ignored(p):
    v = make(p)
    assert cfg(v, FW0, 1, 0, IPI_SENT) == (E.SUCCESS, FW0)
    assert start(v, FW0, 1, SF.SET_INIT_VALUE, 5) == (E.SUCCESS, 0)
    assert stop(v, FW0) == (E.SUCCESS, 0)
    assert cfg(v, FW0, 1, CF.SKIP_MATCH | CF.CLEAR_VALUE, IPI_SENT) == (E.SUCCESS, FW0)
    assert fw_read(v, FW0) == (E.SUCCESS, pick(p, 5, 0))


def row_auto_start_leaves_stopped(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, CF.AUTO_START, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3) == pick(p, (E.SUCCESS, 0), (E.ALREADY_STARTED, 0))
    v2 = make(p)
    assert cfg(v2, 0, ALL_HW, CF.AUTO_START, BRANCH) == (E.SUCCESS, 3)
    assert stop(v2, 3) == pick(p, (E.ALREADY_STOPPED, 0), (E.SUCCESS, 0))
    assert branches(v2, 3) == pick(p, 3, 0)


def row_started_survives_reconfig(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3) == (E.SUCCESS, 0)
    assert cfg(v, 3, 1, CF.SKIP_MATCH, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3) == pick(p, (E.ALREADY_STARTED, 0), (E.SUCCESS, 0))
    v.reset()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3) == pick(p, (E.ALREADY_STARTED, 0), (E.SUCCESS, 0))
    assert branches(v, 2) == pick(p, 0, 2)


def row_unconfigured_counters_skipped(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3, 0b11) == pick(p, (E.SUCCESS, 0), (E.INVALID_PARAM, 0))
    assert stop(v, 1, 0b1) == pick(p, (E.SUCCESS, 0), (E.INVALID_PARAM, 0))
    assert branches(v, 2) == pick(p, 2, 0)


def row_init_value_and_snapshot_allowed(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert start(v, 3, 1, SF.SET_INIT_VALUE | SF.INIT_SNAPSHOT, 44) == \
        pick(p, (E.SUCCESS, 0), (E.INVALID_PARAM, 0))
    assert read_csr(v, csr.hpmcounter(3)) == pick(p, 44, 0)


def row_already_started_value_overwritten(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3) == (E.SUCCESS, 0)
    v.run(4, events={"branch": 1})
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 7000) == (E.ALREADY_STARTED, 0)
    assert branches(v, 1) == pick(p, 7001, 5)


def row_stop_sticky_error_skips_snapshot(p):
    v = make(p)
    cfg(v, 0, ALL_HW, 0, BRANCH)
    cfg(v, 0, ALL_HW, 0, BRANCH)
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert start(v, 4, 1, SF.SET_INIT_VALUE, 77) == (E.SUCCESS, 0)
    assert stop(v, 3, 0b11, TF.TAKE_SNAPSHOT) == (E.ALREADY_STOPPED, 0)
    assert snap_value(v, 1) == pick(p, 0, 77)


def row_reset_snapshot_stale_value(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 100) == (E.SUCCESS, 0)
    assert branches(v, 5) == 105
    v.run(5, events={"branch": 1})
    assert stop(v, 3, 1, TF.RESET | TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert snap_value(v, 0) == pick(p, 105, 110)


def row_snapshot_whole_area_writeback(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert set_shmem(v) == (E.SUCCESS, 0)
    set_snap_value(v, 9, 999)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 8) == (E.SUCCESS, 0)
    assert stop(v, 3, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert (snap_value(v, 0), snap_value(v, 9)) == (8, pick(p, 0, 999))


def row_fw_read_returns_hw_values(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 9) == (E.SUCCESS, 0)
    assert fw_read(v, 3) == pick(p, (E.SUCCESS, 9), (E.INVALID_PARAM, 0))


def row_fw_read_hi_unchecked(p):
    v = make(p)
    ok, bad = (E.SUCCESS, 0), pick(p, (E.SUCCESS, 0), (E.INVALID_PARAM, 0))
    assert v.ecall(F.COUNTER_FW_READ_HI, 0) == bad
    assert v.ecall(F.COUNTER_FW_READ_HI, FW0) == bad  # unconfigured
    assert v.ecall(F.COUNTER_FW_READ_HI, 1 << 40) == bad
    assert cfg(v, FW0, 1, 0, IPI_SENT) == (E.SUCCESS, FW0)
    assert v.ecall(F.COUNTER_FW_READ_HI, FW0) == ok


def row_shmem_alignment_unchecked(p):
    assert set_shmem(make(p), SHMEM + 8) == pick(p, (E.SUCCESS, 0), (E.INVALID_PARAM, 0))


def row_event_info_read_failure_failed(p):
    assert make(p).ecall(F.EVENT_GET_INFO, UNMAPPED, 0, 1, 0) == \
        pick(p, (E.FAILED, 0), (E.INVALID_ADDRESS, 0))


def _event_info(v, items):
    v.guest_memory.write(SHMEM, b"".join(struct.pack("<IIQ", e, 7, d) for e, d in items))
    ret = v.ecall(F.EVENT_GET_INFO, SHMEM, 0, len(items), 0)
    raw = v.guest_memory.read(SHMEM, 16 * len(items))
    return ret, [struct.unpack_from("<IIQ", raw, 16 * k)[1] for k in range(len(items))]


def row_event_info_reserved_bits_ignored(p):
    ret, out = _event_info(make(p), [((1 << 20) | CYCLES, 0)])
    assert (ret, out) == pick(p, ((E.SUCCESS, 0), [1]), ((E.INVALID_PARAM, 0), [7]))


def row_event_info_overreports(p):
    items = [(fw(22), 0), (fw(sbi.FW_PLATFORM), 0), (NO_EVENT, 0), (RAW, 0xFFFF),
             (RAW, BRANCH_SEL), (fw(3), 0), (CYCLES, 0)]
    ret, out = _event_info(make(p), items)
    assert ret == (E.SUCCESS, 0)
    assert out == pick(p, [1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 1])


def row_values_not_width_masked(p):
    v = make(p, config=PMUConfig(num_counters=4, counter_width=12))
    assert cfg(v, 0, 0x7F, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 4000) == (E.SUCCESS, 0)
    assert branches(v, 200) == pick(p, 4200, 104)


def row_shared_fw_event_state(p):
    v = make(p)
    assert cfg(v, FW0, 0b11, 0, ACCESS_LOAD) == (E.SUCCESS, FW0)
    assert cfg(v, FW0, 0b11, 0, ACCESS_LOAD) == (E.SUCCESS, FW0 + 1)
    assert start(v, FW0) == (E.SUCCESS, 0)
    v.fw_event("ACCESS_LOAD", 4)
    assert fw_read(v, FW0 + 1) == (E.SUCCESS, pick(p, 4, 0))
    assert start(v, FW0 + 1) == pick(p, (E.ALREADY_STARTED, 0), (E.SUCCESS, 0))


def row_csr_alias_fw_counters(p):
    v = make(p, config=small())
    assert cfg(v, 7, 1, CF.AUTO_START, IPI_SENT) == (E.SUCCESS, 7)
    v.fw_event("IPI_SENT", 4)
    assert read_csr(v, csr.hpmcounter(7)) == pick(p, 4, "illegal")


def row_sample_period_off_by_one(p):
    v = make(p, config=PMUConfig(num_counters=4, counter_width=12))
    assert cfg(v, 0, 0x7F, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 0) == (E.SUCCESS, 0)
    assert v.run(5000, events={"branch": 1}, stop_on_lcofi=True) == pick(p, 4095, 4096)


def row_perf_rejects_large_periods(p):
    v = make(p)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, U64 - 99) == (E.SUCCESS, 0)
    v.run(10, events={"branch": 1})
    assert stop(v, 3) == (E.SUCCESS, 0)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 0) == (E.SUCCESS, 0)
    assert v.run(1000, events={"branch": 1}, stop_on_lcofi=True) == pick(p, 90, 1000)


def row_fw_event_routing(p):
    v = make(p)
    own = cfg(v, 0, (1 << NUM) - 1, CF.AUTO_START, fw(sbi.FwEvent.SFENCE_VMA_SENT))[1]
    hfence = cfg(v, 0, (1 << NUM) - 1, CF.AUTO_START, fw(sbi.FwEvent.HFENCE_VVMA_SENT))[1]
    v.fw_event("SFENCE_VMA_SENT")
    v.fw_event("HFENCE_GVMA_SENT")
    assert (fw_read(v, own)[1], fw_read(v, hfence)[1]) == pick(p, (0, 1), (1, 0))


ROWS = {name[4:]: fn for name, fn in dict(globals()).items() if name.startswith("row_")}


def test_every_difference_has_a_test():
    assert set(ROWS) == set(profiles.QUIRKS)


@pytest.mark.parametrize("profile", [KVM, SPEC])
@pytest.mark.parametrize("key", [d.key for d in profiles.DIFFERENCES])
def test_difference(key, profile):
    ROWS[key](profile)


def test_generated_doc_is_committed():
    doc = Path(__file__).resolve().parents[2] / "docs" / "kvm-profiles.md"
    assert doc.read_text(encoding="utf-8") == profiles.markdown(), \
        "regenerate with: .venv/bin/rvpmu model profiles -o docs/kvm-profiles.md"


def test_every_row_cites_a_section():
    for d in profiles.DIFFERENCES:
        assert d.section[0].isdigit() or d.section.startswith("Appendix"), d


def test_unknown_quirk_is_an_error():
    with pytest.raises(KeyError):
        profiles.PROFILES["kvm"].quirk("no_such_difference")


@pytest.mark.parametrize("profile", [KVM, SPEC])
def test_accumulate_on_read_option(profile):
    """1.4: the literal KVM arithmetic adds the whole cumulative count on every read
    (V+C, V+2C, ...); the default is base + events since the last synchronisation."""
    lit, intended = make(profile, accumulate_on_read=True), make(profile)
    for v in (lit, intended):
        assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
        assert start(v, 3, 1, SF.SET_INIT_VALUE, 100) == (E.SUCCESS, 0)
        v.run(10, events={"branch": 1})
    assert [read_csr(lit, csr.hpmcounter(3)) for _ in range(3)] == [110, 120, 130]
    assert [read_csr(intended, csr.hpmcounter(3)) for _ in range(3)] == [110, 110, 110]
