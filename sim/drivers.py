"""cocotb drivers and monitors for the simulation top (``rvpmu.hdl.simtop.SimTop``).

The testbench reads like the port contract of docs/timing.md: inputs are driven at the falling
edge, sampled by the PMU at the next rising edge, and outputs are read after that edge settles.
"""

from __future__ import annotations

from dataclasses import replace

from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer

from rvpmu import ports
from rvpmu.config import PMUConfig
from rvpmu.model.cycle import PortInputs, PortOutputs

from .clocktop import CLOCK_NS, WRAPPER


class PMUMonitor:
    """Passive: what the pins of the PMU's ports show after a rising edge (``rvpmu.ports``).

    Read in the ReadOnly phase after the edge, the inputs are those the edge sampled (they
    change at the next falling edge) and the outputs those it produced, so the scoreboard
    checks what the design saw, not what the stimulus meant to drive.
    """

    def __init__(self, dut, config: PMUConfig, *, run_status: bool = True):
        self.config = config
        self._in = [(pin, getattr(dut, pin), p.name in ("events.*", "retired"))
                    for pin, p, *_ in ports.ports(config, direction=ports.IN)]
        self._out = [(pin, getattr(dut, pin)) for pin, *_ in
                     ports.ports(config, direction=ports.OUT, run_status=run_status)]

    def sample(self) -> tuple[PortInputs, PortOutputs, bool | None]:
        """(inputs, outputs, lcofi_set or None when the top has no such port)."""
        return (self.inputs(), *self.outputs())

    def inputs(self, *, events: bool = True) -> PortInputs:
        """The inputs; with ``events=False`` the event and retire pins are not read (the
        generator drives the PMU's, and the caller knows its counts) and show as 0."""
        return ports.observed_inputs(self.config, {
            pin: int(sig.value) if events or not event else 0 for pin, sig, event in self._in})

    def outputs(self) -> tuple[PortOutputs, bool | None]:
        pins = {pin: int(sig.value) for pin, sig in self._out}
        lcofi_set = pins.pop("lcofi_set", None)
        return ports.outputs(self.config, pins), None if lcofi_set is None else bool(lcofi_set)


class PMUHarness:
    """Clock, reset and every port of the simulation top, with one-call cycle helpers."""

    def __init__(self, dut, config: PMUConfig):
        self.dut = dut
        self.config = config
        self.monitor = PMUMonitor(dut, config)
        self.observed: PortInputs | None = None  # the inputs of the latest cycle, as seen
        self.lcofi_set: bool | None = None

    async def start(self) -> None:
        if self.dut._name != WRAPPER:  # else the simulator toggles clk itself (sim.clocktop)
            Clock(self.dut.clk, CLOCK_NS, unit="ns").start()
        d = self.dut
        d.rst.value = 1
        for pin, p, _w, _i in ports.ports(self.config, direction=ports.IN):
            getattr(d, pin).value = int(p.init)
        for sig in (d.use_gen, d.gen_run, d.gen_wr_en, d.ctl_en, d.ctl_start,
                    d.ctl_stop_on_lcofip, d.ctl_cycles):
            sig.value = 0
        await RisingEdge(d.clk)
        await RisingEdge(d.clk)
        # In reset every output shows the model's reset state (docs/decisions.md: all 0).
        await ReadOnly()
        got, lcofi_set = self.monitor.outputs()
        want = PortOutputs()
        if got != want or lcofi_set not in (None, False):
            raise AssertionError(f"design and model differ in reset (all outputs 0):\n  model:  "
                                 f"{want} lcofi_set=False\n  design: {got} "
                                 f"lcofi_set={lcofi_set}")
        await FallingEdge(d.clk)
        d.rst.value = 0

    # -- driving (call at a falling edge) ---------------------------------------------------

    def drive(self, inp: PortInputs, *, events: bool = True) -> None:
        for pin, value in ports.input_pins(self.config, inp, events=events).items():
            getattr(self.dut, pin).value = value

    async def cycle(self, inp: PortInputs, *, events: bool = True) -> PortOutputs:
        """Drive ``inp`` for one cycle and return the outputs after its edge; ``observed``
        holds the inputs the monitor saw (with ``events=False`` the generator drives the
        events, so its counts are taken from ``inp``)."""
        self.drive(inp, events=events)
        await RisingEdge(self.dut.clk)
        await ReadOnly()
        seen, out, self.lcofi_set = self.monitor.sample()
        self.observed = seen if events else replace(seen, events=inp.events, retired=inp.retired)
        await FallingEdge(self.dut.clk)
        self.dut.csr_req__valid.value = 0
        return out

    async def access(self, inp: PortInputs, latency: int) -> PortOutputs:
        """A CSR access while the generator drives the events: the request of ``inp`` for one
        cycle, then ``latency - 1`` cycles without; returns the outputs after the last edge,
        where the answer shows. ``observed`` holds what the first edge sampled (the events
        of ``inp``). Two samples instead of one a cycle: the long regression's pace."""
        d = self.dut
        self.drive(inp, events=False)
        await RisingEdge(d.clk)
        await ReadOnly()
        self.observed = replace(self.monitor.inputs(events=False), events=inp.events,
                                retired=inp.retired)
        await FallingEdge(d.clk)
        d.csr_req__valid.value = 0
        for _ in range(latency - 1):
            await RisingEdge(d.clk)
        await ReadOnly()
        out, self.lcofi_set = self.monitor.outputs()
        await FallingEdge(d.clk)
        return out

    async def idle(self, cycles: int) -> None:
        """Let ``cycles`` clock cycles pass with no request, from one falling edge to another."""
        if cycles > 0:
            await Timer(cycles * CLOCK_NS, unit="ns")

    # -- the event generator -----------------------------------------------------------------

    async def load_generator(self, writes: list[tuple[int, int]]) -> None:
        """Program the generator (one register per cycle); it stays stopped."""
        d = self.dut
        d.gen_run.value = 0
        for addr, value in writes:
            d.gen_wr_en.value = 1
            d.gen_wr_addr.value = addr
            d.gen_wr_data.value = value
            await FallingEdge(d.clk)
        d.gen_wr_en.value = 0

    def use_generator(self, run: bool) -> None:
        self.dut.use_gen.value = int(run)
        self.dut.gen_run.value = int(run)
