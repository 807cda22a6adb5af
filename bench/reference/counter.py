"""The plain reference design's counter (bench/reference/plain_pmu.py): an explicit write wins
over the increment of the same cycle (rule 21). Bench-only: the PMU uses
``rvpmu.hdl.counter.PipelinedCounter``."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out


class Counter(wiring.Component):
    """A ``width``-bit counter with half-word writes.

    ``wmask`` bit 0 writes bits 31:0 from ``wdata[31:0]``, bit 1 writes bits 63:32 from
    ``wdata[63:32]``; a write of either half drops the increment of that cycle and leaves the
    other half unchanged (docs/decisions.md, item 2). ``overflow`` is the carry out of the
    implemented width produced by this cycle's increment (never by a write, rule 30).
    """

    def __init__(self, width: int, inc_width: int):
        self.width = width
        self.inc_width = inc_width
        super().__init__({
            "inc": In(inc_width),
            "inc_en": In(1),
            "wmask": In(2),
            "wdata": In(64),
            "value": Out(width),
            "overflow": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        w = self.width
        count = Signal(w)
        total = Signal(max(w, self.inc_width) + 1)  # an increment may exceed a narrow counter
        m.d.comb += [
            self.value.eq(count),
            total.eq(count + self.inc),
        ]
        with m.If(self.wmask.any()):
            lo = Mux(self.wmask[0], self.wdata[:32], count[:32]) if w > 32 else \
                Mux(self.wmask[0], self.wdata[:w], count)
            if w > 32:
                hi = Mux(self.wmask[1], self.wdata[32:w], count[32:])
                m.d.sync += count.eq(Cat(lo, hi))
            else:
                m.d.sync += count.eq(lo)
        with m.Elif(self.inc_en):
            m.d.sync += count.eq(total[:w])
            m.d.comb += self.overflow.eq(total[w:].any())
        return m
