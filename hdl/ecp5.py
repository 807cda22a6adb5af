"""ECP5 counters with the CSR write folded into the carry cells (``PMU(target="ecp5")``).

An ECP5 CCU2C computes ``S = F ^ CIN`` with ``F`` any 4-input function, and propagates the
carry when ``F`` is 1. A counter bit that must either count (``F = q``) or take a CSR write
(``F`` = ``q`` written with the op and data bit, the carry held at 0) therefore fits in one
half-CCU2C: the write costs no LUT at all, where generic logic needs one LUT per counter bit
behind the adder (reference section (d): the counters' LUTs are most of a 29 x 64-bit PMU).

A flat 64-bit chain limits a counter to about 175 MHz on ECP5-6 (reference section (d)), so a
counter wider than ``FLAT`` bits is two chains. Unlike the generic split counter (a registered
carry, which a read must add back) the high chain takes its carry-in from a *look-ahead*
register, ``ones`` = "the low chain is all ones", loaded from the low chain's sum at every
edge: the high half then moves at the same edge as the low half wraps, so the counter's value
is exact in every cycle, a write (any op) applies to it as it is, and the overflow is the
high chain's carry-out. This needs an increment of at most 1 (a carry-in), which is why
``inc_width`` must be 1.

The generic counter (hdl/counter.py) is what simulation and the formal proofs check; the tests
run this one through the same cocotb lock-step on Icarus with Yosys' ECP5 cell models.
"""

from __future__ import annotations

from amaranth.hdl import C, Cat, Instance, Module, Signal, Value

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
# The gate half leading each chain: F = C when the op (A, B) is 0, else 0, so a write drops the
# increment (rule 21) and the high chain takes it only while ``ones`` (on C) is set.
# INIT[3:0] (C = D = 0) is 0: it never generates a carry either.
GATE = _init(lambda a, b, c, d: c & (1 - (a | b)))
FLAT = 20  # widest single chain: about 250 MHz on ECP5-6 with its write port


def split_point(width: int) -> int:
    """Bits in the low chain: all of them up to ``FLAT``, else about half (an even number, so
    the chains start on a cell boundary)."""
    return width if width <= FLAT else ((width + 1) // 2 + 1) & ~1


class ECP5Counter(PipelinedCounter):
    """A counter on ECP5 carry chains, for a 1-bit increment (``inc`` is a carry in)."""

    def __init__(self, width: int, inc_width: int, *, shared_op: bool = False):
        """``shared_op``: ``wop_lo`` and ``wop_hi`` carry the same op (RV64: one address writes
        the whole counter), so the gates need not look at both."""
        if inc_width != 1:
            raise ValueError("ECP5Counter counts 0 or 1 per cycle (inc_width 1)")
        super().__init__(width, inc_width)
        self.shared_op = shared_op
        self.split = False  # the value is exact: nothing pending for the read path to add

    def _chain(self, m: Module, name: str, q: Value, lo_bit: int, gate: int,
               gate_c: Value) -> Signal:
        """A chain over counter bits ``lo_bit ..`` (``q``), carry-in the increment, led by a
        gate half (``gate``, with ``gate_c`` on its C input) that passes the increment only
        when the counter counts: no LUT sits between a register and the chain. Returns the
        sums of the counter bits and, one bit above them, the carry out."""
        n = len(q)
        halves = n + 2  # the gate, the bits, the carry out to the fabric
        cells = (halves + 1) // 2
        s = Signal(2 * cells, name=f"{name}_sum")
        carry = self.inc[0]
        for c in range(cells):
            ports = {"i_CIN": carry}
            init = []
            for h in range(2):
                k = 2 * c + h - 1  # the counter bit of this half; -1: the gate
                op = self.wop_hi if lo_bit + max(k, 0) >= 32 else self.wop_lo
                if k == -1:  # rule 22: a write of either half drops the increment
                    if not self.shared_op:
                        gate_c = gate_c & ~self.wop_hi.any()
                    ports.update({"i_A0": self.wop_lo[0], "i_B0": self.wop_lo[1],
                                  "i_C0": gate_c, "i_D0": C(0, 1)})
                    init.append(gate)
                elif k < n:
                    ports.update({f"i_A{h}": op[0], f"i_B{h}": op[1],
                                  f"i_C{h}": q[k], f"i_D{h}": self.wdata[lo_bit + k]})
                    init.append(WRITE_OR_COUNT)
                else:
                    ports.update({f"i_{p}{h}": C(0, 1) for p in "ABCD"})
                    init.append(ZERO)
                ports[f"o_S{h}"] = s[2 * c + h]
            cout = Signal(name=f"{name}_carry{c}")
            ports["o_COUT"] = cout
            m.submodules[f"{name}_ccu{c}"] = Instance(
                "CCU2C", p_INIT0=C(init[0], 16), p_INIT1=C(init[1], 16),
                p_INJECT1_0="NO", p_INJECT1_1="NO", **ports)
            carry = cout
        return s[1:n + 2]

    def elaborate(self, platform):
        m = Module()
        w = self.width
        lo_n = split_point(w)
        count = Signal(w)
        lo = self._chain(m, "lo", count[:lo_n], 0, GATE, C(1, 1))
        if lo_n == w:
            m.d.sync += count.eq(lo[:w])
            carry_out = lo[w]
        else:
            ones = Signal()  # the low chain is all ones in this cycle (the look-ahead carry)
            hi = self._chain(m, "hi", count[lo_n:], lo_n, GATE, ones)
            m.d.sync += [count.eq(Cat(lo[:lo_n], hi[:w - lo_n])), ones.eq(lo[:lo_n].all())]
            carry_out = hi[w - lo_n]
        m.d.comb += [self.raw.eq(count), self.value.eq(count), self.overflow.eq(carry_out),
                     self.pc.eq(0)]
        return m
