"""BoardInputs: synchronised, debounced; a press counts once (held until a counted cycle), a
switch counts every cycle it is on; bounces shorter than the debounce time are ignored."""

from rvpmu.boards.gateware.inputs import BoardInputs

from .amaranth_sim import simulate

DEBOUNCE = 5


def test_press_switch_and_bounce():
    dut = BoardInputs(buttons=1, switches=1, debounce=DEBOUNCE)

    async def bench(ctx):
        async def cycles(n, consume=0):
            seen = []
            for _ in range(n):
                ctx.set(dut.consume, consume)
                seen.append(ctx.get(dut.events))
                await ctx.tick()
            ctx.set(dut.consume, 0)
            return seen

        # a bounce shorter than the debounce time: nothing
        ctx.set(dut.buttons, 1)
        await cycles(DEBOUNCE - 2)
        ctx.set(dut.buttons, 0)
        assert all(e == 0 for e in await cycles(20))
        assert ctx.get(dut.levels) == 0
        # a real press while the PMU is halted: pending, counted in the first counted cycle
        ctx.set(dut.buttons, 1)
        await cycles(DEBOUNCE + 5)
        assert ctx.get(dut.levels) == 0b01
        ctx.set(dut.buttons, 0)
        await cycles(DEBOUNCE + 5)
        seen = await cycles(10, consume=1)
        assert [e & 1 for e in seen] == [1] + [0] * 9
        # a switch: one event per cycle while it is on (after synchroniser and debounce)
        ctx.set(dut.switches, 1)
        await cycles(DEBOUNCE + 5)
        assert ctx.get(dut.levels) == 0b10
        assert all(e >> 1 & 1 for e in await cycles(10, consume=1))
        ctx.set(dut.switches, 0)
        await cycles(DEBOUNCE + 5)
        assert all(e == 0 for e in await cycles(10, consume=1))

    simulate(dut, bench)
