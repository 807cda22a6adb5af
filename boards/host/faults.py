"""``FaultyPort``: a port wrapper that damages the link on purpose, to prove recovery.

Each request written goes out intact, or (with probability ``rate``) one of: garbage bytes
before it, a flipped bit (bad CRC), truncated (the rest never sent), or intact but with its
response swallowed on the way back. The driver must recover from all of them without a
wrong result: the board drops damaged frames (answering BAD_CRC where it saw a whole one),
the driver resynchronises and retries with the same sequence number, and the board answers a
retried write or run from its stored result.
"""

from __future__ import annotations

import random

FAULTS = ("garbage", "bad_crc", "truncated", "lost_response")


class FaultyPort:
    def __init__(self, port, rate: float = 0.1, seed: int = 0,
                 faults: tuple[str, ...] = FAULTS):
        self._port = port
        self.rate = rate
        self.rng = random.Random(seed)
        self.faults = faults
        self.injected = {f: 0 for f in FAULTS}
        self._swallow = False  # drop incoming bytes until the next resynchronisation
        self._forced: list[str] = []

    def __getattr__(self, name):
        return getattr(self._port, name)

    @property
    def raw(self):
        """The undamaged port underneath (to put bytes on the line directly)."""
        return self._port

    @property
    def timeout(self):
        return self._port.timeout

    @timeout.setter
    def timeout(self, value):
        self._port.timeout = value

    def inject(self, fault: str) -> None:
        """Damage the next request with ``fault``."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r} (known: {', '.join(FAULTS)})")
        self._forced.append(fault)

    def write(self, data: bytes) -> int:
        data = bytes(data)
        fault = self._forced.pop(0) if self._forced else (
            self.rng.choice(self.faults) if self.rng.random() < self.rate else None)
        if fault is None:
            return self._port.write(data)
        self.injected[fault] += 1
        if fault == "garbage":
            junk = bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(1, 24)))
            self._port.write(junk + data)
        elif fault == "bad_crc":
            i = self.rng.randrange(1, len(data))
            self._port.write(data[:i] + bytes([data[i] ^ (1 << self.rng.randrange(8))]) +
                             data[i + 1:])
        elif fault == "truncated":
            self._port.write(data[:self.rng.randrange(1, len(data))])
        else:  # lost_response
            self._port.write(data)
            self._swallow = True
        return len(data)

    def read(self, size: int = 1) -> bytes:
        data = self._port.read(size)
        if self._swallow and data:
            return b""  # the whole answer is lost; the driver's next resync clears the flag
        return data

    def reset_input_buffer(self) -> None:
        self._swallow = False
        self._port.reset_input_buffer()
