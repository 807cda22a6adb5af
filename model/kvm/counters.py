"""``counter_config_matching``, ``counter_start`` and ``counter_stop`` (reference sections 2.3-2.5).

Each function follows the reference's pseudo-code step by step (the step comments quote it);
where the profiles differ the code asks ``st.quirk(key)`` (``profiles.DIFFERENCES``).
"""

from __future__ import annotations

from rvpmu import sbi

from .memory import Snapshot
from .state import INVALID_GPA, FwState, Pmc, VcpuState

E = sbi.SbiError
Ret = tuple[int, int]
_FIXED = {sbi.HwEvent.CPU_CYCLES: 0, sbi.HwEvent.INSTRUCTIONS: 2}


def _fixed_index(eidx: int) -> int | None:
    if sbi.event_type(eidx) == sbi.EventType.HW:
        return _FIXED.get(sbi.event_code(eidx))
    return None


def _select(st: VcpuState, cbase: int, cmask: int, eidx: int, is_fw: bool) -> int:
    """``kvm_pmu_get_fixed_pmc_index`` then ``..._programmable_pmc_index`` (section 2.3)."""
    fixed = _fixed_index(eidx)
    if fixed is not None and st.quirk("fixed_counter_ignores_mask"):
        return fixed  # regardless of cbase/cmask and of whether it is in use
    lo, hi = (st.num_hw_ctrs, st.num_counters) if is_fw else (3, st.num_hw_ctrs)
    for i in st.set_bits(cmask):
        p = cbase + i
        if not st.in_use_at(p) and (lo <= p < hi or p == fixed):
            return p
    return -1


def _can_count(st: VcpuState, idx: int, eidx: int, edata: int) -> bool:
    """Spec profile: can counter ``idx`` monitor the event at all (SKIP_MATCH)?"""
    pmc = st.pmc[idx]
    if sbi.event_type(eidx) == sbi.EventType.FW:
        return pmc.is_fw
    if pmc.is_fw:
        return False
    if idx < 3:
        return _fixed_index(eidx) == idx
    return st.hw_selector(eidx, edata) is not None


def _fw_state_for(st: VcpuState, pmc: Pmc, code: int) -> FwState:
    """The firmware state the new event ``code`` will use (``pmc.event_idx`` is set later)."""
    if st.quirk("shared_fw_event_state"):
        return st.fw_event[code]
    return st.fw_ctr.setdefault(pmc.idx, FwState())


def cfg_match(st: VcpuState, cbase: int, cmask: int, flags: int, eidx: int, edata: int) -> Ret:
    """FID 2: find (or, with SKIP_MATCH, take) a counter and configure it for the event."""
    F = sbi.CfgFlag
    if not st.mask_valid(cbase, cmask):  # 1.
        return E.INVALID_PARAM, 0
    if flags & sbi.CFG_FLAG_RESERVED and not st.quirk("cfg_reserved_flags_ignored"):
        return E.INVALID_PARAM, 0
    is_fw = sbi.event_type(eidx) == sbi.EventType.FW  # 2.
    code = sbi.event_code(eidx)
    if is_fw and code >= sbi.FW_MAX:
        return E.NOT_SUPPORTED, 0
    if flags & F.SKIP_MATCH:  # 3.
        idx = cbase + (cmask & -cmask).bit_length() - 1
        if not st.in_use_at(idx):
            if st.quirk("skip_match_unconfigured_failure"):
                return E.FAILED, 0
            return E.INVALID_PARAM, 0
        if not st.quirk("skip_match_no_type_check") and not _can_count(st, idx, eidx, edata):
            return E.NOT_SUPPORTED, 0
    else:
        idx = _select(st, cbase, cmask, eidx, is_fw)
        if idx < 0:
            return E.NOT_SUPPORTED, 0
    pmc = st.pmc[idx]  # 4.
    if is_fw:  # 5.
        fw = _fw_state_for(st, pmc, code)
        if flags & F.CLEAR_VALUE and not st.quirk("fw_clear_value_ignored"):
            pmc.counter_val = fw.value = 0
        if flags & F.AUTO_START:
            fw.started = True
    else:
        st.release_perf(pmc)
        if flags & F.CLEAR_VALUE:
            pmc.counter_val = 0
        if not st.quirk("started_survives_reconfig"):
            pmc.started = False
        if not st.create_perf_event(pmc, eidx, edata, flags):
            return E.NOT_SUPPORTED, 0  # in_use/event_idx unchanged, old perf event gone
        if flags & F.AUTO_START:
            st.host.enable(pmc.perf)
            if not st.quirk("auto_start_leaves_stopped"):
                pmc.started = True
    st.in_use |= 1 << idx  # 6.
    pmc.event_idx = eidx
    return E.SUCCESS, idx  # 7.


def _all_configured(st: VcpuState, cbase: int, cmask: int) -> bool:
    return all(st.in_use_at(cbase + i) for i in st.set_bits(cmask))


def _started(st: VcpuState, pmc: Pmc) -> bool:
    if pmc.is_fw:
        return sbi.event_code(pmc.event_idx) < sbi.FW_MAX and st.fw_state(pmc).started
    return pmc.started


def start(st: VcpuState, cbase: int, cmask: int, flags: int, ival: int) -> Ret:
    """FID 3: start counters, optionally from ``ival`` or from the snapshot area."""
    F = sbi.StartFlag
    if not st.mask_valid(cbase, cmask):  # 1.
        return E.INVALID_PARAM, 0
    both = F.SET_INIT_VALUE | F.INIT_SNAPSHOT
    if flags & both == both and not st.quirk("init_value_and_snapshot_allowed"):
        return E.INVALID_PARAM, 0
    if not st.quirk("unconfigured_counters_skipped") and not _all_configured(st, cbase, cmask):
        return E.INVALID_PARAM, 0
    snap = None
    if flags & F.INIT_SNAPSHOT:  # 2.
        if st.snapshot_addr == INVALID_GPA:
            return E.NO_SHMEM, 0
        snap = st.load_snapshot()
        if snap is None:
            return E.FAILED, 0
        st.sdata = snap
    ret = E.SUCCESS
    for i in st.set_bits(cmask):  # 3.
        p = cbase + i
        if not st.in_use_at(p):
            continue
        pmc = st.pmc[p]
        st.overflown &= ~(1 << p)
        if st.quirk("already_started_value_overwritten") or not _started(st, pmc):
            if flags & F.SET_INIT_VALUE:
                st.set_value(pmc, ival)
                st.resync(pmc)
            elif snap is not None:
                st.set_value(pmc, snap.value(i))  # index relative to cbase
                st.resync(pmc)
        if pmc.is_fw:
            if sbi.event_code(pmc.event_idx) >= sbi.FW_MAX:
                return E.INVALID_PARAM, 0  # aborts the loop
            fw = st.fw_state(pmc)
            if fw.started:
                ret = E.ALREADY_STARTED
                continue
            fw.started, fw.value = True, pmc.counter_val
        elif pmc.perf is not None:
            if pmc.started:
                ret = E.ALREADY_STARTED
                continue
            st.apply_period(pmc)
            st.host.enable(pmc.perf)
            pmc.started = True
        else:
            ret = E.INVALID_PARAM
    return ret, 0  # 4. the last error seen


def stop(st: VcpuState, cbase: int, cmask: int, flags: int) -> Ret:
    """FID 4: stop counters, optionally unmapping them and saving them to the snapshot area."""
    F = sbi.StopFlag
    take = bool(flags & F.TAKE_SNAPSHOT)
    if not st.mask_valid(cbase, cmask):  # 1.
        return E.INVALID_PARAM, 0
    if not st.quirk("unconfigured_counters_skipped") and not _all_configured(st, cbase, cmask):
        return E.INVALID_PARAM, 0
    if take and st.snapshot_addr == INVALID_GPA:  # 2.
        return E.NO_SHMEM, 0
    sdata = st.sdata if st.sdata is not None else Snapshot()
    ret, dirty = E.SUCCESS, False
    values: set[int] = set()  # relative indices saved, and overflow bits to update (spec)
    bits: dict[int, bool] = {}
    for i in st.set_bits(cmask):  # 3.
        p = cbase + i
        if not st.in_use_at(p):
            continue
        pmc = st.pmc[p]
        own = E.SUCCESS
        if pmc.is_fw:
            if sbi.event_code(pmc.event_idx) >= sbi.FW_MAX:
                return E.INVALID_PARAM, 0  # aborts; snapshot not written back
            fw = st.fw_state(pmc)
            if not fw.started:
                own = E.ALREADY_STOPPED
            else:
                fw.started, pmc.counter_val = False, fw.value
        elif pmc.perf is not None:
            if pmc.started:
                st.host.disable(pmc.perf)
                pmc.started = False
            else:
                own = E.ALREADY_STOPPED
            if flags & F.RESET:
                if take and not st.quirk("reset_snapshot_stale_value"):
                    st.fold(pmc)
                st.release_perf(pmc)
        else:
            own = E.INVALID_PARAM
        if own != E.SUCCESS:
            ret = own
        ok = ret == E.SUCCESS if st.quirk("stop_sticky_error_skips_snapshot") else own == 0
        if take and ok:
            if pmc.perf is not None:
                st.fold(pmc)
            ovf = bool(st.overflown >> p & 1)
            if ovf:
                sdata.overflow_mask |= 1 << i
            sdata.set_value(i, pmc.counter_val)
            values.add(i)
            bits[i], dirty = ovf, True
        if flags & F.RESET:
            pmc.event_idx = sbi.EVENT_IDX_INVALID
            st.in_use &= ~(1 << p)
            st.overflown &= ~(1 << p)
            if take:
                sdata.overflow_mask &= ~(1 << i)
                bits[i], dirty = False, True
    if dirty:  # 4.
        st.sdata = sdata
        if not _write_back(st, sdata, values, bits):
            ret = E.FAILED
    return ret, 0  # 5.


def _write_back(st: VcpuState, sdata: Snapshot, values: set[int], bits: dict[int, bool]) -> bool:
    """KVM writes its whole host copy back; the spec allows touching only the saved entries
    and their overflow bits (section 2.5)."""
    addr = st.snapshot_addr
    if st.quirk("snapshot_whole_area_writeback"):
        return st.mem.kvm_write(addr, bytes(sdata.raw))
    if not st.mem.can_write(addr, sbi.SNAPSHOT_SIZE):
        return False
    guest = Snapshot(st.mem.load(addr, sbi.SNAPSHOT_SIZE))
    mask = guest.overflow_mask
    for i, ovf in bits.items():
        mask = mask | (1 << i) if ovf else mask & ~(1 << i)
    st.mem.kvm_write(addr + sbi.SNAPSHOT_OVERFLOW_OFFSET, mask.to_bytes(8, "little"))
    for i in sorted(values):
        st.mem.kvm_write(addr + sbi.SNAPSHOT_VALUES_OFFSET + 8 * i,
                         sdata.value(i).to_bytes(8, "little"))
    return True
