"""Per-vCPU vPMU state as KVM keeps it (reference sections 1.2-1.5), and the helpers the SBI
calls share: mask validation, counter reads, sample periods, the overflow callback, firmware
event increments and vCPU reset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rvpmu import csr, sbi

from .eventmap import perf_type_config
from .host import HostPerf, PerfEvent
from .memory import GuestMemory, Snapshot
from .profiles import Profile

RISCV_KVM_MAX_FW_CTRS = 32
RISCV_KVM_MAX_HW_CTRS = 32
RISCV_KVM_MAX_COUNTERS = 64
KVM_SBI_VERSION = (3, 0)  # dbdadd943a27 (section 1.1)
INVALID_GPA = -1
U64 = (1 << 64) - 1
E = sbi.SbiError

# Section 5.1: which KVM firmware counter each SBI firmware event ends up in. KVM counts an SBI
# remote SFENCE.VMA[_ASID] request under the HFENCE_VVMA[_ASID] codes and never counts 10-17 (or
# the HFENCE_VVMA codes for their own meaning: SBI HFENCE calls are no-ops in KVM).
_F = sbi.FwEvent
KVM_FW_ROUTE: dict[int, int | None] = {
    **{c: c for c in range(_F.SFENCE_VMA_SENT)},
    _F.SFENCE_VMA_SENT: _F.HFENCE_VVMA_SENT,
    _F.SFENCE_VMA_RECEIVED: _F.HFENCE_VVMA_RECEIVED,
    _F.SFENCE_VMA_ASID_SENT: _F.HFENCE_VVMA_ASID_SENT,
    _F.SFENCE_VMA_ASID_RECEIVED: _F.HFENCE_VVMA_ASID_RECEIVED,
    **{c: None for c in range(_F.HFENCE_GVMA_SENT, sbi.FW_MAX)},
}


@dataclass(eq=False)
class Pmc:
    """``struct kvm_pmc`` (section 1.4), plus ``synced``: the perf count already folded into
    ``counter_val`` (the intended semantics of section 1.4)."""

    idx: int
    cinfo: int = 0
    event_idx: int = sbi.EVENT_IDX_INVALID
    counter_val: int = 0
    started: bool = False
    perf: PerfEvent | None = None
    synced: int = 0

    @property
    def is_fw(self) -> bool:
        return sbi.counter_info_fields(self.cinfo)[2]

    @property
    def width(self) -> int:
        return sbi.counter_info_fields(self.cinfo)[1]


@dataclass
class FwState:
    """``struct kvm_fw_event``."""

    value: int = 0
    started: bool = False


class VcpuState:
    """``struct kvm_pmu`` of one vCPU, on a host perf layer and guest memory."""

    def __init__(self, host: HostPerf, mem: GuestMemory, profile: Profile,
                 accumulate_on_read: bool = False):
        self.host, self.mem, self.profile = host, mem, profile
        self.accumulate_on_read = accumulate_on_read
        self.lcofi_pending = False
        self._init()

    def quirk(self, key: str) -> bool:
        return self.profile.quirk(key)

    # -- section 1.2: kvm_riscv_vcpu_pmu_init -------------------------------------------------

    def _init(self) -> None:
        cfg = self.host.config
        self.init_done = False
        self.num_hw_ctrs = self.num_fw_ctrs = self.hpm_width = 0
        self.pmc = [Pmc(i, event_idx=0) for i in range(RISCV_KVM_MAX_COUNTERS)]
        self.fw_event = [FwState() for _ in range(RISCV_KVM_MAX_FW_CTRS)]
        self.fw_ctr: dict[int, FwState] = {}  # spec profile: per-counter firmware state
        self.in_use = self.overflown = 0
        self.snapshot_addr, self.sdata = INVALID_GPA, None
        # Step 1: host Sscofpmf. Step 2: riscv_pmu_get_hpm_info (width of the first counter
        # that is neither cycle nor instret; host counters = cycle + instret + hpm).
        if not cfg.sscofpmf:
            return
        host_count = 2 + cfg.num_counters
        hpm_width = cfg.counter_width - 1 if cfg.num_counters else 0
        if not hpm_width or not host_count:
            return
        self.hpm_width = hpm_width
        self.num_hw_ctrs = min(host_count + 1, RISCV_KVM_MAX_HW_CTRS)  # steps 3-4
        self.num_fw_ctrs = sbi.FW_MAX
        for i in range(self.num_counters):  # step 5
            if i == 1:
                continue
            p = self.pmc[i]
            p.event_idx = sbi.EVENT_IDX_INVALID
            if i < self.num_hw_ctrs:
                p.cinfo = sbi.counter_info(csr.HPMCOUNTER_BASE + i, 63 if i < 3 else hpm_width,
                                           False)
            else:
                p.cinfo = sbi.counter_info(0, 63, True)
        self.init_done = True

    @property
    def num_counters(self) -> int:
        return self.num_hw_ctrs + self.num_fw_ctrs

    # -- masks ---------------------------------------------------------------------------------

    def mask_valid(self, cbase: int, cmask: int) -> bool:
        """``kvm_pmu_validate_counter_mask`` (section 2.3, with the 2026 ``cbase`` fix)."""
        n = self.num_counters
        return cmask != 0 and cbase < n and cbase + cmask.bit_length() - 1 < n

    @staticmethod
    def set_bits(cmask: int) -> Iterator[int]:
        i = 0
        while cmask:
            if cmask & 1:
                yield i
            cmask >>= 1
            i += 1

    def in_use_at(self, idx: int) -> bool:
        return bool(self.in_use >> idx & 1)

    # -- values --------------------------------------------------------------------------------

    def value_mask(self, pmc: Pmc) -> int:
        """Section 7.4 item 7: KVM never masks a value to the counter width."""
        if pmc.is_fw or self.quirk("values_not_width_masked"):
            return U64
        return (1 << (pmc.width + 1)) - 1

    def set_value(self, pmc: Pmc, value: int) -> None:
        pmc.counter_val = value & self.value_mask(pmc)

    def fold(self, pmc: Pmc) -> None:
        """``counter_val += perf_event_read_value()``; by default only the events not folded yet
        (section 1.4 intended semantics), the whole cumulative count with accumulate_on_read."""
        assert pmc.perf is not None
        count = self.host.read(pmc.perf)
        delta = count if self.accumulate_on_read else (count - pmc.synced) & U64
        pmc.synced = count
        self.set_value(pmc, pmc.counter_val + delta)

    def resync(self, pmc: Pmc) -> None:
        """A new value was set: events counted so far do not belong to it."""
        if pmc.perf is not None:
            pmc.synced = self.host.read(pmc.perf)

    def fw_state(self, pmc: Pmc) -> FwState:
        """Section 5.2: KVM keeps firmware state per event code, shared by all counters."""
        if self.quirk("shared_fw_event_state"):
            return self.fw_event[sbi.event_code(pmc.event_idx)]
        return self.fw_ctr.setdefault(pmc.idx, FwState())

    def ctr_read(self, cidx: int) -> tuple[int, int]:
        """``pmu_ctr_read`` (section 2.6), shared by fw_read and the CSR trap path."""
        if cidx >= self.num_counters or cidx == 1:
            return E.INVALID_PARAM, 0
        pmc = self.pmc[cidx]
        if pmc.is_fw:
            if pmc.event_idx == sbi.EVENT_IDX_INVALID:
                return E.INVALID_PARAM, 0
            if sbi.event_code(pmc.event_idx) >= sbi.FW_MAX:
                return E.INVALID_PARAM, 0
            pmc.counter_val = self.fw_state(pmc).value
        elif pmc.perf is not None:
            self.fold(pmc)
        else:
            return E.INVALID_PARAM, 0
        return E.SUCCESS, pmc.counter_val

    # -- perf events and overflow (sections 4.1, 4.2) ------------------------------------------

    def sample_period(self, pmc: Pmc) -> int:
        bits = pmc.width + 1
        if self.quirk("sample_period_off_by_one"):
            mask = (1 << bits) - 1
            return mask if pmc.counter_val == 0 else (-pmc.counter_val) & mask
        return (1 << bits) - (pmc.counter_val % (1 << bits))

    def apply_period(self, pmc: Pmc) -> None:
        """``perf_event_period(sample_period(pmc))`` at start; perf refuses 0 and >= 2^63."""
        assert pmc.perf is not None
        period = self.sample_period(pmc)
        if self.quirk("perf_rejects_large_periods") and (period == 0 or period >> 63):
            return
        self.host.set_period(pmc.perf, period)

    def hw_selector(self, eidx: int, edata: int) -> int | None:
        """The hardware selector of a new perf event, or None if creating it fails."""
        etype, code = sbi.event_type(eidx), sbi.event_code(eidx)
        sel = self.host.events.perf_selector(*perf_type_config(eidx, edata))
        if etype == sbi.EventType.HW and code == 0 and not self.quirk("no_event_counts_cycles"):
            return None
        if etype in (sbi.EventType.RAW, sbi.EventType.RAW_V2) \
                and not self.quirk("raw_events_unchecked"):
            return self.host.events.spec_selector(eidx, edata)
        return sel

    def create_perf_event(self, pmc: Pmc, eidx: int, edata: int, flags: int) -> bool:
        """``kvm_pmu_create_perf_event``: created disabled, with the current sample period."""
        sel = self.hw_selector(eidx, edata)
        if sel is None:
            return False
        filters = self.host.filters(bool(flags & sbi.CfgFlag.SET_UINH),
                                    bool(flags & sbi.CfgFlag.SET_SINH))
        pmc.perf = PerfEvent(sel, filters, self.sample_period(pmc),
                             on_overflow=lambda ev, p=pmc: self.overflow(p, ev))
        pmc.synced = 0
        return True

    def release_perf(self, pmc: Pmc) -> None:
        if pmc.perf is not None:
            self.host.release(pmc.perf)
            pmc.perf = None

    def overflow(self, pmc: Pmc, ev: PerfEvent) -> None:
        """``kvm_riscv_pmu_overflow``: keep counting for a full period, flag, inject LCOFI."""
        if pmc.perf is not ev:
            return
        self.host.set_period(ev, (-ev.count) & U64)
        self.overflown |= 1 << pmc.idx
        self.lcofi_pending = True

    # -- firmware events (section 5) -----------------------------------------------------------

    def incr_fw(self, event: int, count: int) -> None:
        code = KVM_FW_ROUTE[event] if self.quirk("fw_event_routing") else event
        if code is None or not self.init_done:
            return
        if self.quirk("shared_fw_event_state"):
            states = [self.fw_event[code]]
        else:
            states = [self.fw_state(self.pmc[i]) for i in self.set_bits(self.in_use)
                      if self.pmc[i].is_fw and sbi.event_code(self.pmc[i].event_idx) == code]
        for st in states:
            if st.started:
                st.value = (st.value + count) & U64

    # -- snapshot, reset (sections 2.8, 1.5) ---------------------------------------------------

    def clear_snapshot(self) -> None:
        self.sdata, self.snapshot_addr = None, INVALID_GPA

    def load_snapshot(self) -> Snapshot | None:
        raw = self.mem.kvm_read(self.snapshot_addr, sbi.SNAPSHOT_SIZE)
        return None if raw is None else Snapshot(raw)

    def reset(self) -> None:
        """``kvm_riscv_vcpu_pmu_reset`` (= deinit); the vCPU reset also drops pending IRQs."""
        for i in self.set_bits(self.in_use):
            pmc = self.pmc[i]
            pmc.counter_val = 0
            self.release_perf(pmc)
            pmc.event_idx = sbi.EVENT_IDX_INVALID
        self.in_use = self.overflown = 0
        for st in self.fw_event[:sbi.FW_MAX]:
            st.value, st.started = 0, False
        self.fw_ctr.clear()
        self.clear_snapshot()
        if not self.quirk("started_survives_reconfig"):
            for pmc in self.pmc:
                pmc.started = False
        self.lcofi_pending = False
