"""A UART bus-functional model for cocotb: drives the board's ``uart_rx``, decodes ``uart_tx``."""

from __future__ import annotations

import math

import cocotb
from cocotb.simtime import get_sim_time
from cocotb.triggers import Event, FallingEdge, First, Timer


class UartBFM:
    """8N1 at ``bit_ns`` nanoseconds per bit. ``received`` collects the board's bytes."""

    def __init__(self, rx, tx, bit_ns: int):
        self.rx, self.tx, self.bit_ns = rx, tx, int(bit_ns)
        self.received = bytearray()
        self.framing_errors = 0
        self.sent = 0
        self.last_rx_ns = 0.0  # when the board's latest byte ended
        self._arrived = Event()
        rx.value = 1

    def start(self) -> None:
        cocotb.start_soon(self._monitor())

    async def send(self, data: bytes) -> None:
        """Drive ``data`` onto the board's receive pin, back to back."""
        for b in data:
            for bit in (0, *((b >> i) & 1 for i in range(8)), 1):
                self.rx.value = bit
                await Timer(self.bit_ns, unit="ns")
            self.sent += 1

    async def _monitor(self) -> None:
        while True:
            await FallingEdge(self.tx)
            await Timer(self.bit_ns * 3 // 2, unit="ns")  # the middle of data bit 0
            b = 0
            for i in range(8):
                b |= int(self.tx.value) << i
                await Timer(self.bit_ns, unit="ns")
            if int(self.tx.value):
                self.received.append(b)
                self.last_rx_ns = get_sim_time("ns")
                self._arrived.set()
            else:
                self.framing_errors += 1

    async def byte_or_time(self, ns: int) -> None:
        """Until the board sends a byte, or ``ns`` simulated nanoseconds have passed."""
        self._arrived.clear()
        await First(self._arrived.wait(), Timer(max(1, ns), unit="ns"))

    async def recv(self, n: int, timeout_s: float) -> bytes:
        """Up to ``n`` received bytes: returns when ``n`` are there or after ``timeout_s``
        simulated seconds (pyserial's ``read`` semantics)."""
        deadline = get_sim_time("ns") + timeout_s * 1e9
        while len(self.received) < n:
            remaining = deadline - get_sim_time("ns")
            if remaining <= 0:
                break
            self._arrived.clear()
            await First(self._arrived.wait(), Timer(max(1, math.ceil(remaining)), unit="ns"))
        out = bytes(self.received[:n])
        del self.received[:n]
        return out
