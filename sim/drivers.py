"""cocotb drivers and monitors for the simulation top (``rvpmu.hdl.simtop.SimTop``).

The testbench reads like the port contract of docs/timing.md: inputs are driven at the falling
edge, sampled by the PMU at the next rising edge, and outputs are read after that edge settles.
"""

from __future__ import annotations

from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.model.cycle import (CSR_RESPONSE_LATENCY, CSRRequest, CSRResponse, PortInputs,
                               PortOutputs)

CLOCK_NS = 10


class PMUHarness:
    """Clock, reset and every port of the simulation top, with one-call cycle helpers."""

    def __init__(self, dut, config: PMUConfig):
        self.dut = dut
        self.config = config
        self._events = [getattr(dut, f"events__{e.name}") for e in config.events]
        self._xmask = (1 << config.xlen) - 1

    async def start(self) -> None:
        Clock(self.dut.clk, CLOCK_NS, unit="ns").start()
        d = self.dut
        d.rst.value = 1
        for sig in (d.csr_req__valid, d.use_gen, d.gen_run, d.gen_wr_en, d.halt, d.retired,
                    d.ctl_en, d.ctl_start, d.ctl_stop_on_lcofip, d.ctl_cycles):
            sig.value = 0
        for sig in self._events:
            sig.value = 0
        d.mode.value = int(csr.Mode.M)
        await RisingEdge(d.clk)
        await RisingEdge(d.clk)
        await FallingEdge(d.clk)
        d.rst.value = 0

    # -- driving (call at a falling edge) ---------------------------------------------------

    def drive(self, inp: PortInputs, *, events: bool = True) -> None:
        d = self.dut
        req = inp.csr_req
        d.csr_req__valid.value = req is not None
        if req is not None:
            d.csr_req__addr.value = req.addr
            d.csr_req__op.value = int(req.op)
            d.csr_req__wdata.value = req.wdata & self._xmask  # the port is XLEN wide
            d.csr_req__mode.value = int(req.mode)
        d.mode.value = int(inp.mode)
        d.halt.value = int(inp.halt)
        if events:
            for sig, n in zip(self._events, inp.events or (0,) * len(self._events)):
                sig.value = n
            d.retired.value = inp.retired

    def sample(self) -> PortOutputs:
        """The outputs as they read after the latest rising edge (call in ReadOnly)."""
        d = self.dut
        self.lcofi_set = bool(int(d.lcofi_set.value))  # compared by Scoreboard.check
        rsp = CSRResponse(bool(int(d.csr_rsp__valid.value)), bool(int(d.csr_rsp__hit.value)),
                          int(d.csr_rsp__rdata.value), csr.Exc(int(d.csr_rsp__exc.value)))
        return PortOutputs(rsp, bool(int(d.lcofip.value)), int(d.mcounteren.value),
                           int(d.scounteren.value), int(d.hcounteren.value))

    async def cycle(self, inp: PortInputs, *, events: bool = True) -> PortOutputs:
        """Drive ``inp`` for one cycle and return the outputs after its edge."""
        self.drive(inp, events=events)
        await RisingEdge(self.dut.clk)
        await ReadOnly()
        out = self.sample()
        await FallingEdge(self.dut.clk)
        self.dut.csr_req__valid.value = 0
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


class CSRDriver:
    """CSR accesses as transactions: ``await csr.read(addr, mode)`` -> (value, exception)."""

    def __init__(self, harness: PMUHarness):
        self.h = harness

    async def access(self, addr: int, op: csr.CSROp, wdata: int = 0,
                     mode: csr.Mode = csr.Mode.M, run_mode: csr.Mode = csr.Mode.M
                     ) -> CSRResponse:
        out = await self.h.cycle(PortInputs(CSRRequest(addr, op, wdata, mode), mode=run_mode),
                                 events=False)
        for _ in range(CSR_RESPONSE_LATENCY - 1):  # docs/timing.md: the response comes later
            out = await self.h.cycle(PortInputs(None, mode=run_mode), events=False)
        return out.csr_rsp

    async def read(self, addr: int, mode: csr.Mode = csr.Mode.M) -> CSRResponse:
        return await self.access(addr, csr.CSROp.READ, 0, mode)

    async def write(self, addr: int, value: int, mode: csr.Mode = csr.Mode.M,
                    op: csr.CSROp = csr.CSROp.WRITE) -> CSRResponse:
        return await self.access(addr, op, value, mode)
