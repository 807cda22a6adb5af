"""The host side: host perf events on the physical counters of a hardware PMU backend.

KVM never touches mhpmevent or mcountinhibit itself: it creates host perf events (pinned,
``disabled``, ``exclude_host``, ``exclude_hv``, ``exclude_user``/``exclude_kernel`` from the guest's
UINH/SINH flags) and the host ``riscv_pmu_sbi`` driver and the SBI firmware program the counters
(reference Appendix A). This module plays both of those parts against the backend, with the
perf semantics KVM relies on:

* ``count`` is the event's cumulative count since creation (``perf_event_read_value``);
* a physical counter is taken when the event is enabled (scheduled in) and given back when it is
  disabled: the lowest free programmable counter, or the fixed cycle/instret counter for those
  two events when no programmable one is free and Smcntrpmf can filter it; an enabled event that
  finds no counter (or whose raw selector the hardware lacks) counts nothing (pinned-event error
  state) until it is enabled again;
* the counter is programmed like ``riscv_pmu_event_set_period``: it is loaded with ``-left``
  (``left`` clamped to half the counter range) so that it overflows when the sample period
  elapses; a hardware overflow whose period has not elapsed yet is absorbed and re-armed;
* mhpmevent = selector | MINH | SINH | UINH (``exclude_host``/``exclude_hv``) | VSINH / VUINH (the
  guest's SINH / UINH flags), OF clear so that the overflow raises LCOFIP.

Periods are unsigned Python integers here; the kernel's s64 handling of periods >= 2^63 is not
reproduced (such periods do not expire within any model run either way). A sample period of 0
makes a non-sampling event that never reports an overflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rvpmu import csr

from .backend import PMUBackend
from .eventmap import HardwareEvents
from .stream import EventStream

U64 = (1 << 64) - 1
HOST_MODE = csr.Mode.S  # host cycles (KVM, the host PMU driver) run in HS-mode
_FIXED = {csr.EVENT_CYCLES: csr.CY, csr.EVENT_INSTRET: csr.IR}
_CFG_CSR = {csr.CY: csr.MCYCLECFG, csr.IR: csr.MINSTRETCFG}


@dataclass(eq=False)
class PerfEvent:
    """A host perf event for one guest hardware counter."""

    selector: int
    filters: int  # xINH bits of mhpmevent / mcyclecfg
    sample_period: int
    on_overflow: Callable[[PerfEvent], None] = field(repr=False)
    count: int = 0
    period_left: int = 0
    enabled: bool = False
    phys: int | None = None  # physical counter while scheduled
    prev: int = 0  # hardware counter value at the last update

    def __post_init__(self) -> None:
        self.period_left = self.sample_period


class HostPerf:
    """The host perf subsystem and SBI firmware for one physical hart PMU."""

    def __init__(self, backend: PMUBackend):
        self.hw = backend
        self.config = backend.config
        self.events = HardwareEvents(self.config)
        self.owner: dict[int, PerfEvent] = {}
        self._dirty = False
        self._idle = EventStream.idle(self.config)

    # -- hardware access -----------------------------------------------------------------------

    def _write(self, addr: int, value: int) -> None:
        self.hw.write_csr(addr, value)
        self._dirty = True

    def _counter_csr(self, p: int) -> int:
        return csr.MHPMCOUNTER_BASE + p

    def _width(self, p: int) -> int:
        return self.config.counter_width if p >= csr.HPM_FIRST else 64

    def init_hardware(self) -> None:
        """Firmware/host start-up: programmable counters inhibited and unprogrammed, only the
        time counter readable by the guest (``hcounteren = 0x2``, section 3.3), LCOFIP clear."""
        inhibit = sum(1 << p for p in self.config.hpm_indices)
        self._write(csr.MCOUNTINHIBIT, self.hw.read_csr(csr.MCOUNTINHIBIT) | inhibit)
        for p in self.config.hpm_indices:
            self._write(csr.mhpmevent(p), 0)
        self._write(csr.HCOUNTEREN, 1 << csr.TM)
        self._write(csr.MIP, self.hw.read_csr(csr.MIP) & ~(1 << csr.MIP_LCOFIP_BIT))
        self.owner.clear()
        self.settle()

    def settle(self) -> None:
        """Let this cycle's host writes take effect: one host-mode cycle (guest counters filter
        host modes out, so it never counts for the guest)."""
        if self._dirty:
            self._dirty = False
            self.hw.advance(1, self._idle, HOST_MODE)

    # -- perf event API (what KVM calls) -------------------------------------------------------

    def filters(self, exclude_user: bool, exclude_kernel: bool) -> int:
        bits = (1 << csr.MHPMEVENT_MINH) | (1 << csr.MHPMEVENT_SINH) | (1 << csr.MHPMEVENT_UINH)
        if exclude_kernel:
            bits |= 1 << csr.MHPMEVENT_VSINH
        if exclude_user:
            bits |= 1 << csr.MHPMEVENT_VUINH
        return bits & self.config.inh_mask()

    def enable(self, ev: PerfEvent) -> None:
        if not ev.enabled:
            ev.enabled = True
            self._schedule(ev)

    def disable(self, ev: PerfEvent) -> None:
        if ev.enabled:
            self._unschedule(ev)
            ev.enabled = False

    def release(self, ev: PerfEvent) -> None:
        self.disable(ev)

    def read(self, ev: PerfEvent) -> int:
        """``perf_event_read_value``: the cumulative count."""
        self._update(ev)
        return ev.count

    def set_period(self, ev: PerfEvent, period: int) -> None:
        """``perf_event_period`` (the caller applies perf's validity checks)."""
        self._update(ev)
        ev.sample_period = period
        ev.period_left = 0
        if ev.phys is not None:
            self._program_period(ev)

    def handle_irq(self) -> None:
        """The host PMU overflow interrupt handler, run when the backend raised LCOFIP."""
        self._write(csr.MIP, self.hw.read_csr(csr.MIP) & ~(1 << csr.MIP_LCOFIP_BIT))
        of = 1 << csr.MHPMEVENT_OF
        for p, ev in sorted(self.owner.items()):
            if p < csr.HPM_FIRST:
                continue
            val = self.hw.read_csr(csr.mhpmevent(p))
            if not val & of:
                continue
            self._update(ev)
            self._write(csr.mhpmevent(p), val & ~of)
            if self._program_period(ev) and ev.sample_period:
                ev.on_overflow(ev)

    # -- scheduling and programming ------------------------------------------------------------

    def _free_counter(self, selector: int) -> int | None:
        for p in self.config.hpm_indices:
            if p not in self.owner:
                return p
        fixed = _FIXED.get(selector)
        if fixed is not None and self.config.smcntrpmf and fixed not in self.owner:
            return fixed
        return None

    def _schedule(self, ev: PerfEvent) -> None:
        p = self._free_counter(ev.selector) if self.events.implemented(ev.selector) else None
        if p is None:
            return  # error state: enabled, not counting
        self.owner[p] = ev
        ev.phys = p
        if p >= csr.HPM_FIRST:
            self._write(csr.mhpmevent(p), ev.selector | ev.filters)
        else:
            self._write(_CFG_CSR[p], ev.filters)
        self._program_period(ev)
        self._write(csr.MCOUNTINHIBIT, self.hw.read_csr(csr.MCOUNTINHIBIT) & ~(1 << p))

    def _unschedule(self, ev: PerfEvent) -> None:
        p = ev.phys
        if p is None:
            return
        self._write(csr.MCOUNTINHIBIT, self.hw.read_csr(csr.MCOUNTINHIBIT) | (1 << p))
        self._update(ev)
        self._write(csr.mhpmevent(p) if p >= csr.HPM_FIRST else _CFG_CSR[p], 0)
        del self.owner[p]
        ev.phys = None

    def _update(self, ev: PerfEvent) -> None:
        """``riscv_pmu_event_update``: fold the hardware delta into count and period_left."""
        if ev.phys is None:
            return
        now = self.hw.read_csr(self._counter_csr(ev.phys))
        delta = (now - ev.prev) & ((1 << self._width(ev.phys)) - 1)
        ev.prev = now
        ev.count = (ev.count + delta) & U64
        ev.period_left -= delta

    def _program_period(self, ev: PerfEvent) -> bool:
        """``riscv_pmu_event_set_period``; True if a sample period elapsed."""
        assert ev.phys is not None
        max_period = (1 << self._width(ev.phys)) - 1
        left, period, elapsed = ev.period_left, ev.sample_period, False
        if period:
            if left <= -period:
                left, elapsed = period, True
                ev.period_left = left
            if left <= 0:
                left, elapsed = left + period, True
                ev.period_left = left
        else:
            left = max_period >> 1
        left = min(left, max_period >> 1)
        ev.prev = (-left) & max_period
        self._write(self._counter_csr(ev.phys), ev.prev)
        return elapsed
