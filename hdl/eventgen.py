"""A deterministic event source in gateware: one Weyl sequence per event line.

The model twin is ``rvpmu.model.eventgen`` (read its docstring for the arithmetic). Used by the
simulation top, so long regressions need no Python on every clock, and by the board tops as the
board's event source. Programmed through a small register port; ``run`` advances every line.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rvpmu.config import PMUConfig

from rvpmu.model.eventgen import line_levels, register_address, register_count

from .layouts import EventsSignature, event_lines


class GenWriteSignature(wiring.Signature):
    """The generator's register port, from the writer's side: a write of ``wr_data`` to
    register ``wr_addr`` (``rvpmu.model.eventgen.register_address``) in each cycle with
    ``wr_en``."""

    def __init__(self, config: PMUConfig):
        super().__init__({"wr_en": Out(1),
                          "wr_addr": Out(max(1, (register_count(config) - 1).bit_length())),
                          "wr_data": Out(32)})


class EventGenerator(wiring.Component):
    """Event counts and a retire count per cycle from programmable Weyl sequences.

    Writing a line's START register loads its state; STEP and THRESHOLD k set the sequence and
    the count levels (through ``GenWriteSignature``'s members). While ``run`` is 1 every line
    adds its step at each clock edge.
    """

    def __init__(self, config: PMUConfig):
        self.config = config
        ports = {
            **GenWriteSignature(config).flip().members,
            "run": In(1),
            "retired": Out(max(1, config.retire_width.bit_length())),
        }
        if config.events:
            ports["events"] = Out(EventsSignature(config))
        super().__init__(ports)

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        for line, (levels, out) in enumerate(zip(line_levels(cfg), event_lines(self, cfg))):
            x = Signal(32, name=f"x{line}")
            step = Signal(32, name=f"step{line}")
            ths = [Signal(32, name=f"th{line}_{k}") for k in range(levels)]
            count = 0
            for th in ths:
                count = count + (x < th)
            m.d.comb += out.eq(count)
            with m.If(self.run):
                m.d.sync += x.eq(x + step)
            regs = [x, step, *ths]
            for field, reg in enumerate(regs):
                with m.If(self.wr_en & (self.wr_addr == register_address(cfg, line, field))):
                    m.d.sync += reg.eq(self.wr_data)
        return m
