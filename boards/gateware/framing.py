"""Frames on the byte streams of the UART: ``FrameParser`` (requests in) and ``FrameSender``
(responses out). Layout and codes: ``rvpmu.boards.protocol`` and docs/board-protocol.md.

The parser hunts for ``REQUEST_SYNC``, takes ``LEN`` (a value outside 2..16 sends it back to
hunting at once), the payload and the CRC, and hands the frame over with ``crc_ok``. A frame
that stops arriving (no byte for ``timeout`` cycles) is dropped, so a truncated frame or line
noise can never wedge the link: after a silence longer than the timeout the parser is hunting
again, which is what the host's resynchronisation relies on.
"""

from __future__ import annotations

from contextlib import contextmanager

from amaranth.hdl import Array, Cat, Module, Signal
from amaranth.lib import crc as crclib, stream, wiring
from amaranth.lib.wiring import In, Out

from ..protocol import (CRC, MAX_REQUEST_PAYLOAD, MAX_RESPONSE_PAYLOAD, MIN_REQUEST_PAYLOAD,
                        REQUEST_SYNC, RESPONSE_SYNC)

LEN_WIDTH = 8


class FrameSignature(wiring.Signature):
    """A received request, from the parser's side: held with ``valid`` until ``ready``."""

    def __init__(self, max_payload: int = MAX_REQUEST_PAYLOAD):
        super().__init__({
            "valid": Out(1),
            "ready": In(1),
            "length": Out(LEN_WIDTH),
            "crc_ok": Out(1),
            "payload": Out(8 * max_payload),  # byte i in bits [8i, 8i+8)
        })


class SenderSignature(wiring.Signature):
    """One response to send, from the owner's side (``CommandExecutor``): ``start`` with its
    ``length``; payload byte ``index`` must show on ``data`` ``FrameSender.FETCH_LATENCY``
    cycles after ``index`` changes; ``busy`` until the frame is out."""

    def __init__(self):
        super().__init__({
            "start": Out(1),
            "length": Out(LEN_WIDTH),
            "index": In(range(MAX_RESPONSE_PAYLOAD)),
            "data": Out(8),
            "busy": In(1),
        })


class FrameParser(wiring.Component):
    """Bytes in (``rx``), checked frames out (``frame``), error pulses for the counters."""

    def __init__(self, timeout: int):
        if timeout < 1:
            raise ValueError("the frame timeout must be at least one cycle")
        self.timeout = timeout
        super().__init__({
            "rx": In(stream.Signature(8)),
            "frame": Out(FrameSignature()),
            "err_length": Out(1),
            "err_timeout": Out(1),
            "err_crc": Out(1),
            "got_frame": Out(1),  # pulse: a complete frame (good CRC or not) arrived
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.crc = crc = crclib.Processor(CRC)
        buf = Array(Signal(8, name=f"byte{i}") for i in range(MAX_REQUEST_PAYLOAD))
        length = Signal(LEN_WIDTH)
        pos = Signal(range(MAX_REQUEST_PAYLOAD + 1))
        crc_hi = Signal(8)
        crc_ok = Signal()
        idle = Signal(range(self.timeout + 1))
        frame, rx = self.frame, self.rx
        byte = rx.payload
        take = Signal()
        m.d.comb += [
            frame.length.eq(length),
            frame.crc_ok.eq(crc_ok),
            frame.payload.eq(Cat(*buf)),
            crc.data.eq(byte),
            take.eq(rx.valid & rx.ready),
        ]
        with m.If(take):
            m.d.sync += idle.eq(0)
        with m.Elif(idle != self.timeout):
            m.d.sync += idle.eq(idle + 1)

        @contextmanager
        def receive(state: str):
            """A state that takes one byte of the frame (the body runs when one arrives); a
            silence of ``timeout`` cycles drops the frame."""
            with m.State(state):
                m.d.comb += rx.ready.eq(1)
                with m.If(idle == self.timeout):
                    m.d.comb += self.err_timeout.eq(1)
                    m.next = "HUNT"
                with m.Elif(take):
                    yield

        with m.FSM():
            with m.State("HUNT"):
                m.d.comb += rx.ready.eq(1)
                with m.If(take & (byte == REQUEST_SYNC)):
                    m.d.comb += crc.start.eq(1)
                    m.next = "LEN"
            with receive("LEN"):
                with m.If((byte < MIN_REQUEST_PAYLOAD) | (byte > MAX_REQUEST_PAYLOAD)):
                    m.d.comb += self.err_length.eq(1)
                    m.next = "HUNT"
                with m.Else():
                    m.d.comb += crc.valid.eq(1)
                    m.d.sync += [length.eq(byte), pos.eq(0)]
                    m.next = "PAYLOAD"
            with receive("PAYLOAD"):
                m.d.comb += crc.valid.eq(1)
                m.d.sync += [buf[pos].eq(byte), pos.eq(pos + 1)]
                with m.If(pos + 1 == length):
                    m.next = "CRC_HI"
            with receive("CRC_HI"):
                m.d.sync += crc_hi.eq(byte)
                m.next = "CRC_LO"
            with receive("CRC_LO"):
                ok = crc.crc == Cat(byte, crc_hi)
                m.d.sync += crc_ok.eq(ok)
                m.d.comb += [self.got_frame.eq(1), self.err_crc.eq(~ok)]
                m.next = "HOLD"
            with m.State("HOLD"):  # bytes arriving now are not taken (the UART drops them)
                m.d.comb += frame.valid.eq(1)
                with m.If(frame.ready):
                    m.next = "HUNT"
        return m


class FrameSender(wiring.Component):
    """Sends one response frame per ``send.start``: SYNC, LEN, ``length`` payload bytes, CRC.

    Payload byte ``send.index`` is fetched from the owner: it must show on ``send.data``
    ``FETCH_LATENCY`` cycles after ``index`` changes (``index`` then stays put until the byte
    is sent).
    """

    FETCH_LATENCY = 2

    def __init__(self):
        super().__init__({
            "send": In(SenderSignature()),
            "tx": Out(stream.Signature(8)),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.crc = crc = crclib.Processor(CRC)
        length = Signal(LEN_WIDTH)
        index = Signal(range(MAX_RESPONSE_PAYLOAD + 1))
        wait = Signal(range(self.FETCH_LATENCY + 1))
        out = Signal(8)
        tx = self.tx
        m.d.comb += [self.send.index.eq(index), tx.payload.eq(out), crc.data.eq(out)]

        @contextmanager
        def send(state: str):
            """A state that offers ``out`` to the UART (the body runs once it is taken)."""
            with m.State(state):
                m.d.comb += tx.valid.eq(1)
                with m.If(tx.ready):
                    yield

        with m.FSM() as fsm:
            with m.State("IDLE"):
                with m.If(self.send.start):
                    m.d.sync += [length.eq(self.send.length), out.eq(RESPONSE_SYNC)]
                    m.d.comb += crc.start.eq(1)
                    m.next = "SYNC"
            with send("SYNC"):
                m.d.sync += out.eq(length)
                m.next = "LEN"
            with send("LEN"):
                m.d.comb += crc.valid.eq(1)
                m.d.sync += [index.eq(0), wait.eq(self.FETCH_LATENCY)]
                m.next = "FETCH"
            with m.State("FETCH"):
                with m.If(index == length):
                    m.d.sync += out.eq(crc.crc[8:])
                    m.next = "CRC_HI"
                with m.Elif(wait != 0):
                    m.d.sync += wait.eq(wait - 1)
                with m.Else():
                    m.d.sync += out.eq(self.send.data)
                    m.next = "PAYLOAD"
            with send("PAYLOAD"):
                m.d.comb += crc.valid.eq(1)
                m.d.sync += [index.eq(index + 1), wait.eq(self.FETCH_LATENCY)]
                m.next = "FETCH"
            with send("CRC_HI"):
                m.d.sync += out.eq(crc.crc[:8])
                m.next = "CRC_LO"
            with send("CRC_LO"):
                m.next = "IDLE"
        m.d.comb += self.send.busy.eq(~fsm.ongoing("IDLE"))
        return m
