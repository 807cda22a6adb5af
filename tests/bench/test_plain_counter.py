"""The plain reference design's Counter (bench/reference/counter.py): increment, wrap, carry-out,
half writes that win over increments."""

import random

import pytest
from amaranth.sim import Simulator

from . import BENCH  # noqa: F401 (importing the package puts bench/ on sys.path)
from reference.counter import Counter  # noqa: E402


@pytest.mark.parametrize("width", [1, 7, 32, 33, 40, 64])
def test_counter_against_formula(width):
    dut = Counter(width, inc_width=3)
    rng = random.Random(width)
    top = 1 << width

    async def bench(ctx):
        value = 0
        for _ in range(400):
            inc, en = rng.randint(0, 7), rng.random() < 0.8
            wmask = rng.choice([0, 0, 0, 0, 1, 2, 3])
            wdata = rng.choice([rng.getrandbits(64), (1 << 64) - 1, top - rng.randint(1, 4)])
            ctx.set(dut.inc, inc)
            ctx.set(dut.inc_en, en)
            ctx.set(dut.wmask, wmask)
            ctx.set(dut.wdata, wdata)
            # overflow is combinational: the carry of this cycle's increment, never of a write
            want_ovf = int(en and not wmask and value + inc >= top)
            assert ctx.get(dut.overflow) == want_ovf
            await ctx.tick()
            if wmask:
                lo = (wdata if wmask & 1 else value) & 0xFFFF_FFFF
                hi = (wdata if wmask & 2 else value) >> 32
                value = ((hi << 32) | lo) % top
            elif en:
                value = (value + inc) % top
            assert ctx.get(dut.value) == value

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
