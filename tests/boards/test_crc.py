"""The frame CRC (``protocol.CRC``, CRC-16/CCITT-FALSE from amaranth.lib.crc): the host's value
is the catalogued one, and the gateware's Processor, fed as the framing feeds it, agrees."""

import random

from amaranth.lib import crc as crclib

from rvpmu.boards.protocol import CRC, crc16

from .amaranth_sim import simulate


def test_host_crc_check_value():
    assert crc16(b"123456789") == 0x29B1  # the catalogued check value of CRC-16/CCITT-FALSE
    assert crc16(b"") == 0xFFFF


def test_gateware_crc_matches_host():
    rng = random.Random(1)
    messages = [b"123456789", bytes(range(256)), bytes(rng.getrandbits(8) for _ in range(40))]
    dut = crclib.Processor(CRC)
    got = []

    async def bench(ctx):
        for msg in messages:
            ctx.set(dut.start, 1)  # as the framing does: start alone on the SYNC byte
            await ctx.tick()
            ctx.set(dut.start, 0)
            ctx.set(dut.valid, 1)
            for b in msg:
                ctx.set(dut.data, b)
                await ctx.tick()
            ctx.set(dut.valid, 0)
            got.append(ctx.get(dut.crc))

    simulate(dut, bench)
    assert got == [crc16(m) for m in messages]
