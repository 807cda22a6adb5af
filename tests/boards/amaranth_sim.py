"""Running a board component in the Amaranth simulator, as the gateware tests here do."""

from amaranth.sim import Simulator


def simulate(dut, *testbenches, background=(), period: float = 1e-8) -> None:
    """Clock ``dut`` and run ``testbenches`` to their end, ``background`` ones beside them."""
    sim = Simulator(dut)
    sim.add_clock(period)
    for tb in testbenches:
        sim.add_testbench(tb)
    for tb in background:
        sim.add_testbench(tb, background=True)
    sim.run()


def byte_sink(stream, out: bytearray):
    """A background testbench that takes every byte ``stream`` offers and appends it to
    ``out``."""
    async def sink(ctx):
        ctx.set(stream.ready, 1)
        async for _, _, valid, payload in ctx.tick().sample(stream.valid, stream.payload):
            if valid:
                out.append(payload)
    return sink
