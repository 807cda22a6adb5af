"""The RTL as a hardware backend of the KVM vPMU model (``rvpmu.model.kvm.backend``).

The same four operations as the hart model's backend, on the simulated design: each CSR access
takes one clock cycle with the PMU halted; ``advance`` drives one cycle per stimulus entry and
stops right after a cycle that leaves LCOFIP set. Wrapped in ``BlockingBackend`` with
``cocotb.task.resume``, it lets ``KvmVcpuPmu`` scenarios run unchanged on the RTL.
"""

from __future__ import annotations

from cocotb.triggers import FallingEdge, RisingEdge, SimTimeoutError, with_timeout

from rvpmu import csr
from rvpmu.model.cycle import CSR_RESPONSE_LATENCY, CSRRequest, PortInputs

from .drivers import CLOCK_NS, PMUHarness


class RtlAccessError(RuntimeError):
    """An M-mode access of the host side trapped or missed: the design is wrong."""


DRAIN_CYCLES = 2  # after a run: its last increments are added, then LCOFIP (docs/timing.md)
RUN_SLACK_CYCLES = 64  # a run's start and stop on top of its cycles


class RtlPMUBackend:
    name = "rtl"

    def __init__(self, harness: PMUHarness):
        self.h = harness
        self.config = harness.config
        self.cycles = 0
        harness.dut.ctl_en.value = 1  # the PMU counts only inside advance()

    async def _access(self, addr: int, op: csr.CSROp, value: int = 0) -> int:
        inp = PortInputs(CSRRequest(addr, op, value & ((1 << self.config.xlen) - 1), csr.Mode.M),
                         halt=True)
        out = await self.h.cycle(inp)
        for _ in range(CSR_RESPONSE_LATENCY - 1):  # halted cycles until the response
            out = await self.h.cycle(PortInputs(None, halt=True))
        self.cycles += CSR_RESPONSE_LATENCY
        rsp = out.csr_rsp
        if not (rsp.valid and rsp.hit and rsp.exc == csr.Exc.NONE):
            raise RtlAccessError(f"M-mode {op.name} of CSR 0x{addr:03X} answered {rsp}")
        return rsp.rdata

    async def read_csr(self, addr: int) -> int:
        return await self._access(addr, csr.CSROp.READ)

    async def write_csr(self, addr: int, value: int) -> None:
        await self._access(addr, csr.CSROp.WRITE, value)

    async def advance(self, cycles: int, stream, mode: csr.Mode) -> int:
        if cycles <= 0:
            return 0
        if getattr(stream, "period", None) == 1:
            return await self._run(cycles, stream, mode)
        d = self.h.dut
        d.ctl_en.value = 0  # cycle by cycle from Python: the testbench drives halt
        try:
            ran = cycles
            for i in range(cycles):
                out = await self.h.cycle(PortInputs(None, *stream.at(i), mode, False))
                self.cycles += 1
                # The PMU adds a cycle's increments at the end of the next one: lcofi_set now
                # means this cycle's events overflow (docs/timing.md).
                if out.lcofip or int(d.lcofi_set.value):
                    ran = i + 1
                    break
            return ran
        finally:
            d.ctl_en.value = 1
            for _ in range(DRAIN_CYCLES):  # the last increments, then a deferred LCOFIP
                await self.h.cycle(PortInputs(None, halt=True))
            self.cycles += DRAIN_CYCLES

    async def _run(self, cycles: int, stream, mode: csr.Mode) -> int:
        """The same stimulus every cycle: the design's run control counts the cycles."""
        d = self.h.dut
        self.h.drive(PortInputs(None, *stream.at(0), mode, True))
        d.ctl_cycles.value = cycles
        d.ctl_stop_on_lcofip.value = 1
        d.ctl_start.value = 1
        await RisingEdge(d.clk)
        await FallingEdge(d.clk)
        d.ctl_start.value = 0
        if int(d.ctl_busy.value):
            # A design whose run control never finishes fails here, it does not hang.
            limit = (cycles + RUN_SLACK_CYCLES) * CLOCK_NS
            try:
                await with_timeout(FallingEdge(d.ctl_busy), limit, "ns")
            except SimTimeoutError:
                raise RtlAccessError(f"a run of {cycles:,} cycles did not end within "
                                     f"{cycles + RUN_SLACK_CYCLES:,} clock cycles: the run "
                                     "control kept ctl_busy high") from None
        for _ in range(DRAIN_CYCLES):
            await FallingEdge(d.clk)
        n = int(d.ctl_count.value)
        self.cycles += n
        return n

    async def lcofip(self) -> bool:
        return bool(int(self.h.dut.lcofip.value))
