"""CRC-16/CCITT-FALSE of the frame protocol, one byte per clock.

``crc16_next(crc, byte)`` is the combinational update (the eight shift/XOR steps folded into
one XOR of fixed taps per bit, since the update is linear); the
host's ``rvpmu.boards.host.framing.crc16`` is the same function in Python, and
tests/boards/test_crc.py checks the two against each other and the standard check value.
"""


from amaranth.hdl import Cat, Const, Module, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..protocol import CRC_INIT, CRC_POLY


def _step(crc: int, byte: int) -> int:
    """The byte update on plain integers (linear over GF(2) in ``crc`` and ``byte``)."""
    crc ^= byte << 8
    for _ in range(8):
        crc = ((crc << 1) ^ CRC_POLY if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc


# For output bit k: which state bits and which data bits are XORed into it.
_STATE_TAPS = [[i for i in range(16) if _step(1 << i, 0) >> k & 1] for k in range(16)]
_DATA_TAPS = [[i for i in range(8) if _step(0, 1 << i) >> k & 1] for k in range(16)]


def crc16_next(crc: Value, byte: Value) -> Value:
    """The CRC after feeding ``byte`` (MSB first) to ``crc`` (16 bits): one XOR tree per bit."""
    bits = []
    for k in range(16):
        taps = [crc[i] for i in _STATE_TAPS[k]] + [byte[i] for i in _DATA_TAPS[k]]
        bits.append(Cat(*taps).xor() if taps else Const(0, 1))
    return Cat(*bits)


class CRC16(wiring.Component):
    """A CRC register: ``clear`` loads the initial value, ``en`` feeds ``data``."""

    clear: In(1)
    en: In(1)
    data: In(8)
    crc: Out(16, init=CRC_INIT)

    def elaborate(self, platform):
        m = Module()
        value = Signal(16, init=CRC_INIT)
        m.d.comb += self.crc.eq(value)
        with m.If(self.clear):
            m.d.sync += value.eq(CRC_INIT)
        with m.Elif(self.en):
            m.d.sync += value.eq(crc16_next(value, self.data))
        return m
