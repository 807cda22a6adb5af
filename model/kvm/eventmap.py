"""From an SBI event to a hardware event selector.

Two paths, one per profile:

* ``kvm``: KVM turns the SBI event into a host perf event type/config (``perf_type_config``,
  reference section 1.6) and the host perf driver maps that back to a hardware event
  (``HardwareEvents.perf_selector``; Appendix A, [K-PERF]). This is where KVM's quirks come from:
  NO_EVENT becomes CPU cycles, raw events are accepted without a check, FW codes >= 22 look
  "supported" to ``event_get_info``.
* ``spec``: the SBI event is checked against the SBI encodings and the hardware directly
  (``HardwareEvents.spec_selector``).

What the hardware can count comes from the PMU configuration: selector 1 (cycles), selector 2
(instructions retired) and each event input that names the SBI event it implements
(``EventInput.sbi``); raw events carry the selector itself in ``event_data``.
"""

from __future__ import annotations

from rvpmu import csr, sbi
from rvpmu.config import PMUConfig

U64_MAX = (1 << 64) - 1

# include/uapi/linux/perf_event.h
PERF_TYPE_HARDWARE = 0
PERF_TYPE_HW_CACHE = 3
PERF_TYPE_RAW = 4
PERF_TYPE_MAX = 6
PERF_COUNT_HW_MAX = 10  # perf generic hardware events 0..9
PERF_COUNT_HW_CACHE_MAX = 7
PERF_COUNT_HW_CACHE_OP_MAX = 3
PERF_COUNT_HW_CACHE_RESULT_MAX = 2
FW_CONFIG_BIT = 1 << 63  # KVM's perf config of an SBI firmware event: BIT(63) | code

# hw_event_perf_map[]: SBI HW code -> perf generic event; code 0 is the array default 0 =
# PERF_COUNT_HW_CPU_CYCLES (section 1.6, CODE-OBSERVED).
HW_EVENT_PERF_MAP = {0: 0, **{code: code - 1 for code in range(1, sbi.HW_GENERAL_MAX)}}


def perf_type_config(eidx: int, edata: int) -> tuple[int, int]:
    """``kvm_pmu_get_perf_event_type`` / ``_config`` (section 1.6 mapping table)."""
    etype, code = sbi.event_type(eidx), sbi.event_code(eidx)
    if etype == sbi.EventType.HW:
        return PERF_TYPE_HARDWARE, HW_EVENT_PERF_MAP.get(code, U64_MAX)
    if etype == sbi.EventType.CACHE:
        cid, op, res = code >> 3, (code >> 1) & 0x3, code & 0x1
        ok = cid < PERF_COUNT_HW_CACHE_MAX and op < PERF_COUNT_HW_CACHE_OP_MAX \
            and res < PERF_COUNT_HW_CACHE_RESULT_MAX
        return PERF_TYPE_HW_CACHE, (cid | op << 8 | res << 16) if ok else U64_MAX
    if etype == sbi.EventType.RAW:
        return PERF_TYPE_RAW, edata & sbi.RAW_EVENT_MASK
    if etype == sbi.EventType.RAW_V2:
        return PERF_TYPE_RAW, edata & sbi.RAW_V2_EVENT_MASK
    if etype == sbi.EventType.FW:
        return PERF_TYPE_RAW, (FW_CONFIG_BIT | code) if code < sbi.FW_MAX else U64_MAX
    return PERF_TYPE_MAX, U64_MAX


class HardwareEvents:
    """The events the hardware PMU of ``config`` can count, by SBI ``event_idx``."""

    def __init__(self, config: PMUConfig):
        self.num_selectors = config.num_selectors
        self.by_sbi: dict[int, int] = {
            sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.CPU_CYCLES): csr.EVENT_CYCLES,
            sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.INSTRUCTIONS): csr.EVENT_INSTRET,
        }
        for i, ev in enumerate(config.events):
            if ev.sbi_event_idx is not None:
                self.by_sbi.setdefault(ev.sbi_event_idx, csr.event_selector(i))

    def implemented(self, selector: int) -> bool:
        """Whether ``selector`` is a counting selector of this PMU (0 counts nothing)."""
        return csr.EVENT_NONE < selector < self.num_selectors

    # -- the host perf driver (kvm profile) ----------------------------------------------------

    def perf_selector(self, ptype: int, config: int) -> int | None:
        """The selector a host perf event counts, or None if creating the event fails.

        Raw events are not checked at creation (the host only asks the firmware when it
        schedules the event), so an unimplemented raw selector is returned as is.
        """
        if ptype == PERF_TYPE_HARDWARE:
            if config >= PERF_COUNT_HW_MAX:
                return None
            return self.by_sbi.get(sbi.event_idx(sbi.EventType.HW, config + 1))
        if ptype == PERF_TYPE_HW_CACHE:
            if config == U64_MAX:
                return None
            cid, op, res = config & 0xFF, (config >> 8) & 0xFF, (config >> 16) & 0xFF
            return self.by_sbi.get(sbi.event_idx(sbi.EventType.CACHE, cid << 3 | op << 1 | res))
        if ptype == PERF_TYPE_RAW and config >> 62 == 0:
            return config
        return None

    def perf_event_info(self, ptype: int, config: int) -> bool:
        """``riscv_pmu_get_event_info(type, config) > 0`` on the host (section 2.9)."""
        if ptype in (PERF_TYPE_HARDWARE, PERF_TYPE_HW_CACHE):
            return self.perf_selector(ptype, config) is not None
        if ptype == PERF_TYPE_RAW:
            top = config >> 62
            if top == 0:
                return config >> 56 == 0
            return top in (2, 3)  # firmware / platform firmware events
        return False

    # -- the SBI specification (spec profile) -------------------------------------------------

    def spec_selector(self, eidx: int, edata: int) -> int | None:
        """The selector for a hardware event as the spec defines it, or None if not countable."""
        etype, code = sbi.event_type(eidx), sbi.event_code(eidx)
        if etype in (sbi.EventType.HW, sbi.EventType.CACHE):
            if etype == sbi.EventType.HW and not 0 < code < sbi.HW_GENERAL_MAX:
                return None
            return self.by_sbi.get(sbi.event_idx(etype, code))
        if etype in (sbi.EventType.RAW, sbi.EventType.RAW_V2):
            mask = sbi.RAW_EVENT_MASK if etype == sbi.EventType.RAW else sbi.RAW_V2_EVENT_MASK
            sel = edata & mask
            return sel if code == 0 and self.implemented(sel) else None
        return None

    def spec_supported(self, eidx: int, edata: int) -> bool:
        """Whether a spec-conforming implementation could configure a counter for the event."""
        if sbi.event_type(eidx) == sbi.EventType.FW:
            return sbi.event_code(eidx) < sbi.FW_MAX
        return self.spec_selector(eidx, edata) is not None
