"""Run control: let the PMU count for exactly N cycles, optionally stopping at an overflow.

Outside a run the PMU is halted, so a host (a testbench, or a laptop over a board's UART) sees
exact, reproducible counts however slowly it talks to the design. Semantics match the KVM
model's backend ``advance``: the first cycle always runs; the run ends after N cycles, or, with
``stop_on_lcofip``, right after a cycle at whose end LCOFIP is set.
"""


from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

COUNT_WIDTH = 32


class RunSignature(wiring.Signature):
    """What a host asks of the run control and reads back, from the host's side.

    ``start`` is a pulse that begins a run of ``cycles`` cycles (0: no run), ending early with
    ``stop_on_lcofip`` (sampled with it); ``busy`` while it lasts; ``count`` is the cycles run
    by the current or last run."""

    def __init__(self):
        super().__init__({"start": Out(1), "cycles": Out(COUNT_WIDTH), "stop_on_lcofip": Out(1),
                          "busy": In(1), "count": In(COUNT_WIDTH)})


class RunControl(wiring.Component):
    """``RunSignature``'s members (flipped), plus ``lcofip`` (LCOFIP after this cycle: the
    PMU's ``lcofip | lcofi_set``) and ``active`` (the PMU counts in this cycle: drive its
    halt with ``~active``)."""

    def __init__(self):
        super().__init__({**RunSignature().flip().members, "lcofip": In(1), "active": Out(1)})

    def elaborate(self, platform):
        m = Module()
        running = Signal()
        count = Signal(COUNT_WIDTH)
        target = Signal(COUNT_WIDTH)
        stop = self.stop_on_lcofip & self.lcofip & (count != 0)
        m.d.comb += [
            self.active.eq(running & ~stop),
            self.busy.eq(running),
            self.count.eq(count),
        ]
        with m.If(self.start):
            m.d.sync += [running.eq(self.cycles != 0), count.eq(0), target.eq(self.cycles)]
        with m.Elif(running):
            with m.If(stop):
                m.d.sync += running.eq(0)
            with m.Else():
                m.d.sync += count.eq(count + 1)
                with m.If(count + 1 == target):
                    m.d.sync += running.eq(0)
        return m
