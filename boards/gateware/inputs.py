"""``BoardInputs``: buttons and switches as extra event sources.

Every input is synchronised and debounced (it must hold a new level for ``debounce`` cycles).
A button press (its debounced level rising) is one event, reported from then until a cycle
with ``consume`` set (the PMU counts it in the first counted cycle at or after the press; the
PMU is halted between runs, so a press between two runs counts in the next one). A switch gives
one event in every cycle it is on. Input ``j`` is the buttons in resource order,
then the switches; the board top lets input ``j`` drive event input ``j`` of the PMU in place of
the generator when bit ``j`` of the INPUTS mask is set (docs/board-protocol.md).
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out


class BoardInputs(wiring.Component):
    def __init__(self, buttons: int, switches: int, debounce: int):
        if debounce < 1:
            raise ValueError("debounce must be at least one cycle")
        self.n_buttons, self.n_switches, self.debounce = buttons, switches, debounce
        n = buttons + switches
        super().__init__({
            "buttons": In(max(1, buttons)),
            "switches": In(max(1, switches)),
            "levels": Out(max(1, n)),  # debounced levels
            "events": Out(max(1, n)),  # one bit per input: an event this cycle
            "consume": In(1),  # the PMU counts this cycle: pending presses are taken
        })

    def elaborate(self, platform):
        m = Module()
        pins = [self.buttons[i] for i in range(self.n_buttons)] + \
               [self.switches[i] for i in range(self.n_switches)]
        for j, pin in enumerate(pins):
            raw = Signal(name=f"raw{j}")
            m.submodules[f"sync{j}"] = FFSynchronizer(pin, raw)
            level = Signal(name=f"level{j}")
            count = Signal(range(self.debounce + 1), name=f"count{j}")
            with m.If(raw == level):
                m.d.sync += count.eq(0)
            with m.Elif(count == self.debounce - 1):
                m.d.sync += [level.eq(raw), count.eq(0)]
            with m.Else():
                m.d.sync += count.eq(count + 1)
            m.d.comb += self.levels[j].eq(level)
            if j < self.n_buttons:
                prev = Signal(name=f"prev{j}")
                pending = Signal(name=f"pending{j}")
                m.d.sync += prev.eq(level)
                with m.If(level & ~prev):
                    m.d.sync += pending.eq(1)
                with m.Elif(self.consume):
                    m.d.sync += pending.eq(0)
                m.d.comb += self.events[j].eq(pending)
            else:
                m.d.comb += self.events[j].eq(level)
        return m
