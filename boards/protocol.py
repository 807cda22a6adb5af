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


# Argument bytes of each request (after CMD SEQ).
ARG_LEN = {
    Cmd.HELLO: 0,
    Cmd.CONFIG: 2,  # offset u16
    Cmd.CSR: 12,  # op u8, mode u8, addr u16, wdata u64
    Cmd.RUN: 6,  # cycles u32, mode u8, flags u8 (RUN_STOP_ON_LCOFIP)
    Cmd.GEN: 6,  # register u16, value u32
    Cmd.INPUTS: 4,  # mask u32: bit j set = event input j is driven by board input j
    Cmd.RESET: 0,
    Cmd.STATUS: 0,
}

# Data bytes of each OK response (after CMD SEQ STATUS); CONFIG's is up to CONFIG_CHUNK.
HELLO_LEN = 30
DATA_LEN = {
    Cmd.HELLO: HELLO_LEN,
    Cmd.CONFIG: None,
    Cmd.CSR: 10,  # flags u8 (CSR_HIT, LCOFIP), exc u8, rdata u64
    Cmd.RUN: 5,  # cycles run u32, flags u8 (LCOFIP)
    Cmd.GEN: 0,
    Cmd.INPUTS: 4,  # the debounced levels of the board inputs, u32
    Cmd.RESET: 0,
    Cmd.STATUS: 8,  # u16 each: CRC errors, length errors, frame timeouts, UART errors
}
RESULT_LEN = 10  # the executor's result register: the longest register-held data

# Flag bits in the CSR/RUN data and the RUN request.
FLAG_HIT = 0x01
FLAG_LCOFIP = 0x02
RUN_STOP_ON_LCOFIP = 0x01

# Commands whose repetition (same SEQ and CMD as the last executed one) is answered from the
# stored result instead of executing again: a retried write or run happens exactly once.
REPLAYED = (Cmd.CSR, Cmd.RUN, Cmd.GEN, Cmd.INPUTS, Cmd.RESET)

MAX_RESPONSE_PAYLOAD = 3 + max(CONFIG_CHUNK, *(n for n in DATA_LEN.values() if n is not None))

# HELLO data layout: (name, bytes) in order.
HELLO_FIELDS = (
    ("magic", 4), ("version_major", 1), ("version_minor", 1), ("board", 1), ("inputs", 1),
    ("clk_hz", 4), ("baud", 4), ("frame_timeout", 4), ("config_len", 2), ("config_hash", 8),
)
STATUS_FIELDS = ("crc_errors", "length_errors", "timeouts", "uart_errors")

assert sum(n for _, n in HELLO_FIELDS) == HELLO_LEN
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
