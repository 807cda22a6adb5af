"""``rvpmu-sim://HOST:PORT``: the simulated board (``rvpmu board sim``) with its simulated time.

Over ``socket://`` the TCP stream carries the UART's bytes and nothing else, so the host can
only wait in wall time: a damaged request (no answer) costs a wall-clock allowance for the
simulator's pace. Over ``rvpmu-sim://`` the client opens with ``PREAMBLE`` and both ends then
exchange messages (``encode``/``Decoder``): UART bytes stamped with the simulated time, and
"wait up to N simulated ns" requests, which the server answers by running the simulation
until bytes come (DATA) or the time has passed (TIME). At most one wait is pending: bytes sent
to the client end it. The client's timeouts (``now()``) are simulated seconds, as on
the in-simulator link (``rvpmu.boards.sim.link``): a damaged request costs simulated
microseconds, not seconds of wall time (issue 17 item 5). The server's HELLO carries the
simulated UART's baud rate (4 bytes), which the client's timeouts are computed from.
"""

from __future__ import annotations

import math
import select
import socket
import struct
import time

SCHEME = "rvpmu-sim://"
PREAMBLE = b"\xffRVPMU-SIM-TIMED-1\n"  # 0xff: never the start of a board frame
HEADER = struct.Struct("<cQH")  # kind, simulated time in ns, payload length
HELLO, DATA, WAIT, TIME = b"H", b"D", b"W", b"T"
MAX_PAYLOAD = 0xFFFF
WALL_LIMIT = 60.0  # seconds without any message from the server: it is gone


def encode(kind: bytes, sim_ns: int, payload: bytes = b"") -> bytes:
    out = b""
    for i in range(0, max(len(payload), 1), MAX_PAYLOAD):
        chunk = payload[i:i + MAX_PAYLOAD]
        out += HEADER.pack(kind, sim_ns, len(chunk)) + chunk
    return out


class Decoder:
    """Messages out of a byte stream: ``feed(data)`` returns the complete ones."""

    def __init__(self):
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[tuple[bytes, int, bytes]]:
        self._buf += data
        out = []
        while len(self._buf) >= HEADER.size:
            kind, sim_ns, n = HEADER.unpack_from(self._buf)
            if len(self._buf) < HEADER.size + n:
                break
            out.append((kind, sim_ns, bytes(self._buf[HEADER.size:HEADER.size + n])))
            del self._buf[:HEADER.size + n]
        return out


class SimLinkError(OSError):
    """The simulated board went away or is not speaking the timed link."""


class TimedSimPort:
    """A pyserial-like port to ``rvpmu board sim`` whose ``timeout`` and ``now()`` are the
    simulation's seconds."""

    def __init__(self, url: str, baudrate: int, connect_seconds: float = 10.0):
        from .driver import SIM_BUSY

        host, _, port = url[len(SCHEME):].rpartition(":")
        if not host or not port.isdigit():
            raise SimLinkError(f"{url}: expected {SCHEME}HOST:PORT")
        self.port, self.baudrate, self.timeout = url, baudrate, 0.001
        self._sock = socket.create_connection((host, int(port)), timeout=connect_seconds)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._decoder, self._data, self._sim_ns = Decoder(), bytearray(), 0
        self._time_up, self._messages, self._baud = False, 0, 0
        self._sock.sendall(PREAMBLE)
        heard, deadline = b"", time.monotonic() + connect_seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._sock], [], [], 0.1)
            if not ready:
                continue
            chunk = self._sock.recv(4096)
            if not chunk:
                break
            heard += chunk
            if SIM_BUSY in heard:
                self.close()
                raise SimLinkError("the simulated board is busy with another client; try "
                                   "again when it has finished")
            if heard.startswith(HELLO):
                self._take(self._decoder.feed(heard))
                if self._baud:
                    self.baudrate = self._baud  # the simulated UART's, not the --baud given
                return
        self.close()
        raise SimLinkError(f"{url}: no `rvpmu board sim` answers there")

    def now(self) -> float:
        return self._sim_ns * 1e-9

    def _take(self, messages) -> None:
        for kind, sim_ns, payload in messages:
            self._sim_ns = max(self._sim_ns, sim_ns)
            self._messages += 1
            if kind == TIME:
                self._time_up = True
            elif kind == HELLO and len(payload) == 4:
                self._baud = int.from_bytes(payload, "little")
            elif kind == DATA:
                self._data += payload

    def _pump(self, wait: float) -> bool:
        """Read what the server sent, waiting up to ``wait`` wall seconds for it."""
        ready, _, _ = select.select([self._sock], [], [], wait)
        if not ready:
            return False
        chunk = self._sock.recv(65536)
        if not chunk:
            raise SimLinkError(f"{self.port}: the simulated board closed the connection")
        self._take(self._decoder.feed(chunk))
        return True

    def _wait(self, ns: int) -> None:
        """Ask the server to run up to ``ns`` simulated ns; return at its answer (bytes for
        the client, which end the wait, or the time)."""
        self._time_up = False
        seen = self._messages
        self._sock.sendall(encode(WAIT, ns))
        while self._messages == seen:
            if not self._pump(WALL_LIMIT):
                raise SimLinkError(f"{self.port}: the simulated board stopped answering")

    def write(self, data: bytes) -> int:
        """Send ``data``; ``now()`` is then the time the board's UART has received it."""
        self._sock.sendall(encode(DATA, 0, bytes(data)))
        self._wait(0)
        return len(data)

    def read(self, size: int = 1) -> bytes:
        """Up to ``size`` bytes: as soon as there are ``size``, or when ``timeout`` simulated
        seconds have passed."""
        ns = max(1, math.ceil((self.timeout or 0.0) * 1e9))  # 0 ns would never move the time
        while len(self._data) < size:
            self._wait(ns)
            if self._time_up:
                break
        out = bytes(self._data[:size])
        del self._data[:size]
        return out

    @property
    def in_waiting(self) -> int:
        while self._pump(0):
            pass
        return len(self._data)

    def reset_input_buffer(self) -> None:
        self.in_waiting  # noqa: B018  (read what has arrived, then drop it)
        self._data.clear()

    def close(self) -> None:
        self._sock.close()
