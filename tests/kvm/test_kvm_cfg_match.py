"""counter_config_matching (section 2.3), counter selection (3.4), event types (1.6), flags."""

import pytest

from rvpmu import csr, sbi

from .kvm_helpers import (ACCESS_LOAD, ALL_HW, BRANCH, BRANCH_SEL, BUS_CYCLES, CF, CYCLES, E, F,
                          FW0, INSTRET, L1D_READ_MISS, LL_READ_ACCESS, NUM, NUM_HW, RAW, RAW_V2, SF,
                          cfg, fw, fw_read, make, read_csr, start, stop)

U64 = (1 << 64) - 1


@pytest.mark.parametrize("cbase,cmask", [
    (0, 0),  # empty mask
    (NUM, 1),  # cbase >= num_counters
    (NUM - 1, 0b10),  # cbase + fls(cmask) == num_counters
    (0, 1 << NUM),
    (U64, 0b10),  # wraps to 0 without the 2026 cbase >= num_counters check
    (U64 - 5, 1 << 10),
])
def test_invalid_mask(cbase, cmask):
    """2.3 validate_mask: invalid iff cmask == 0, cbase >= n or cbase + fls0(cmask) >= n."""
    v = make()
    assert cfg(v, cbase, cmask, 0, ACCESS_LOAD) == (E.INVALID_PARAM, 0)
    assert cfg(v, cbase, cmask, 0, BRANCH) == (E.INVALID_PARAM, 0)


def test_mask_may_include_time_and_reaches_last_counter():
    """2.3: only the highest bit is range-checked; index 1 may be in the mask."""
    v = make()
    assert cfg(v, NUM - 1, 1, 0, ACCESS_LOAD) == (E.SUCCESS, NUM - 1)
    assert cfg(v, 1, 0b11, 0, BRANCH) == (E.NOT_SUPPORTED, 0)  # 1 and 2 are not programmable
    assert cfg(v, 1, 0b111, 0, BRANCH) == (E.SUCCESS, 3)


def test_cycles_and_instret_use_fixed_counters():
    """3.4: CPU_CYCLES -> 0, INSTRUCTIONS -> 2, whatever cbase/cmask, even when in use."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, CYCLES) == (E.SUCCESS, 0)
    assert cfg(v, 0, ALL_HW, 0, INSTRET) == (E.SUCCESS, 2)
    assert cfg(v, 10, 1, 0, CYCLES) == (E.SUCCESS, 0)  # counter 10 requested, 0 in use
    assert cfg(v, FW0, 1, 0, INSTRET) == (E.SUCCESS, 2)


def test_programmable_selection_first_free_ascending():
    """2.3 programmable_index: first cbase+i with 3 <= p < num_hw and not in use."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 4)
    assert cfg(v, 3, 0b111, 0, BRANCH) == (E.SUCCESS, 5)
    assert cfg(v, 10, 0b1010, 0, L1D_READ_MISS) == (E.SUCCESS, 11)
    # only fixed / time / FW indices requested: nothing programmable
    assert cfg(v, 0, 0b111, 0, BRANCH) == (E.NOT_SUPPORTED, 0)
    assert cfg(v, FW0, 0b11, 0, BRANCH) == (E.NOT_SUPPORTED, 0)


def test_all_programmable_counters_in_use():
    v = make()
    for p in range(3, NUM_HW):
        assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, p)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.NOT_SUPPORTED, 0)


def test_fw_selection_maps_to_fw_range():
    """2.3: FW events take the first free index in [num_hw, num_counters)."""
    v = make()
    full = (1 << NUM) - 1
    assert cfg(v, 0, full, 0, ACCESS_LOAD) == (E.SUCCESS, FW0)
    assert cfg(v, 0, full, 0, ACCESS_LOAD) == (E.SUCCESS, FW0 + 1)  # same code again: allowed
    assert cfg(v, 0, ALL_HW, 0, ACCESS_LOAD) == (E.NOT_SUPPORTED, 0)
    for _ in range(FW0 + 2, NUM):
        assert cfg(v, 0, full, 0, fw(sbi.FwEvent.SET_TIMER))[0] == E.SUCCESS
    assert cfg(v, 0, full, 0, fw(sbi.FwEvent.SET_TIMER)) == (E.NOT_SUPPORTED, 0)


@pytest.mark.parametrize("code", [22, 255, 256, 0xFFFE, sbi.FW_PLATFORM])
def test_fw_code_22_and_above_not_supported(code):
    """2.3 step 2 / 5.1: reserved, implementation-specific and platform FW codes."""
    assert cfg(make(), FW0, 1, 0, fw(code)) == (E.NOT_SUPPORTED, 0)


@pytest.mark.parametrize("eidx,edata", [
    (0x1234, 0),  # HW code >= 11 (the selftest's invalid event, 6.3)
    (BUS_CYCLES, 0),  # a valid HW event the hardware does not implement
    (LL_READ_ACCESS, 0),  # a cache event the hardware does not implement
    (sbi.event_idx(sbi.EventType.CACHE, 7 << 3), 0),  # cache id 7 is invalid
    (sbi.event_idx(sbi.EventType.CACHE, 0b110), 0),  # op 3 is invalid
    (sbi.event_idx(4, 1), 0),  # type 4 undefined
    (sbi.event_idx(14, 0), 0),
])
def test_unsupported_events_not_supported(eidx, edata):
    """1.6 / 2.3: host perf event creation fails -> NOT_SUPPORTED; nothing configured."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, eidx, edata) == (E.NOT_SUPPORTED, 0)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)  # counter 3 still free


def _counts(v, c, events):
    assert start(v, c, 1, SF.SET_INIT_VALUE, 0) == (E.SUCCESS, 0)
    v.run(8, events=events)
    assert stop(v, c) == (E.SUCCESS, 0)
    return v.ecall(F.COUNTER_FW_READ, c)[1]


@pytest.mark.parametrize("eidx,edata,events,expected", [
    (BRANCH, 0, {"branch": [1, 0]}, 4),
    (L1D_READ_MISS, 0, {"l1d_read_miss": 1}, 8),
    (RAW, BRANCH_SEL, {"branch": 1}, 8),  # raw: event_data is the mhpmevent selector
    (RAW, (1 << 48) | BRANCH_SEL, {"branch": 1}, 8),  # type 2 keeps bits 47:0 only
    (RAW_V2, (1 << 56) | BRANCH_SEL, {"branch": 1}, 8),  # type 3 keeps bits 55:0 only
    (RAW_V2, csr.EVENT_INSTRET, {"retired": [1, 1, 0, 0]}, 4),
    (sbi.event_idx(sbi.EventType.HW, 0) | (0xFFF << 20), 0, {}, 8),  # bits 31:20 ignored; code 0
])
def test_event_types_count_the_right_hardware_event(eidx, edata, events, expected):
    """1.6: HW general, cache, raw (48-bit) and raw v2 (56-bit) events reach the hardware."""
    v = make()
    err, c = cfg(v, 0, ALL_HW, 0, eidx, edata)
    assert err == E.SUCCESS and 3 <= c < NUM_HW
    assert _counts(v, c, events) == expected


def test_no_event_code_counts_cycles():
    """1.6: HW code 0 maps to perf config 0 = CPU_CYCLES, on a programmable counter."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, 0x0) == (E.SUCCESS, 3)
    assert _counts(v, 3, {"retired": 0}) == 8


def test_raw_event_the_hardware_lacks_is_configured_but_never_counts():
    """Appendix A: the host checks raw events only when scheduling them (pinned error state)."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, RAW, 0xFFFF) == (E.SUCCESS, 3)
    assert _counts(v, 3, {"branch": 1}) == 0


def test_event_idx_upper_bits_kept_in_pmc():
    """1.4 / 1.6: the full eidx is stored; decoding ignores bits above 19."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, (1 << 20) | CYCLES) == (E.SUCCESS, 0)
    assert cfg(v, FW0, 1, 0, (1 << 24) | ACCESS_LOAD) == (E.SUCCESS, FW0)
    assert fw_read(v, FW0) == (E.SUCCESS, 0)


def test_skip_match_on_unconfigured_counter_fails():
    """2.3 step 3: SKIP_MATCH needs pmc_in_use -> SBI_ERR_FAILURE (-1)."""
    v = make()
    assert cfg(v, 5, 1, CF.SKIP_MATCH, BRANCH) == (E.FAILED, 0)
    assert cfg(v, 1, 1, CF.SKIP_MATCH, CYCLES) == (E.FAILED, 0)


def test_skip_match_takes_lowest_bit_and_reconfigures():
    """2.3: SKIP_MATCH selects cbase + ffs(cmask) unconditionally (must be configured)."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert cfg(v, 3, 0b1110, CF.SKIP_MATCH, L1D_READ_MISS) == (E.FAILED, 0)  # 4: unconfigured
    assert cfg(v, 2, 0b1010, CF.SKIP_MATCH, L1D_READ_MISS) == (E.SUCCESS, 3)
    assert _counts(v, 3, {"l1d_read_miss": [1, 0], "branch": 1}) == 4
    assert cfg(v, 0, 0b1000, CF.SKIP_MATCH, RAW, BRANCH_SEL) == (E.SUCCESS, 3)
    assert _counts(v, 3, {"branch": 1}) == 8


def test_skip_match_perf_creation_failure_drops_old_event():
    """2.3 step 5: the old perf event is released first; on failure in_use/event_idx stay, so
    a later start finds no perf event -> INVALID_PARAM."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert cfg(v, 3, 1, CF.SKIP_MATCH, BUS_CYCLES) == (E.NOT_SUPPORTED, 0)
    assert start(v, 3) == (E.INVALID_PARAM, 0)
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 4)  # 3 is still in use
    assert read_csr(v, csr.hpmcounter(3)) == "illegal"


def test_clear_value_flag_on_hw_counter():
    """1.6: CLEAR_VALUE zeroes counter_val; without it the value is kept."""
    v = make()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, 1000) == (E.SUCCESS, 0)
    assert stop(v, 3) == (E.SUCCESS, 0)
    assert cfg(v, 3, 1, CF.SKIP_MATCH, BRANCH) == (E.SUCCESS, 3)
    assert read_csr(v, csr.hpmcounter(3)) == 1000
    assert cfg(v, 3, 1, CF.SKIP_MATCH | CF.CLEAR_VALUE, BRANCH) == (E.SUCCESS, 3)
    assert read_csr(v, csr.hpmcounter(3)) == 0


def test_reserved_flag_bits_ignored():
    """1.6: cfg_match flag bits 8..XLEN-1 are not checked by KVM."""
    v = make()
    assert cfg(v, 0, ALL_HW, 1 << 8, BRANCH) == (E.SUCCESS, 3)
    assert cfg(v, FW0, 1, (1 << 63) | (1 << 20), ACCESS_LOAD) == (E.SUCCESS, FW0)


@pytest.mark.parametrize("flags,mode,counted", [
    (0, "VS", 6), (0, "VU", 6),
    (CF.SET_UINH, "VU", 0), (CF.SET_UINH, "VS", 6),  # exclude_user -> VUINH
    (CF.SET_SINH, "VS", 0), (CF.SET_SINH, "VU", 6),  # exclude_kernel -> VSINH
    (CF.SET_VUINH, "VU", 6), (CF.SET_VSINH, "VS", 6), (CF.SET_MINH, "VS", 6),  # ignored
    (0, "S", 0), (0, "U", 0), (0, "M", 0),  # exclude_host, exclude_hv, MINH always
])
def test_filter_flags_and_host_exclusion(flags, mode, counted):
    """1.6 flag table / Appendix A: guest SINH/UINH filter VS/VU; host modes never count."""
    v = make()
    assert cfg(v, 0, ALL_HW, flags, BRANCH) == (E.SUCCESS, 3)
    assert start(v, 3) == (E.SUCCESS, 0)
    v.run(6, events={"branch": 1}, mode=mode)
    assert read_csr(v, csr.hpmcounter(3)) == counted


def test_cfg_match_hw_programs_the_physical_counter():
    """Appendix A: mhpmevent = selector | MINH | SINH | UINH (+ VSINH for the guest's SINH),
    OF clear once started; created disabled, so nothing is programmed before start."""
    v = make()
    hart = v.backend.hart
    assert cfg(v, 0, ALL_HW, CF.SET_SINH, BRANCH) == (E.SUCCESS, 3)
    assert all(hart.peek(f"mhpmevent{p}") == 0 for p in range(3, 32))
    assert start(v, 3) == (E.SUCCESS, 0)
    inh = (1 << csr.MHPMEVENT_MINH) | (1 << csr.MHPMEVENT_SINH) | (1 << csr.MHPMEVENT_UINH)
    programmed = [p for p in range(3, 32) if hart.peek(f"mhpmevent{p}")]
    assert len(programmed) == 1
    assert hart.peek(f"mhpmevent{programmed[0]}") == \
        BRANCH_SEL | inh | (1 << csr.MHPMEVENT_VSINH)
    assert not hart.peek("mcountinhibit") >> programmed[0] & 1
    assert stop(v, 3) == (E.SUCCESS, 0)
    assert all(hart.peek(f"mhpmevent{p}") == 0 for p in range(3, 32))
