"""``SimSerial``: a pyserial-like port whose other end is the UART BFM of the simulated board.

The host code (``BoardClient``, the checks, the KVM model) runs in a ``cocotb.task.bridge``
thread; each ``write``/``read`` hands control to the simulator through ``cocotb.task.resume``
and blocks until it is done, so host and simulation take turns, deterministically. Timeouts are
simulated seconds (``now()`` is the simulation time), which the client picks up.
"""

from __future__ import annotations

from cocotb.simtime import get_sim_time

from .bfm import UartBFM


class SimSerial:
    def __init__(self, bfm: UartBFM, resume, baudrate: int):
        self._bfm = bfm
        self._send = resume(bfm.send)
        self._recv = resume(bfm.recv)
        self.baudrate = baudrate
        self.timeout: float | None = 1e-3
        self.port = "simulated board"

    def write(self, data: bytes) -> int:
        self._send(bytes(data))
        return len(data)

    def read(self, size: int = 1) -> bytes:
        return self._recv(size, self.timeout or 0.0)

    @property
    def in_waiting(self) -> int:
        return len(self._bfm.received)

    def reset_input_buffer(self) -> None:
        self._bfm.received.clear()

    def now(self) -> float:
        return get_sim_time("ns") * 1e-9

    def close(self) -> None:
        pass
