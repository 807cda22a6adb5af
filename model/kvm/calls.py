"""The information and shared-memory SBI calls (reference sections 2.1, 2.2, 2.6-2.9)."""

from __future__ import annotations

import struct

from rvpmu import sbi

from .eventmap import perf_type_config
from .memory import Snapshot
from .state import INVALID_GPA, U64, VcpuState

E = sbi.SbiError
Ret = tuple[int, int]


def num_counters(st: VcpuState) -> Ret:
    """FID 0 (section 2.1): includes the unusable time slot."""
    return E.SUCCESS, st.num_counters


def get_info(st: VcpuState, cidx: int) -> Ret:
    """FID 1 (section 2.2): KVM bounds the index by 64, not by ``num_counters``."""
    bound = 64 if st.quirk("get_info_bound_64") else st.num_counters
    if cidx >= bound or cidx == 1:
        return E.INVALID_PARAM, 0
    return E.SUCCESS, st.pmc[cidx].cinfo


def fw_read(st: VcpuState, cidx: int) -> Ret:
    """FID 5 (section 2.6): KVM also returns configured hardware counters."""
    if cidx < st.num_counters and cidx != 1 and not st.pmc[cidx].is_fw \
            and not st.quirk("fw_read_returns_hw_values"):
        return E.INVALID_PARAM, 0
    return st.ctr_read(cidx)


def fw_read_hi(st: VcpuState, cidx: int) -> Ret:
    """FID 6 (section 2.7): on RV64 the upper bits are always 0; KVM does not check the index."""
    if st.quirk("fw_read_hi_unchecked"):
        return E.SUCCESS, 0
    if cidx >= st.num_counters or cidx == 1 or not st.pmc[cidx].is_fw:
        return E.INVALID_PARAM, 0
    eidx = st.pmc[cidx].event_idx
    if eidx == sbi.EVENT_IDX_INVALID or sbi.event_code(eidx) >= sbi.FW_MAX:
        return E.INVALID_PARAM, 0
    return E.SUCCESS, 0


def set_shmem(st: VcpuState, lo: int, hi: int, flags: int) -> Ret:
    """FID 7 (section 2.8): install (zero-filled) or disable the snapshot area."""
    if flags != 0:
        return E.INVALID_PARAM, 0
    if lo == U64 and hi == U64:
        st.clear_snapshot()
        return E.SUCCESS, 0
    if lo % sbi.SNAPSHOT_ALIGN and not st.quirk("shmem_alignment_unchecked"):
        return E.INVALID_PARAM, 0
    if hi != 0:
        return E.INVALID_ADDRESS, 0  # RV64
    if st.snapshot_addr != INVALID_GPA:
        st.clear_snapshot()  # the old area is dropped before the new one is validated
    sdata = Snapshot()
    if not st.mem.kvm_write(lo, bytes(sdata.raw)):
        return E.INVALID_ADDRESS, 0
    st.sdata, st.snapshot_addr = sdata, lo
    return E.SUCCESS, 0


def _supported(st: VcpuState, eidx: int, edata: int) -> bool:
    if st.quirk("event_info_overreports"):
        return st.host.events.perf_event_info(*perf_type_config(eidx, edata))
    return st.host.events.spec_supported(eidx, edata)


def event_get_info(st: VcpuState, lo: int, hi: int, num: int, flags: int) -> Ret:
    """FID 8 (section 2.9): fill each 16-byte entry's output word (1 = supported)."""
    size = sbi.EVENT_INFO_ENTRY_SIZE
    if flags != 0 or lo % sbi.EVENT_INFO_ALIGN or num == 0 or num * size > U64:
        return E.INVALID_PARAM, 0
    if hi != 0:
        return E.INVALID_ADDRESS, 0  # RV64
    raw = st.mem.kvm_read(lo, num * size)
    if raw is None:
        if st.quirk("event_info_read_failure_failed"):
            return E.FAILED, 0
        return E.INVALID_ADDRESS, 0
    buf = bytearray(raw)
    entries = [struct.unpack_from("<IIQ", buf, k * size) for k in range(num)]
    if not st.quirk("event_info_reserved_bits_ignored") \
            and any(eidx & sbi.EVENT_IDX_RESERVED_MASK for eidx, _, _ in entries):
        return E.INVALID_PARAM, 0
    for k, (eidx, _, edata) in enumerate(entries):
        struct.pack_into("<I", buf, k * size + 4, int(_supported(st, eidx, edata)))
    if not st.mem.kvm_write(lo, bytes(buf)):
        return E.INVALID_ADDRESS, 0
    return E.SUCCESS, 0
