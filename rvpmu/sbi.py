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
