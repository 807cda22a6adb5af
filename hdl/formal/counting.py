"""The counting properties ``count``, ``write``, ``halt``, ``sel0`` and ``inhibit`` (rules 10,
20-27): docs/formal.md's first five rows, docs/timing.md "Cycle semantics" steps 3 and 4.

For each counter, ``increment`` decodes the expected increment of the cycle from the event
selector, ``mcountinhibit``, the xINH bits for the cycle's mode, ``halt`` and the inputs (not
from the PMU's ``inc``/``inc_en`` wiring). ``check`` then asserts the counter one edge later:
it added the previous cycle's increment, or it kept its value (halted, selector 0, inhibited or
filtered), or an explicit write replaced it. The RV32 halves of a counter write are the ``half``
group's (``half.counter``). The carries out of the width go to ``overflow``.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import C, Mux, Signal, Value

from rvpmu import csr
from rvpmu.csrmap import Kind

from . import half
from .spec import Mode, Spec

NAMES = {csr.CY: "mcycle", csr.IR: "minstret"}


@dataclass(frozen=True)
class Increment:
    """What counter ``i`` should add for this cycle, before halt and write."""

    inc: Value  # the selected event's count
    sel: Value | None  # the event selector (programmable counters only)
    sel_zero: Value  # the selector is 0 (rule 10)
    inhibited: Value  # its mcountinhibit bit (rule 20)
    filtered: Value  # its xINH bit matches the cycle's mode (rules 26, 27)


def increment(spec: Spec, i: int) -> Increment:
    """The expected increment of counter ``i`` (rules 10, 20, 24, 26, 27)."""
    cfg, st, pmu = spec.cfg, spec.st, spec.pmu
    inhibited = st.mcountinhibit[i]
    if i in (csr.CY, csr.IR):
        filtered = spec.inh_of(st.cfg[i]) if cfg.smcntrpmf else C(0, 1)
        inc = C(1, 1) if i == csr.CY else pmu.retired
        return Increment(inc, None, C(0, 1), inhibited, filtered)
    ev = st.mhpmevent[i]
    filtered = spec.inh_of(ev) if cfg.sscofpmf else C(0, 1)
    sel = ev[0:csr.EVENT_SEL_WIDTH]
    inc = C(0, 1)
    for k in reversed(range(len(cfg.events))):
        inc = Mux(sel == csr.event_selector(k), spec.events[k], inc)
    inc = Mux(sel == csr.EVENT_INSTRET, pmu.retired, Mux(sel == csr.EVENT_CYCLES, 1, inc))
    return Increment(inc, sel, sel == csr.EVENT_NONE, inhibited, filtered)


def check(spec: Spec) -> None:
    """``count``, ``write``, ``halt``, ``sel0``, ``inhibit`` for every counter; fills
    ``spec.carries`` and ``spec.would_carry``."""
    cfg, st, pmu, events = spec.cfg, spec.st, spec.pmu, spec.events
    hpm = spec.hpm
    running = ~pmu.halt
    p_halt = spec.past2(pmu.halt, "halt")
    for i, value in st.counters.items():
        name = NAMES.get(i, f"mhpmcounter{i}")
        w = len(value)
        written, wval = spec.after_writes(spec.writes_of(Kind.COUNTER, index=i), value, name)
        e = increment(spec, i)
        inc = spec.sig(e.inc, f"f_{name}_inc")
        enabled = spec.sig(running & ~e.inhibited & ~e.filtered, f"f_{name}_en")
        # An increment is added at the end of the next cycle (docs/timing.md).
        applied = spec.past(Mux(enabled, inc, 0), f"{name}_applied")  # last cycle's increment
        total = Signal(max(w, len(inc)) + 1, name=f"f_{name}_total")
        spec.m.d.comb += total.eq(value + applied)
        spec.would_carry[i] = spec.sig(total[w:].any(), f"f_{name}_would_carry")
        carry = spec.sig(~written & spec.would_carry[i], f"f_{name}_carry")
        spec.carries[i] = carry
        counts = applied != 0

        p_written = spec.past(written, f"{name}_written")
        p_wval = spec.past(wval[:w], f"{name}_wval")
        p_value, p_total = spec.past(value, name), spec.past(total[:w], f"{name}_total")
        p_sel0 = spec.past2(e.sel_zero, f"{name}_sel0")  # of the cycle whose increment applies
        p_inh = spec.past2(e.inhibited | e.filtered, f"{name}_inh")
        spec.check("count", value == p_total, when=~p_written, at=i)
        spec.check("halt", value == p_value, when=~p_written & p_halt, at=i)
        spec.check("sel0", value == p_value, when=~p_written & p_sel0, at=i)
        spec.check("inhibit", value == p_value, when=~p_written & p_inh, at=i)
        spec.check("write", value == p_wval, when=p_written, at=i)
        half.counter(spec, i, name, value, p_value)

        if i not in spec.show:
            continue
        spec.cover("count", ~written & counts & ~spec.mode_is(pmu.mode, Mode.M))
        spec.cover("write", written & counts)
        spec.cover("halt", ~running & ~written & ~e.inhibited & ~e.filtered & (inc != 0)
                   & ~e.sel_zero)
        if i not in (csr.CY, csr.IR):
            spec.cover("sel0", e.sel_zero & running & ~e.inhibited & ~e.filtered & ~written
                       & (pmu.retired != 0))
        spec.cover("inhibit", e.inhibited & running & ~written & (inc != 0) & ~e.sel_zero)
        if (i in (csr.CY, csr.IR) and cfg.smcntrpmf) or (i in hpm and cfg.sscofpmf):
            spec.cover("inhibit", e.filtered & ~e.inhibited & running & ~written & (inc != 0)
                       & ~e.sel_zero & ~spec.mode_is(pmu.mode, Mode.M))
        half.counter_covers(spec, i, value, counts)
        if i in hpm and len(inc) > 1:
            spec.cover("count", ~written & enabled & (inc > 1))
        if hpm and i == hpm[0] and events:
            spec.cover("count", ~written & enabled & (e.sel == csr.event_selector(0))
                       & (events[0] != 0))
