"""ECP5 counters with the CSR write folded into the carry cells (``PMU(target="ecp5")``).

An ECP5 CCU2C computes ``S = F ^ CIN`` with ``F`` any 4-input function, and propagates the
carry when ``F`` is 1. A counter bit that must either count (``F = q``) or take a CSR write
(``F`` = ``q`` written with the op and data bit, the carry held at 0) therefore fits in one
half-CCU2C: the write costs no LUT at all, where generic logic needs one LUT per counter bit behind the adder
(reference section (d): the counters' LUTs are most of a 29 x 64-bit PMU). The carry chain is
flat: with nothing between the chain and the flip-flops a 64-bit counter keeps up with the
rest of the pipelined PMU.

The generic counter (hdl/counter.py) is what simulation and the formal proofs check; the tests
run this one through the same cocotb lock-step on Icarus with Yosys' ECP5 cell models.
"""

from __future__ import annotations

from amaranth.hdl import C, Cat, Instance, Module, Signal

from .counter import PipelinedCounter


def _init(func) -> int:
    """The 16-bit LUT4 INIT of ``func(a, b, c, d)``."""
    return sum(func(i & 1, i >> 1 & 1, i >> 2 & 1, i >> 3 & 1) << i for i in range(16))


def _write_or_count(a, b, c, d):
    """A, B = the write's CSROp (0: count), C = q, D = the write data bit."""
    op = a | b << 1
    return (c, d, c | d, c & ~d & 1)[op]


# INIT[3:0] (C = D = 0) is 0, so the cell never generates a carry of its own: it propagates CIN
# when F is 1, which while counting (op 0, CIN the increment) is F = q.
WRITE_OR_COUNT = _init(_write_or_count)
ZERO = 0  # F = 0: the half after the last bit passes the carry out of the counter as S


class ECP5Counter(PipelinedCounter):
    """A flat counter on an ECP5 carry chain, for a 1-bit increment (``inc`` is a carry in)."""

    def __init__(self, width: int, inc_width: int):
        if inc_width != 1:
            raise ValueError("ECP5Counter counts 0 or 1 per cycle (inc_width 1)")
        super().__init__(width, inc_width)
        self.split = False

    def elaborate(self, platform):
        m = Module()
        w = self.width
        count = Signal(w)
        written = (self.wop_lo | self.wop_hi).any()
        cells = (w + 2) // 2  # one more half than bits: it brings the carry out to the fabric
        s = Signal(2 * cells)
        carry = C(0, 1)
        cin = Signal()
        m.d.comb += cin.eq(self.inc[0] & ~written)  # a write drops the increment (rule 21)
        for n in range(cells):
            ports = {"i_CIN": cin if n == 0 else carry}
            for h in range(2):
                k = 2 * n + h
                if k < w:
                    op = self.wop_hi if k >= 32 else self.wop_lo
                    ports.update({f"i_A{h}": op[0], f"i_B{h}": op[1],
                                  f"i_C{h}": count[k], f"i_D{h}": self.wdata[k]})
                else:
                    ports.update({f"i_{p}{h}": C(0, 1) for p in "ABCD"})
                ports[f"o_S{h}"] = s[k]
            cout = Signal(name=f"carry{n}")
            ports["o_COUT"] = cout
            init = [WRITE_OR_COUNT if 2 * n + h < w else ZERO for h in range(2)]
            m.submodules[f"ccu{n}"] = Instance(
                "CCU2C", p_INIT0=C(init[0], 16), p_INIT1=C(init[1], 16),
                p_INJECT1_0="NO", p_INJECT1_1="NO", **ports)
            carry = cout
        m.d.sync += count.eq(s[:w])
        m.d.comb += [self.raw.eq(count), self.value.eq(count), self.overflow.eq(s[w]),
                     self.pc.eq(0)]
        return m
