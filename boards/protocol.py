"""The board link protocol, version 1: the constants the gateware and the host share.

Everything here is data: frame bytes, command and status codes, argument and result lengths.
The gateware (``rvpmu.boards.gateware``) builds its parser, executor and sender from it; the
host (``rvpmu.boards.host``) encodes and decodes frames with it. docs/board-protocol.md is the
prose description of the same numbers.

A frame is ``SYNC LEN PAYLOAD[LEN] CRC_HI CRC_LO``: ``LEN`` counts the payload bytes, the CRC is
CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR) over
``LEN`` and the payload: ``CRC``, from ``amaranth.lib.crc``'s catalogue, whose ``Processor``
the gateware instantiates and whose ``compute`` the host calls. Requests start with ``REQUEST_SYNC`` and carry ``CMD SEQ ARGS...``;
responses start with ``RESPONSE_SYNC`` and carry ``CMD SEQ STATUS DATA...``. Integers are
little-endian.
"""

from __future__ import annotations

import enum

from amaranth.lib.crc import catalog

VERSION_MAJOR = 1
VERSION_MINOR = 0

REQUEST_SYNC = 0x5A
RESPONSE_SYNC = 0xA5
MAGIC = b"RVPM"

CRC = catalog.CRC16_CCITT_FALSE(data_width=8)  # one byte per step, MSB first

MIN_REQUEST_PAYLOAD = 2  # CMD SEQ
MAX_REQUEST_PAYLOAD = 16  # longer LEN bytes are rejected at once (resynchronisation)
CONFIG_CHUNK = 32  # bytes of configuration text per CONFIG response


class Cmd(enum.IntEnum):
    HELLO = 0x01  # identify: protocol version, board, clock, link timing, configuration hash
    CONFIG = 0x02  # read the PMU configuration (TOML text) from an offset
    CSR = 0x10  # one CSR access in a given mode, in a halted cycle
    RUN = 0x20  # run exactly N cycles in a mode (optionally stopping at LCOFIP)
    GEN = 0x30  # write a register of the event generator
    INPUTS = 0x31  # choose which event inputs the board's buttons/switches drive
    RESET = 0x40  # reset the PMU, the generator, the run control and the input selection
    STATUS = 0x41  # link error counters


class Status(enum.IntEnum):
    OK = 0
    BAD_CRC = 1  # the frame's CRC did not match (CMD/SEQ echo the damaged frame)
    BAD_COMMAND = 2  # unknown CMD
    BAD_LENGTH = 3  # LEN does not fit CMD
    BAD_ARGUMENT = 4  # an argument is out of range (mode, CSR op/address, generator register)


class Board(enum.IntEnum):
    SIMULATION = 0
    ULX3S = 1
    ARTY_A7 = 2


# Request arguments (after CMD SEQ) and OK response data (after CMD SEQ STATUS): (field,
# bytes) in order, little-endian. The host packs and unpacks with ``pack``/``unpack``, the
# gateware slices and assembles with ``offsets``: one definition for both ends of the link.
ARGS = {
    Cmd.HELLO: (),
    Cmd.CONFIG: (("offset", 2),),
    Cmd.CSR: (("op", 1), ("mode", 1), ("addr", 2), ("wdata", 8)),
    Cmd.RUN: (("cycles", 4), ("mode", 1), ("flags", 1)),  # flags: RUN_STOP_ON_LCOFIP
    Cmd.GEN: (("register", 2), ("value", 4)),
    Cmd.INPUTS: (("mask", 4),),  # bit j set = event input j is driven by board input j
    Cmd.RESET: (),
    Cmd.STATUS: (),
}

# HELLO data layout.
HELLO_FIELDS = (
    ("magic", 4), ("version_major", 1), ("version_minor", 1), ("board", 1), ("inputs", 1),
    ("clk_hz", 4), ("baud", 4), ("frame_timeout", 4), ("config_len", 2), ("config_hash", 8),
)
STATUS_FIELDS = ("crc_errors", "length_errors", "timeouts", "uart_errors")  # wrapping u16

DATA = {  # CONFIG's data is up to CONFIG_CHUNK bytes of the configuration text
    Cmd.HELLO: HELLO_FIELDS,
    Cmd.CSR: (("flags", 1), ("exc", 1), ("rdata", 8)),  # flags: FLAG_HIT, FLAG_LCOFIP
    Cmd.RUN: (("cycles", 4), ("flags", 1)),  # cycles run; flags: FLAG_LCOFIP
    Cmd.GEN: (),
    Cmd.INPUTS: (("levels", 4),),  # the debounced levels of the board inputs
    Cmd.RESET: (),
    Cmd.STATUS: tuple((name, 2) for name in STATUS_FIELDS),
}


def offsets(fields) -> dict[str, tuple[int, int]]:
    """Each field's (byte offset, byte count) in a layout of ``ARGS``/``DATA``."""
    out, pos = {}, 0
    for name, size in fields:
        out[name] = (pos, size)
        pos += size
    return out


def pack(fields, **values) -> bytes:
    """The bytes of a layout; a field left out is 0, a value that does not fit is refused."""
    unknown = set(values) - {name for name, _ in fields}
    if unknown:
        raise ValueError(f"no field {sorted(unknown)[0]!r} in this layout")
    out = b""
    for name, size in fields:
        v = values.get(name, 0)
        if isinstance(v, bytes):
            if len(v) != size:
                raise ValueError(f"{name} takes {size} bytes, got {len(v)}")
            out += v
        elif not 0 <= int(v) < 1 << 8 * size:
            raise ValueError(f"{name} is a {8 * size}-bit field, got {v}")
        else:
            out += int(v).to_bytes(size, "little")
    return out


def unpack(fields, data: bytes, *, raw: tuple[str, ...] = ()) -> dict:
    """The fields of a layout as unsigned integers, those named in ``raw`` as bytes (``data``
    at least as long)."""
    return {name: bytes(data[pos:pos + size]) if name in raw else
            int.from_bytes(data[pos:pos + size], "little")
            for name, (pos, size) in offsets(fields).items()}


def length(fields) -> int:
    return sum(size for _, size in fields)


ARG_LEN = {c: length(f) for c, f in ARGS.items()}
HELLO_LEN = length(HELLO_FIELDS)
DATA_LEN = {Cmd.CONFIG: None, **{c: length(f) for c, f in DATA.items()}}
RESULT_LEN = 10  # the executor's result register: the longest register-held data

# Flag bits in the CSR/RUN data and the RUN request.
FLAG_HIT = 0x01
FLAG_LCOFIP = 0x02
RUN_STOP_ON_LCOFIP = 0x01

# Commands whose repetition (same SEQ and CMD as the last executed one) is answered from the
# stored result instead of executing again: a retried write or run happens exactly once.
REPLAYED = (Cmd.CSR, Cmd.RUN, Cmd.GEN, Cmd.INPUTS, Cmd.RESET)

MAX_RESPONSE_PAYLOAD = 3 + max(CONFIG_CHUNK, *(n for n in DATA_LEN.values() if n is not None))

assert max(ARG_LEN.values()) + MIN_REQUEST_PAYLOAD <= MAX_REQUEST_PAYLOAD
assert all(n is None or n <= RESULT_LEN for c, n in DATA_LEN.items() if c != Cmd.HELLO)


def crc16(data: bytes) -> int:
    """The frame CRC of ``data`` (``crc16(b"123456789") == 0x29B1``)."""
    return CRC.compute(data)


def config_text(config) -> bytes:
    """The configuration as the board stores it (``PMUConfig.to_toml``, UTF-8)."""
    return config.to_toml().encode("utf-8")


def config_hash(text: bytes) -> bytes:
    """The 8-byte identity of a configuration text that HELLO reports (SHA-256 prefix)."""
    import hashlib

    return hashlib.sha256(text).digest()[:8]
