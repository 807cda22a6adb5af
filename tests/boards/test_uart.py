"""UARTRx / UARTTx: bit timing, a loopback of every byte value, framing errors, overruns."""

import pytest
from amaranth.hdl import Module

from rvpmu.boards.gateware.uart import UARTRx, UARTTx, divisor_for

from .amaranth_sim import simulate


def line_bits(byte, stop=1):
    return [0] + [(byte >> i) & 1 for i in range(8)] + [stop]


async def drive(ctx, pin, bits, divisor):
    for b in bits:
        ctx.set(pin, b)
        await ctx.tick().repeat(divisor)


def test_divisor_for():
    assert divisor_for(25e6, 115200) == 217
    assert divisor_for(100e6, 115200) == 868
    with pytest.raises(ValueError, match="too slow"):
        divisor_for(1e6, 1_000_000)
    with pytest.raises(ValueError, match="off by"):
        divisor_for(25e6, 3_000_000)  # 8.33 cycles per bit: 4 % off


@pytest.mark.parametrize("divisor", [4, 7])
def test_tx_waveform(divisor):
    dut = UARTTx(divisor)

    async def bench(ctx):
        assert ctx.get(dut.tx) == 1 and ctx.get(dut.stream.ready)
        ctx.set(dut.stream.payload, 0xA6)
        ctx.set(dut.stream.valid, 1)
        await ctx.tick()
        ctx.set(dut.stream.valid, 0)
        seen = []
        for _ in range(10 * divisor):
            seen.append(ctx.get(dut.tx))
            assert ctx.get(dut.busy)
            await ctx.tick()
        assert seen == [b for b in line_bits(0xA6) for _ in range(divisor)]
        assert ctx.get(dut.tx) == 1 and not ctx.get(dut.busy)

    simulate(dut, bench)


def test_loopback_every_byte():
    divisor = 5
    m = Module()
    m.submodules.tx = tx = UARTTx(divisor)
    m.submodules.rx = rx = UARTRx(divisor)
    m.d.comb += rx.rx.eq(tx.tx)
    got = []

    async def sender(ctx):
        for b in range(256):
            ctx.set(tx.stream.payload, b)
            ctx.set(tx.stream.valid, 1)
            await ctx.tick().until(tx.stream.ready)
        ctx.set(tx.stream.valid, 0)
        await ctx.tick().repeat(20 * divisor)

    async def receiver(ctx):
        ctx.set(rx.stream.ready, 1)
        async for _, _, valid, payload, ferr, ovr in ctx.tick().sample(
                rx.stream.valid, rx.stream.payload, rx.framing_error, rx.overrun):
            assert not ferr and not ovr
            if valid:
                got.append(payload)

    simulate(m, sender, background=[receiver])
    assert got == list(range(256))


def test_framing_error_and_overrun():
    divisor = 4
    dut = UARTRx(divisor)
    events = {"framing": 0, "overrun": 0}
    got = []

    async def watch(ctx):
        async for _, _, ferr, ovr in ctx.tick().sample(dut.framing_error, dut.overrun):
            events["framing"] += ferr
            events["overrun"] += ovr

    async def bench(ctx):
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(8)
        await drive(ctx, dut.rx, line_bits(0x55, stop=0), divisor)  # no stop bit
        await drive(ctx, dut.rx, [1, 1], divisor)
        assert events["framing"] == 1 and not ctx.get(dut.stream.valid)
        # two bytes while nobody reads: the second is dropped
        await drive(ctx, dut.rx, line_bits(0x12) + line_bits(0x34) + [1], divisor)
        assert events["overrun"] == 1
        assert ctx.get(dut.stream.valid) and ctx.get(dut.stream.payload) == 0x12
        ctx.set(dut.stream.ready, 1)
        await ctx.tick()
        assert not ctx.get(dut.stream.valid)
        # a glitch shorter than half a bit is not a start bit
        ctx.set(dut.rx, 0)
        await ctx.tick()
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(12 * divisor)
        assert not ctx.get(dut.stream.valid) and events["framing"] == 1
        got.append(True)

    simulate(dut, bench, background=[watch])
    assert got
