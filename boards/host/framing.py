"""Host side of the frame format: request/response encoding, a resynchronising decoder.

The numbers are ``rvpmu.boards.protocol``'s; docs/board-protocol.md describes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import protocol as P
from ..protocol import crc16


def frame(sync: int, payload: bytes) -> bytes:
    if not 0 < len(payload) < 256:
        raise ValueError(f"a frame carries 1..255 payload bytes, got {len(payload)}")
    body = bytes([len(payload)]) + payload
    return bytes([sync]) + body + crc16(body).to_bytes(2, "big")


def encode_request(cmd: int, seq: int, args: bytes = b"") -> bytes:
    return frame(P.REQUEST_SYNC, bytes([cmd, seq & 0xFF]) + args)


def encode_response(cmd: int, seq: int, status: int, data: bytes = b"") -> bytes:
    return frame(P.RESPONSE_SYNC, bytes([cmd, seq & 0xFF, status]) + data)


@dataclass(frozen=True)
class Frame:
    payload: bytes
    crc_ok: bool


class FrameDecoder:
    """Feed it bytes as they arrive; it returns every complete frame that starts with ``sync``.

    A frame with a bad CRC is reported (``crc_ok=False``) and the search resumes at the byte
    after its SYNC, so a frame hidden behind garbage that looked like a frame start is still
    found. Bytes that cannot start a frame are counted in ``discarded``.
    """

    def __init__(self, sync: int = P.RESPONSE_SYNC, max_payload: int = P.MAX_RESPONSE_PAYLOAD,
                 min_payload: int = 3):
        self.sync, self.max_payload, self.min_payload = sync, max_payload, min_payload
        self.buf = bytearray()
        self.discarded = 0

    def reset(self) -> None:
        self.buf.clear()

    def feed(self, data: bytes) -> list[Frame]:
        self.buf += data
        out = []
        while True:
            start = self.buf.find(self.sync)
            if start < 0:
                self.discarded += len(self.buf)
                self.buf.clear()
                return out
            if start:
                self.discarded += start
                del self.buf[:start]
            if len(self.buf) < 2:
                return out
            n = self.buf[1]
            if not self.min_payload <= n <= self.max_payload:
                self.discarded += 1
                del self.buf[:1]
                continue
            if len(self.buf) < n + 4:
                return out
            body = bytes(self.buf[1:2 + n])
            ok = crc16(body) == int.from_bytes(self.buf[2 + n:4 + n], "big")
            if ok:
                out.append(Frame(body[1:], True))
                del self.buf[:n + 4]
            else:
                out.append(Frame(body[1:], False))
                self.discarded += 1
                del self.buf[:1]
