"""An 8N1 UART: ``UARTRx`` and ``UARTTx``, bytes as ``amaranth.lib.stream`` streams.

The bit time is a whole number of clock cycles (``divisor`` = clock frequency / baud rate, see
``divisor_for``). The receiver synchronises its pin, checks the start bit in the middle of the
bit and the stop bit; a byte that arrives while the previous one is still unread is dropped
and reported (``overrun``), a missing stop bit is reported as ``framing_error``.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out


def divisor_for(clk_hz: float, baud: int) -> int:
    """Clock cycles per bit; raises ``ValueError`` when the baud rate error exceeds 2 %."""
    divisor = round(clk_hz / baud)
    if divisor < 4:
        raise ValueError(f"a {clk_hz / 1e6:g} MHz clock is too slow for {baud} baud "
                         "(needs at least 4 cycles per bit)")
    error = abs(clk_hz / divisor - baud) / baud
    if error > 0.02:
        raise ValueError(f"{baud} baud from a {clk_hz / 1e6:g} MHz clock is off by "
                         f"{error:.1%} (at most 2 %)")
    return divisor


class _UART(wiring.Component):
    """Either half of the UART: ``divisor`` clock cycles per bit."""

    def __init__(self, divisor: int, members: dict):
        if divisor < 4:
            raise ValueError("a UART needs at least 4 clock cycles per bit")
        self.divisor = divisor
        super().__init__(members)


class UARTRx(_UART):
    """Receiver: ``rx`` pin in (asynchronous), received bytes out on ``stream``."""

    def __init__(self, divisor: int):
        super().__init__(divisor, {
            "rx": In(1, init=1),
            "stream": Out(stream.Signature(8)),
            "framing_error": Out(1),  # pulse: a byte without its stop bit
            "overrun": Out(1),  # pulse: a byte dropped because the last one was unread
        })

    def elaborate(self, platform):
        m = Module()
        rx = Signal(init=1)
        m.submodules.sync_rx = FFSynchronizer(self.rx, rx, init=1)

        timer = Signal(range(self.divisor))
        bit = Signal(range(8))
        shreg = Signal(8)
        out = self.stream

        with m.If(out.ready):
            m.d.sync += out.valid.eq(0)

        with m.FSM():
            with m.State("IDLE"):
                with m.If(~rx):
                    m.d.sync += timer.eq(self.divisor // 2 - 1)
                    m.next = "START"
            with m.State("START"):  # the middle of the start bit: still low?
                with m.If(timer != 0):
                    m.d.sync += timer.eq(timer - 1)
                with m.Elif(rx):
                    m.next = "IDLE"  # a glitch, not a start bit
                with m.Else():
                    m.d.sync += [timer.eq(self.divisor - 1), bit.eq(0)]
                    m.next = "DATA"
            with m.State("DATA"):
                with m.If(timer != 0):
                    m.d.sync += timer.eq(timer - 1)
                with m.Else():
                    m.d.sync += [shreg.eq(Cat(shreg[1:], rx)), timer.eq(self.divisor - 1),
                                 bit.eq(bit + 1)]
                    with m.If(bit == 7):
                        m.next = "STOP"
            with m.State("STOP"):
                with m.If(timer != 0):
                    m.d.sync += timer.eq(timer - 1)
                with m.Elif(rx):
                    with m.If(out.valid & ~out.ready):
                        m.d.comb += self.overrun.eq(1)
                    with m.Else():
                        m.d.sync += [out.payload.eq(shreg), out.valid.eq(1)]
                    m.next = "IDLE"
                with m.Else():
                    m.d.comb += self.framing_error.eq(1)
                    m.next = "BREAK"
            with m.State("BREAK"):  # wait for the line to return high before the next byte
                with m.If(rx):
                    m.next = "IDLE"
        return m


class UARTTx(_UART):
    """Transmitter: bytes in on ``stream``, the ``tx`` pin out (high when idle)."""

    def __init__(self, divisor: int):
        super().__init__(divisor, {
            "stream": In(stream.Signature(8)),
            "tx": Out(1, init=1),
            "busy": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        timer = Signal(range(self.divisor))
        shreg = Signal(10, init=0x3FF)  # stop bit, data LSB first, start bit (shifted out LSB)
        left = Signal(range(11))
        m.d.comb += [self.tx.eq(shreg[0]), self.busy.eq(left != 0),
                     self.stream.ready.eq(left == 0)]
        with m.If(left == 0):
            with m.If(self.stream.valid):
                m.d.sync += [shreg.eq(Cat(Const(0, 1), self.stream.payload, Const(1, 1))),
                             left.eq(10), timer.eq(self.divisor - 1)]
        with m.Elif(timer != 0):
            m.d.sync += timer.eq(timer - 1)
        with m.Else():
            m.d.sync += [shreg.eq(Cat(shreg[1:], Const(1, 1))), left.eq(left - 1),
                         timer.eq(self.divisor - 1)]
        return m
