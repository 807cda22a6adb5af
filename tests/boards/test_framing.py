"""FrameParser / FrameSender: the frame format both ways, and the parser's recovery from
garbage, bad lengths, bad CRCs and truncated frames."""

import random


from rvpmu.boards import protocol as P
from rvpmu.boards.gateware.framing import FrameParser, FrameSender
from rvpmu.boards.host.framing import FrameDecoder, encode_request

from .amaranth_sim import byte_sink, simulate

TIMEOUT = 40


def run_parser(chunks):
    """Feed ``chunks`` (bytes, or an int = idle cycles) into a parser; return what it saw."""
    dut = FrameParser(TIMEOUT)
    frames, errors = [], {"crc": 0, "length": 0, "timeout": 0}

    async def feed(ctx):
        for chunk in chunks:
            if isinstance(chunk, int):
                await ctx.tick().repeat(chunk)
                continue
            for b in chunk:
                ctx.set(dut.rx.payload, b)
                ctx.set(dut.rx.valid, 1)
                await ctx.tick().until(dut.rx.ready)
                ctx.set(dut.rx.valid, 0)
                await ctx.tick().repeat(2)
        await ctx.tick().repeat(TIMEOUT + 10)

    async def take(ctx):
        ctx.set(dut.frame.ready, 1)
        async for _, _, valid, length, ok, payload, ec, el, et in ctx.tick().sample(
                dut.frame.valid, dut.frame.length, dut.frame.crc_ok, dut.frame.payload,
                dut.err_crc, dut.err_length, dut.err_timeout):
            errors["crc"] += ec
            errors["length"] += el
            errors["timeout"] += et
            if valid:
                frames.append((payload.to_bytes(P.MAX_REQUEST_PAYLOAD, "little")[:length], ok))

    simulate(dut, feed, background=[take])
    return frames, errors


def test_good_frames_back_to_back():
    reqs = [encode_request(P.Cmd.CSR, 7, bytes(range(12))), encode_request(P.Cmd.HELLO, 8),
            encode_request(P.Cmd.RUN, 9, b"\x5a" * 6)]
    frames, errors = run_parser(reqs)
    assert frames == [(r[2:-2], True) for r in reqs]
    assert errors == {"crc": 0, "length": 0, "timeout": 0}


def test_recovery():
    good = encode_request(P.Cmd.CSR, 1, bytes(12))
    bad_crc = bytearray(encode_request(P.Cmd.GEN, 2, bytes(6)))
    bad_crc[-1] ^= 1
    rng = random.Random(3)
    garbage = bytes(b for b in (rng.getrandbits(8) for _ in range(30)) if b != P.REQUEST_SYNC)
    chunks = [
        garbage, good,                      # garbage before a frame: ignored
        bytes([P.REQUEST_SYNC, 200]), good,  # a length above 16: dropped at once
        bytes([P.REQUEST_SYNC, 1]), good,    # a length below 2 too
        bytes(bad_crc), good,                # a bad CRC: delivered as such
        good[:7], TIMEOUT + 5, good,         # truncated, then silence: dropped
    ]
    frames, errors = run_parser(chunks)
    g = (good[2:-2], True)
    assert frames == [g, g, g, (bytes(bad_crc[2:-2]), False), g, g]
    assert errors == {"crc": 1, "length": 2, "timeout": 1}


def test_sender_frames_decode_on_the_host():
    payloads = [bytes([P.Cmd.CSR, 3, 0]) + bytes(range(10)), bytes([P.Cmd.GEN, 4, 0]),
                bytes([1, 2, 3]) + bytes(range(100, 132))]
    dut = FrameSender()
    send = dut.send
    out = bytearray()

    async def bench(ctx):
        for p in payloads:
            ctx.set(send.start, 1)
            ctx.set(send.length, len(p))
            await ctx.tick()
            ctx.set(send.start, 0)
            while ctx.get(send.busy):
                i = ctx.get(send.index)
                ctx.set(send.data, p[i] if i < len(p) else 0)
                await ctx.tick()

    simulate(dut, bench, background=[byte_sink(dut.tx, out)])
    dec = FrameDecoder()
    frames = dec.feed(bytes(out))
    assert [(f.payload, f.crc_ok) for f in frames] == [(p, True) for p in payloads]
    assert dec.discarded == 0
