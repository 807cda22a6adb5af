"""CRC-16/CCITT-FALSE: the gateware's byte update equals the host's, and the standard value."""

import random

from amaranth.sim import Simulator

from rvpmu.boards.gateware.crc import CRC16
from rvpmu.boards.host.framing import crc16


def test_host_crc_check_value():
    assert crc16(b"123456789") == 0x29B1  # the catalogued check value of CRC-16/CCITT-FALSE
    assert crc16(b"") == 0xFFFF


def test_gateware_crc_matches_host():
    rng = random.Random(1)
    messages = [b"123456789", bytes(range(256)), bytes(rng.getrandbits(8) for _ in range(40))]
    dut = CRC16()
    got = []

    async def bench(ctx):
        for msg in messages:
            ctx.set(dut.clear, 1)
            await ctx.tick()
            ctx.set(dut.clear, 0)
            ctx.set(dut.en, 1)
            for b in msg:
                ctx.set(dut.data, b)
                await ctx.tick()
            ctx.set(dut.en, 0)
            got.append(ctx.get(dut.crc))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    assert got == [crc16(m) for m in messages]
