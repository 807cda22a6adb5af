"""CountedPMU on its own: the PMU, its event generator and its run control, against the model.

Every cycle the component's outputs are compared with the cycle model (``PMUPorts``) fed with
what the PMU should see: the generator's lines (``rvpmu.model.eventgen.EventSource``) or the
testbench's events where ``ext_select`` picks them, halted outside a run. The run's length is
the model's too: N cycles, or up to the cycle whose increments overflow a counter (the model's
``lcofi_set``) with ``stop_on_lcofip``.
"""

from __future__ import annotations

import pytest

from rvpmu import csr
from rvpmu.hdl.counted import CountedPMU
from rvpmu.model import CSRRequest, EventInput, PMUConfig, PMUPorts, PortInputs
from rvpmu.model.cycle import CSR_RESPONSE_LATENCY
from rvpmu.model.eventgen import EventSource

from ..boards.amaranth_sim import simulate
from .lockstep import _drive, _sample

CFG = PMUConfig(xlen=64, num_counters=3, counter_width=16, retire_width=3,
                events=(EventInput("a"), EventInput("b", 4)))
HPM_A, HPM_B, HPM_IR = 3, 4, 5  # mhpmcounter3 counts a, 4 counts b, 5 instructions
M, S = csr.Mode.M, csr.Mode.S
RETIRED = len(CFG.events)  # ext_select bit of the retire line


def outside(t: int) -> tuple[tuple[int, ...], int]:
    """The testbench's own events/retired in cycle ``t`` (unlike any generator line)."""
    return (t % 2, (t * 3) % 5), (t // 2) % 4


class Bench:
    """Drives a CountedPMU and the model side by side, comparing every cycle's outputs."""

    def __init__(self, ctx, dut: CountedPMU, src):
        self.ctx, self.dut, self.src = ctx, dut, src
        self.model = PMUPorts(CFG)
        self.t_gen = 0  # cycles the generator has advanced since it was loaded
        self.t = 0  # cycles since the bench started (the outside events' clock)

    def pmu_sees(self, req, select: int, mode, halt) -> PortInputs:
        gen_events, gen_retired = self.src.at(self.t_gen)
        ext_events, ext_retired = outside(self.t)
        events = tuple(x if select >> i & 1 else g
                       for i, (g, x) in enumerate(zip(gen_events, ext_events)))
        retired = ext_retired if select >> RETIRED & 1 else gen_retired
        return PortInputs(req, events, retired, mode, halt)

    async def cycle(self, req=None, *, select=0, mode=M, halt=True, gen_run=False):
        """One clock: the component's inputs for it, and the model's PortInputs given what the
        PMU is meant to see (``halt`` as the model's; the component's ``halt`` pin too)."""
        ctx, dut = self.ctx, self.dut
        ext_events, ext_retired = outside(self.t)
        _drive(ctx, dut, CFG, PortInputs(req, ext_events, ext_retired, mode, halt))
        ctx.set(dut.ext_select, select)
        ctx.set(dut.gen_run, gen_run)
        inp = self.pmu_sees(req, select, mode, halt)
        await ctx.tick()
        want = self.model.clock(inp)
        assert _sample(ctx, dut, CFG) == want, f"cycle {self.t}: {inp}"
        self.t += 1
        self.t_gen += gen_run
        return want

    async def access(self, addr, op=csr.CSROp.READ, wdata=0):
        """A CSR access in halted cycles; its response."""
        rsp = (await self.cycle(CSRRequest(addr, op, wdata, M))).csr_rsp
        for _ in range(CSR_RESPONSE_LATENCY - 1):
            rsp = (await self.cycle()).csr_rsp
        assert rsp.valid and rsp.hit and rsp.exc == csr.Exc.NONE, (hex(addr), rsp)
        return rsp.rdata

    async def load_generator(self):
        for addr, value in self.src.registers(CFG):
            self.ctx.set(self.dut.gen.wr_en, 1)
            self.ctx.set(self.dut.gen.wr_addr, addr)
            self.ctx.set(self.dut.gen.wr_data, value)
            await self.cycle()
        self.ctx.set(self.dut.gen.wr_en, 0)
        self.t_gen = 0

    async def run(self, cycles, *, stop=False, select=0, mode=M):
        """A run under run control (``run_ctl``, the generator advancing while the PMU
        counts, as on the boards); returns the cycles the model says it counts."""
        ctx, dut = self.ctx, self.dut
        ctx.set(dut.run_ctl, 1)
        ctx.set(dut.run.cycles, cycles)
        ctx.set(dut.run.stop_on_lcofip, stop)
        ctx.set(dut.run.start, 1)
        await self.cycle(select=select, mode=mode)  # the start cycle is still halted
        ctx.set(dut.run.start, 0)
        ran = 0
        while ran < cycles:
            # the run control's stop: LCOFIP now, or set by the increments in flight
            if stop and ran and (self.model.outputs.lcofip or self.model.lcofi_set()):
                break
            assert ctx.get(dut.counting) and ctx.get(dut.run.busy), f"run cycle {ran}"
            await self.cycle(select=select, mode=mode, halt=False, gen_run=True)
            ran += 1
        assert not ctx.get(dut.counting)
        for _ in range(2):  # the last increments land, then a deferred LCOFIP
            await self.cycle(select=select, mode=mode)
        assert not ctx.get(dut.run.busy) and ctx.get(dut.run.count) == ran
        return ran


def counted_bench(steps):
    """Run ``steps(bench)`` on a CountedPMU whose generator is loaded and whose counters
    3, 4, 5 count a, b and instructions."""
    dut = CountedPMU(CFG)
    src = EventSource.from_seed(CFG, seed=5, density=0.4, retire_density=0.6)

    async def bench(ctx):
        b = Bench(ctx, dut, src)
        await b.load_generator()
        W = csr.CSROp.WRITE
        await b.access(csr.mhpmevent(HPM_A), W, csr.event_selector(CFG.event_index("a")))
        await b.access(csr.mhpmevent(HPM_B), W, csr.event_selector(CFG.event_index("b")))
        await b.access(csr.mhpmevent(HPM_IR), W, csr.EVENT_INSTRET)
        await steps(b)

    simulate(dut, bench)


async def _counters(b: Bench):
    return [await b.access(a) for a in (csr.MCYCLE, csr.MINSTRET, csr.mhpmcounter(HPM_A),
                                        csr.mhpmcounter(HPM_B), csr.mhpmcounter(HPM_IR))]


@pytest.mark.parametrize("cycles, mode", [(1, M), (173, M), (90, S)])
def test_generator_counts_during_a_run_of_exactly_n_cycles(cycles, mode):
    async def bench(b: Bench):
        assert await _counters(b) == [0] * 5
        assert await b.run(cycles, mode=mode) == cycles
        events, retired = b.src.totals(0, cycles)  # the closed form, not the per-cycle sum
        assert await _counters(b) == [cycles, retired, events[0], events[1], retired]
        for _ in range(20):  # halted between runs: nothing moves
            await b.cycle()
        assert await b.run(cycles, mode=mode) == cycles
        events2, retired2 = b.src.totals(0, 2 * cycles)
        assert await _counters(b) == [2 * cycles, retired2, events2[0], events2[1], retired2]

    counted_bench(bench)


@pytest.mark.parametrize("select", [0b010, 0b001, 0b100, 0b111])
def test_external_events_replace_the_selected_generator_lines(select):
    async def bench(b: Bench):
        first = b.t + 1  # the run's first counted cycle (after its start cycle)
        assert await b.run(64, select=select) == 64
        gen = b.src.at
        want = [sum((outside(first + k)[0][i] if select >> i & 1 else gen(k)[0][i])
                    for k in range(64)) for i in range(len(CFG.events))]
        want_ir = sum(outside(first + k)[1] if select >> RETIRED & 1 else gen(k)[1]
                      for k in range(64))
        assert await _counters(b) == [64, want_ir, want[0], want[1], want_ir]

    counted_bench(bench)


@pytest.mark.parametrize("left", [1, 2, 23])
def test_a_run_stops_right_after_the_cycle_whose_events_overflow(left):
    async def bench(b: Bench):
        await b.access(csr.mhpmcounter(HPM_B), csr.CSROp.WRITE, (1 << CFG.counter_width) - left)
        ran = await b.run(500, stop=True)
        # b's events up to the run's last cycle reach the wrap; one cycle fewer do not
        totals = [b.src.totals(0, n)[0][1] for n in (ran - 1, ran)]
        assert totals[0] < left <= totals[1] and ran < 500
        assert b.model.outputs.lcofip
        # without stop_on_lcofip the run goes on to its full length
        assert await b.run(40) == 40

    counted_bench(bench)


def test_without_run_control_halt_and_gen_run_come_from_the_pins():
    async def bench(b: Bench):
        for t in range(120):  # the simulation top's cycle-by-cycle use
            halt = t % 7 == 3
            b.ctx.set(b.dut.run_ctl, 0)
            await b.cycle(select=0b011 if t % 2 else 0, halt=halt, gen_run=t % 5 != 0)
            assert b.ctx.get(b.dut.counting) == (not halt)  # the halt pin still drives it
        # a run started now counts its cycles, but halt still decides (run_ctl = 0)
        b.ctx.set(b.dut.run.cycles, 5)
        b.ctx.set(b.dut.run.start, 1)
        await b.cycle(halt=False)
        b.ctx.set(b.dut.run.start, 0)
        await b.cycle(halt=True)
        assert not b.ctx.get(b.dut.counting)
        for _ in range(6):
            await b.cycle(halt=False)
        assert not b.ctx.get(b.dut.run.busy) and b.ctx.get(b.dut.run.count) == 5
        assert (await _counters(b))[0] == 120 - 120 // 7 + 6 + 1  # the model's, every cycle

    counted_bench(bench)
