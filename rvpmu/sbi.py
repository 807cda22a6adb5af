"""SBI PMU extension constants (SBI spec ``ext-pmu.adoc``; ``kvm-vpmu.md`` section 1.6).

Defined once here and imported by the configuration (which SBI event an event input
implements), the device-tree generator and the KVM virtual PMU model.
"""

from __future__ import annotations

import enum

EXT_PMU = 0x504D55  # "PMU"


class EventType(enum.IntEnum):
    HW = 0
    CACHE = 1
    RAW = 2
    RAW_V2 = 3
    FW = 15


class HwEvent(enum.IntEnum):
    """SBI hardware general events (type 0)."""

    NO_EVENT = 0
    CPU_CYCLES = 1
    INSTRUCTIONS = 2
    CACHE_REFERENCES = 3
    CACHE_MISSES = 4
    BRANCH_INSTRUCTIONS = 5
    BRANCH_MISSES = 6
    BUS_CYCLES = 7
    STALLED_CYCLES_FRONTEND = 8
    STALLED_CYCLES_BACKEND = 9
    REF_CPU_CYCLES = 10


class CacheId(enum.IntEnum):
    L1D = 0
    L1I = 1
    LL = 2
    DTLB = 3
    ITLB = 4
    BPU = 5
    NODE = 6


class CacheOp(enum.IntEnum):
    READ = 0
    WRITE = 1
    PREFETCH = 2


class CacheResult(enum.IntEnum):
    ACCESS = 0
    MISS = 1


def event_idx(event_type: int, code: int) -> int:
    """``event_idx[19:16] = type``, ``[15:0] = code``."""
    return ((event_type & 0xF) << 16) | (code & 0xFFFF)


def cache_event_idx(cache: CacheId, op: CacheOp, result: CacheResult) -> int:
    return event_idx(EventType.CACHE, (cache << 3) | (op << 1) | result)


def parse_sbi_event(name: str) -> int:
    """Turn an SBI event name into its ``event_idx``.

    Accepted: a hardware general event (``BRANCH_INSTRUCTIONS``) or a cache event written
    ``<CACHE>_<OP>_<RESULT>`` (``L1D_READ_MISS``, ``DTLB_WRITE_ACCESS``).
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"SBI event must be a non-empty name, got {name!r}")
    key = name.strip().upper()
    if key in HwEvent.__members__:
        if key == "NO_EVENT":
            raise ValueError("SBI event NO_EVENT cannot be implemented by an event input")
        return event_idx(EventType.HW, HwEvent[key])
    parts = key.split("_")
    if len(parts) == 3 and parts[0] in CacheId.__members__ and parts[1] in CacheOp.__members__ \
            and parts[2] in CacheResult.__members__:
        return cache_event_idx(CacheId[parts[0]], CacheOp[parts[1]], CacheResult[parts[2]])
    hw = ", ".join(m for m in HwEvent.__members__ if m != "NO_EVENT")
    raise ValueError(
        f"unknown SBI event {name!r}: use a hardware event ({hw}) or a cache event "
        f"<{'|'.join(CacheId.__members__)}>_<{'|'.join(CacheOp.__members__)}>_"
        f"<{'|'.join(CacheResult.__members__)}>, e.g. L1D_READ_MISS")


# --------------------------------------------------------------------------------------------
# Firmware events (type 15; kvm-vpmu.md section 5.1)
# --------------------------------------------------------------------------------------------


class FwEvent(enum.IntEnum):
    """SBI firmware event codes (``SBI_PMU_FW_*``)."""

    MISALIGNED_LOAD = 0
    MISALIGNED_STORE = 1
    ACCESS_LOAD = 2
    ACCESS_STORE = 3
    ILLEGAL_INSN = 4
    SET_TIMER = 5
    IPI_SENT = 6
    IPI_RECEIVED = 7
    FENCE_I_SENT = 8
    FENCE_I_RECEIVED = 9
    SFENCE_VMA_SENT = 10
    SFENCE_VMA_RECEIVED = 11
    SFENCE_VMA_ASID_SENT = 12
    SFENCE_VMA_ASID_RECEIVED = 13
    HFENCE_GVMA_SENT = 14
    HFENCE_GVMA_RECEIVED = 15
    HFENCE_GVMA_VMID_SENT = 16
    HFENCE_GVMA_VMID_RECEIVED = 17
    HFENCE_VVMA_SENT = 18
    HFENCE_VVMA_RECEIVED = 19
    HFENCE_VVMA_ASID_SENT = 20
    HFENCE_VVMA_ASID_RECEIVED = 21


FW_MAX = 22  # SBI_PMU_FW_MAX: codes 0..21 are defined
FW_PLATFORM = 0xFFFF  # SBI_PMU_FW_PLATFORM: event_data carries the platform encoding
HW_GENERAL_MAX = 11  # SBI_PMU_HW_GENERAL_MAX: hardware general codes 0..10
EVENT_IDX_INVALID = 0xFFFF_FFFF  # SBI_PMU_EVENT_IDX_INVALID (Linux)
EVENT_IDX_TYPE_MASK = 0xF0000
EVENT_IDX_CODE_MASK = 0xFFFF
EVENT_IDX_RESERVED_MASK = 0xFFF0_0000  # event_get_info word 0 bits [31:20]: must be zero
RAW_EVENT_MASK = (1 << 48) - 1  # type 2: mhpmevent bits [47:0]
RAW_V2_EVENT_MASK = (1 << 56) - 1  # type 3 as KVM masks it: bits [55:0]


def event_type(eidx: int) -> int:
    """``event_idx[19:16]``, decoded as KVM does (bits above 19 ignored)."""
    return (eidx & EVENT_IDX_TYPE_MASK) >> 16


def event_code(eidx: int) -> int:
    return eidx & EVENT_IDX_CODE_MASK


def fw_event_idx(code: int) -> int:
    return event_idx(EventType.FW, code)


def parse_fw_event(value: int | str) -> FwEvent:
    """A firmware event code 0..21, given as a number or a name (``IPI_SENT``)."""
    if isinstance(value, str):
        key = value.strip().upper().removeprefix("SBI_PMU_FW_")
        if key in FwEvent.__members__:
            return FwEvent[key]
        try:
            value = int(value, 0)
        except ValueError:
            raise ValueError(f"unknown firmware event {value!r}: use a code 0..{FW_MAX - 1} or "
                             f"a name ({', '.join(FwEvent.__members__)})") from None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < FW_MAX:
        raise ValueError(f"firmware event code must be 0..{FW_MAX - 1}, got {value!r}")
    return FwEvent(value)


# --------------------------------------------------------------------------------------------
# Functions, flags, errors (kvm-vpmu.md section 1.6; SBI binary-encoding.adoc)
# --------------------------------------------------------------------------------------------


class Fid(enum.IntEnum):
    """Function IDs of the PMU extension (``enum sbi_ext_pmu_fid``)."""

    NUM_COUNTERS = 0
    COUNTER_GET_INFO = 1
    COUNTER_CFG_MATCH = 2
    COUNTER_START = 3
    COUNTER_STOP = 4
    COUNTER_FW_READ = 5
    COUNTER_FW_READ_HI = 6
    SNAPSHOT_SET_SHMEM = 7
    EVENT_GET_INFO = 8


class SbiError(enum.IntEnum):
    """``sbiret.error`` values (``SBI_SUCCESS``, ``SBI_ERR_*``)."""

    SUCCESS = 0
    FAILED = -1  # Linux: SBI_ERR_FAILURE
    NOT_SUPPORTED = -2
    INVALID_PARAM = -3
    DENIED = -4
    INVALID_ADDRESS = -5
    ALREADY_AVAILABLE = -6
    ALREADY_STARTED = -7
    ALREADY_STOPPED = -8
    NO_SHMEM = -9
    INVALID_STATE = -10
    BAD_RANGE = -11
    TIMEOUT = -12
    IO = -13
    DENIED_LOCKED = -14


class CfgFlag(enum.IntFlag):
    """``config_flags`` of ``sbi_pmu_counter_config_matching`` (``SBI_PMU_CFG_FLAG_*``)."""

    SKIP_MATCH = 1 << 0
    CLEAR_VALUE = 1 << 1
    AUTO_START = 1 << 2
    SET_VUINH = 1 << 3
    SET_VSINH = 1 << 4
    SET_UINH = 1 << 5
    SET_SINH = 1 << 6
    SET_MINH = 1 << 7


CFG_FLAG_RESERVED = ~0xFF  # bits 8..XLEN-1


class StartFlag(enum.IntFlag):
    """``start_flags`` of ``sbi_pmu_counter_start`` (``SBI_PMU_START_FLAG_*``)."""

    SET_INIT_VALUE = 1 << 0
    INIT_SNAPSHOT = 1 << 1


class StopFlag(enum.IntFlag):
    """``stop_flags`` of ``sbi_pmu_counter_stop`` (``SBI_PMU_STOP_FLAG_*``)."""

    RESET = 1 << 0
    TAKE_SNAPSHOT = 1 << 1


# --------------------------------------------------------------------------------------------
# Counter info and shared-memory layouts (kvm-vpmu.md sections 3.1, 4.4, 2.9)
# --------------------------------------------------------------------------------------------

CTR_INFO_CSR_MASK = 0xFFF  # [11:0]
CTR_INFO_WIDTH_SHIFT = 12  # [17:12]: one less than the number of bits
CTR_INFO_WIDTH_MASK = 0x3F


def counter_info(csr_num: int, width: int, firmware: bool, xlen: int = 64) -> int:
    """``union sbi_pmu_ctr_info``: csr[11:0], width[17:12], type[XLEN-1] (1 = firmware)."""
    return ((int(firmware) << (xlen - 1)) | ((width & CTR_INFO_WIDTH_MASK) << CTR_INFO_WIDTH_SHIFT)
            | (csr_num & CTR_INFO_CSR_MASK))


def counter_info_fields(info: int, xlen: int = 64) -> tuple[int, int, bool]:
    """(csr, width, firmware) of a ``counter_info`` value."""
    return (info & CTR_INFO_CSR_MASK, (info >> CTR_INFO_WIDTH_SHIFT) & CTR_INFO_WIDTH_MASK,
            bool(info >> (xlen - 1) & 1))


SHMEM_DISABLE = (1 << 64) - 1  # both shmem_phys_lo and _hi all-ones: disable (RV64)
SNAPSHOT_SIZE = 4096  # sizeof(struct riscv_pmu_snapshot_data)
SNAPSHOT_ALIGN = 4096
SNAPSHOT_OVERFLOW_OFFSET = 0x0  # u64 counter_overflow_bitmap
SNAPSHOT_VALUES_OFFSET = 0x8  # u64 counter_values[64]
SNAPSHOT_NUM_VALUES = 64
EVENT_INFO_ENTRY_SIZE = 16  # u32 event_idx, u32 output, u64 event_data
EVENT_INFO_ALIGN = 16
