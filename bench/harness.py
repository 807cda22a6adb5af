"""The FPGA benchmark's I/O harness: three pins around any PMU-shaped component.

A PMU has some 100 input bits and 170 output bits; a top level that exposed them as pins would
not fit the package, and one that tied them to constants would let synthesis delete most of
the design. The harness instead feeds every input bit from a shift register loaded through
one pin (``sin``; it shifts every other cycle, see ``elaborate``), registers every output bit,
and XOR-folds the outputs into one pin (``sout``) through a tree of registered 4-input XORs,
so each harness path is at most one LUT deep and never the critical one. The ports are found by walking the component's signature, so the same
harness wraps the project PMU, the plain reference and any configuration.

There is no reset pin: the registers start from their initial values (FPGA power-up state).
A reset pin would add one net with thousands of loads, identical for both designs, that could
become the critical path of a fast design and hide the difference being measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Cat, ClockDomain, Elaboratable, Module, Signal, Value
from amaranth.lib import wiring

FOLD = 4  # bits per XOR group: one LUT4 per group on ECP5


def port_leaves(component: wiring.Component) -> tuple[list[tuple[str, Value]],
                                                       list[tuple[str, Value]]]:
    """(inputs, outputs) of ``component``: every leaf port as (dotted name, value)."""
    inputs, outputs = [], []
    for path, member, value in component.signature.flatten(component):
        name = ".".join(str(p) for p in path)
        (inputs if member.flow == wiring.In else outputs).append((name, Value.cast(value)))
    return inputs, outputs


def fold_levels(width: int, fold: int = FOLD) -> list[int]:
    """Register counts of the XOR tree's levels, from ``width`` bits down to one."""
    levels = []
    while width > 1:
        width = -(-width // fold)
        levels.append(width)
    return levels


@dataclass(frozen=True)
class HarnessCost:
    """What the harness itself adds to the synthesised design (an upper bound: synthesis
    removes the output registers of PMU output bits that are constant, e.g. WARL zeros)."""

    in_bits: int
    out_bits: int
    ff: int  # input shift register and its toggle + output registers + XOR tree registers
    lut4: int  # one LUT4 per XOR group of two or more bits, one for the toggle

    @classmethod
    def of(cls, in_bits: int, out_bits: int) -> HarnessCost:
        levels = fold_levels(out_bits)
        luts, width = 1, out_bits
        for n in levels:
            luts += n - (1 if width % FOLD == 1 else 0)  # a lone bit needs no LUT
            width = n
        return cls(in_bits, out_bits, in_bits + 1 + out_bits + sum(levels), luts)


class Harness(Elaboratable):
    """``clk``, ``sin`` and ``sout`` around ``dut`` (a component clocked by ``sync``)."""

    def __init__(self, dut: wiring.Component):
        self.dut = dut
        self.clk = Signal()
        self.sin = Signal()
        self.sout = Signal()
        self.inputs, self.outputs = port_leaves(dut)
        self.in_width = sum(len(v) for _, v in self.inputs)
        self.out_width = sum(len(v) for _, v in self.outputs)
        self.cost = HarnessCost.of(self.in_width, self.out_width)

    @property
    def ports(self) -> list[Signal]:
        return [self.clk, self.sin, self.sout]

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = cd = ClockDomain("sync", reset_less=True)
        m.d.comb += cd.clk.eq(self.clk)
        m.submodules.dut = self.dut

        # The chain shifts every other cycle. Without the enable, a PMU register that takes an
        # input bit as it is (a pipelined request register) would have the same D input as the
        # next stage of the chain, and synthesis would merge the two, crediting the PMU with
        # registers it does need. An enabled flip-flop never merges with a plain one.
        self.shift = shift = Signal(max(1, self.in_width), name="bench_shift")
        toggle = Signal(name="bench_toggle")
        m.d.sync += toggle.eq(~toggle)
        with m.If(toggle):
            m.d.sync += shift.eq(Cat(self.sin, shift[:-1]))
        pos = 0
        for _, value in self.inputs:
            m.d.comb += value.eq(shift[pos:pos + len(value)])
            pos += len(value)

        if not self.outputs:
            m.d.comb += self.sout.eq(shift[-1])
            return m
        level = Signal(self.out_width, name="bench_out")
        m.d.sync += level.eq(Cat(*(v for _, v in self.outputs)))
        for depth, n in enumerate(fold_levels(self.out_width)):
            nxt = Signal(n, name=f"bench_fold{depth}")
            m.d.sync += [nxt[k].eq(level[FOLD * k:FOLD * (k + 1)].xor()) for k in range(n)]
            level = nxt
        m.d.comb += self.sout.eq(level[0])  # the last level is a register
        return m
