"""RunControl: exactly N counting cycles; an LCOFIP stop right after the cycle that set it."""

import pytest
from amaranth.sim import Simulator

from rvpmu.hdl.runctl import RunControl


def reference(cycles, stop, lcofip_after):
    """Cycles run when LCOFIP is set at the end of cycle ``lcofip_after`` (None: never)."""
    if cycles == 0:
        return 0
    if stop and lcofip_after is not None:
        return min(cycles, max(1, lcofip_after + 1))
    return cycles


@pytest.mark.parametrize("cycles, stop, lcofip_after", [
    (0, 0, None), (1, 0, None), (7, 0, None), (7, 1, None), (7, 1, 2), (7, 0, 2),
    (7, 1, 0), (7, 1, -1), (3, 1, 5)])
def test_run_lengths(cycles, stop, lcofip_after):
    dut = RunControl()

    async def bench(ctx):
        ctx.set(dut.cycles, cycles)
        ctx.set(dut.stop_on_lcofip, stop)
        ctx.set(dut.lcofip, lcofip_after == -1)  # -1: already pending before the run
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        active = 0
        for t in range(20):
            raise_lcofip = False
            if ctx.get(dut.active):
                active += 1
                raise_lcofip = lcofip_after is not None and active - 1 >= lcofip_after
            await ctx.tick()
            if raise_lcofip:
                ctx.set(dut.lcofip, 1)  # set at the end of that cycle, like the PMU's
        assert not ctx.get(dut.busy)
        want = reference(cycles, stop, None if lcofip_after == -1 and not stop else
                         (0 if lcofip_after == -1 else lcofip_after))
        assert active == want == ctx.get(dut.count)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
