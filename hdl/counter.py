"""The pipelined PMU's counter: an explicit write wins over the increment of the same cycle
(rule 21). (The plain reference design's counter lives in bench/reference/counter.py.)"""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rvpmu.csr import CSROp


def write_bits(op: Value, old: Value, wdata: Value) -> Value:
    """``old`` after a CSR instruction with ``op`` (0: no write) and ``wdata``."""
    return Mux(op == CSROp.WRITE, wdata, Mux(op == CSROp.SET, old | wdata,
                                             Mux(op == CSROp.CLEAR, old & ~wdata, old)))


class PipelinedCounter(wiring.Component):
    """A counter for the pipelined PMU: registered increment in, read-modify-write in place.

    ``inc`` is already gated (0 when the counter does not count). ``wop_lo``/``wop_hi`` carry
    the ``CSROp`` of a write of bits 31:0 / 63:32 (0: none; WRITE, SET, CLEAR), decoded for this
    counter alone; the write applies to the counter's own value with ``wdata`` (the PMU's one
    broadcast net per bit) and drops the increment (rules 21-22). No read mux sits in a write
    path, and a bit's next value is one 4-input function (``write_bit``).

    Counters wider than 32 bits are split in two with a registered carry (reference section (d),
    "split counter, registered carry"), which halves the carry chain. The split is invisible: the
    architectural value is ``{hi + pc, lo}`` (``pc``: the carry pending from the last cycle),
    ``overflow`` is exact in the cycle of the wrap, and a read adds ``pc`` after the read mux
    (``raw``/``pc`` are what the read path muxes).
    """

    SPLIT = 32

    def __init__(self, width: int, inc_width: int):
        self.width = width
        self.inc_width = inc_width
        self.split = width > self.SPLIT
        super().__init__({
            "inc": In(inc_width),
            "wop_lo": In(2),
            "wop_hi": In(2),
            "wdata": In(64),
            "raw": Out(width),
            "pc": Out(1),
            "value": Out(width),
            "overflow": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        w = self.width
        written = (self.wop_lo | self.wop_hi).any()
        inc = Mux(written, 0, self.inc)

        def write(old, lo_bit: int, half: int):
            """``old`` (bits lo_bit.. of the counter) after a write of ``half``."""
            n = old.shape().width
            return write_bits(self.wop_hi if half else self.wop_lo, old,
                              self.wdata[lo_bit:lo_bit + n])

        if not self.split:
            count = Signal(w)
            total = Signal(max(w, self.inc_width) + 1)  # an increment may exceed the width
            m.d.comb += [total.eq(count + inc), self.overflow.eq(total[w:].any()),
                         self.raw.eq(count), self.value.eq(count)]
            m.d.sync += count.eq(write(total[:w], 0, 0))
            return m

        lo = Signal(self.SPLIT)
        hi = Signal(w - self.SPLIT)
        pc = Signal()
        lo_total = Signal(self.SPLIT + 1)
        hi_now = Signal(w - self.SPLIT)  # the architectural high half this cycle
        m.d.comb += [
            lo_total.eq(lo + inc),
            hi_now.eq(hi + pc),
            self.raw.eq(Cat(lo, hi)),
            self.pc.eq(pc),
            self.value.eq(Cat(lo, hi_now)),
            # lo cannot carry out while pc is set (it has just wrapped to below the largest
            # increment), so the architectural high half is hi itself here.
            self.overflow.eq(lo_total[self.SPLIT] & ~pc & hi.all()),
        ]
        m.d.sync += [
            lo.eq(write(lo_total[:self.SPLIT], 0, 0)),
            hi.eq(write(hi_now, self.SPLIT, 1)),
            pc.eq(lo_total[self.SPLIT] & ~written),
        ]
        return m
