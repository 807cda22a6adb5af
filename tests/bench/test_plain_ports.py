"""The one-cycle port model ``PlainPMUPorts`` (bench/reference/plain_ports.py): the contract
of the plain reference design bench/reference/plain_pmu.py.

One ``clock()`` is one rising edge: it samples the inputs of the cycle that ends there and
returns the registered outputs of the next cycle. So the response to a request presented in
cycle t is in the outputs returned by the clock() that sampled it (latency 1 cycle).
The pipelined contract of the shipped gateware: tests/model/test_cycle_pipeline.py.
"""

from __future__ import annotations

import pytest

from rvpmu import csr
from rvpmu.model import CSRRequest, PortInputs

from . import BENCH  # noqa: F401 (importing the package puts bench/ on sys.path)
from reference.plain_ports import PlainPMUPorts  # noqa: E402

from ..model.pmu_helpers import (  # noqa: E402
    EV_A, EV_B, EV_C, HCOUNTEREN, LCOFIP, M32, M64, MCOUNTEREN, MCYCLE, MINSTRET, MIP, OF,
    SCOUNTEREN, SCOUNTOVF, SEL_CYCLES, SEL_INSTRET, TEST_EVENTS, XLENS, config, mhpmcounter,
    mhpmcounterh, mhpmevent,
)

Op, Mode, Exc = csr.CSROp, csr.Mode, csr.Exc


def ports(**kw) -> PlainPMUPorts:
    return PlainPMUPorts(config(**kw))


def rd(addr, mode=Mode.M):
    return PortInputs(csr_req=CSRRequest(addr, Op.READ, 0, mode))


def wr(addr, value, mode=Mode.M, op=Op.WRITE):
    return PortInputs(csr_req=CSRRequest(addr, op, value, mode))


IDLE = PortInputs()
INH_U_INSTRET = (1 << 60) | SEL_INSTRET  # mhpmevent: UINH | instructions retired


def test_port_encodings_match_reference():
    """Mode {V, priv}: U=0, S=1, M=3, VU=4, VS=5; ops READ 0, WRITE 1, SET 2, CLEAR 3; exc 0/1/2
    (docs/timing.md); causes 2 and 22 (hardware-pmu.md (b) abbreviations)."""
    assert [int(Mode[m]) for m in ("U", "S", "M", "VU", "VS")] == [0, 1, 3, 4, 5]
    assert [int(o) for o in (Op.READ, Op.WRITE, Op.SET, Op.CLEAR)] == [0, 1, 2, 3]
    assert [int(e) for e in (Exc.NONE, Exc.ILLEGAL_INSTRUCTION, Exc.VIRTUAL_INSTRUCTION)] == \
        [0, 1, 2]


def test_no_request_no_response():
    p = ports()
    out = p.clock(IDLE)
    assert out.csr_rsp.valid is False
    assert out.csr_rsp.rdata == 0 and out.csr_rsp.exc == Exc.NONE
    assert out.lcofip is False


@pytest.mark.parametrize("xlen", XLENS)
def test_read_response_in_same_clock_and_pre_increment_value(xlen):
    p = ports(xlen=xlen)
    for t in range(5):
        out = p.clock(rd(MCYCLE))
        # the read samples cycle t, before cycle t's own increment: t cycles ended before it
        assert out.csr_rsp.valid and out.csr_rsp.hit
        assert out.csr_rsp.exc == Exc.NONE
        assert out.csr_rsp.rdata == t
    # the following cycle's response is the next request's, not a repeat
    out = p.clock(IDLE)
    assert out.csr_rsp.valid is False


def test_one_request_every_cycle():
    p = ports()
    p.clock(wr(mhpmcounter(3), 11))
    p.clock(wr(mhpmcounter(4), 22))
    assert p.clock(rd(mhpmcounter(3))).csr_rsp.rdata == 11
    assert p.clock(rd(mhpmcounter(4))).csr_rsp.rdata == 22


@pytest.mark.parametrize("xlen", XLENS)
def test_write_returns_old_value_and_wins(xlen):
    p = ports(xlen=xlen)
    for _ in range(3):
        p.clock(PortInputs(retired=1))
    out = p.clock(PortInputs(csr_req=CSRRequest(MINSTRET, Op.WRITE, 3), retired=1))
    assert out.csr_rsp.rdata == 3  # old value: 3 retired before
    out = p.clock(PortInputs(csr_req=CSRRequest(MINSTRET, Op.READ), retired=1))
    assert out.csr_rsp.rdata == 3  # rule 21: the written value, no +1
    assert p.clock(rd(MINSTRET)).csr_rsp.rdata == 4


@pytest.mark.parametrize("addr", [0x300, 0x344 + 1, 0xC01, 0xC81, 0xB01, 0x7B0, 0xF14])
def test_non_pmu_address_is_a_miss(addr):
    p = ports()
    out = p.clock(PortInputs(csr_req=CSRRequest(addr, Op.WRITE, 5)))
    assert out.csr_rsp.valid is True
    assert out.csr_rsp.hit is False
    assert out.csr_rsp.rdata == 0
    assert out.csr_rsp.exc == Exc.NONE


def test_illegal_instruction_response():
    p = ports()
    p.clock(wr(MCYCLE, 1234))
    out = p.clock(wr(0xC00, 1))  # rule 11: write to a read-only counter
    assert (out.csr_rsp.valid, out.csr_rsp.hit) == (True, True)
    assert out.csr_rsp.exc == Exc.ILLEGAL_INSTRUCTION
    assert out.csr_rsp.rdata == 0  # 0 on an exception, not the counter value
    out = p.clock(rd(0xC00, Mode.U))  # mcounteren = 0 (rule 12)
    assert out.csr_rsp.exc == Exc.ILLEGAL_INSTRUCTION and out.csr_rsp.rdata == 0
    # a faulting access changes nothing
    assert p.clock(rd(MCYCLE)).csr_rsp.rdata == 1234 + 2


def test_virtual_instruction_response():
    p = ports()
    p.clock(wr(MCOUNTEREN, M32))
    p.clock(wr(HCOUNTEREN, 0))
    out = p.clock(rd(0xC00, Mode.VS))  # rule 14
    assert out.csr_rsp.exc == Exc.VIRTUAL_INSTRUCTION
    assert out.csr_rsp.rdata == 0 and out.csr_rsp.hit
    out = p.clock(rd(HCOUNTEREN, Mode.VS))
    assert out.csr_rsp.exc == Exc.VIRTUAL_INSTRUCTION


def test_read_only_csr_read_is_legal_write_with_zero_is_not():
    """Rule 11 at the port: READ (CSRRS rs1=x0) is legal; WRITE with 0 is still a write."""
    p = ports()
    assert p.clock(rd(SCOUNTOVF)).csr_rsp.exc == Exc.NONE
    assert p.clock(wr(SCOUNTOVF, 0)).csr_rsp.exc == Exc.ILLEGAL_INSTRUCTION
    assert p.clock(wr(0xC02, 0, op=Op.SET)).csr_rsp.exc == Exc.ILLEGAL_INSTRUCTION


def test_rdata_is_xlen_wide_on_rv32():
    p = ports(xlen=32)
    p.clock(wr(mhpmcounter(3), 0xDEAD_BEEF))
    p.clock(wr(mhpmcounterh(3), 0x0123_4567))
    assert p.clock(rd(mhpmcounter(3))).csr_rsp.rdata == 0xDEAD_BEEF
    assert p.clock(rd(mhpmcounterh(3))).csr_rsp.rdata == 0x0123_4567


def test_wdata_port_is_xlen_bits():
    """The wdata port is XLEN bits wide: bits above XLEN do not exist on the port."""
    p = ports(xlen=32)
    p.clock(wr(mhpmcounter(3), (1 << 40) | 5))
    assert p.clock(rd(mhpmcounter(3))).csr_rsp.rdata == 5
    assert p.clock(rd(mhpmcounterh(3))).csr_rsp.rdata == 0


@pytest.mark.parametrize("xlen", XLENS)
def test_lcofip_output(xlen):
    p = ports(xlen=xlen)
    p.clock(wr(mhpmevent(3), SEL_CYCLES))
    if xlen == 64:
        p.clock(wr(mhpmcounter(3), M64 - 1))
    else:
        p.clock(wr(mhpmcounter(3), M32 - 1))
        p.clock(wr(mhpmcounterh(3), M32))
    out = p.clock(IDLE)  # M64-1 -> M64
    assert out.lcofip is False
    out = p.clock(IDLE)  # overflow at this edge: visible in this clock's outputs
    assert out.lcofip is True
    assert p.clock(IDLE).lcofip is True  # a latch
    out = p.clock(wr(MIP, 0))  # software clears it
    assert out.lcofip is False
    out = p.clock(rd(SCOUNTOVF))
    assert out.csr_rsp.rdata == 1 << 3


def test_lcofip_not_lost_on_coincident_mip_write():
    p = ports()
    p.clock(wr(mhpmevent(3), SEL_CYCLES))
    p.clock(wr(mhpmcounter(3), M64))
    out = p.clock(wr(MIP, LCOFIP, op=Op.CLEAR))  # overflow in the same cycle as the clear
    assert out.lcofip is True


def test_events_are_per_input_counts():
    p = ports()
    p.clock(wr(mhpmevent(3), EV_A))
    p.clock(wr(mhpmevent(4), EV_B))
    p.clock(wr(mhpmevent(5), EV_C))
    n = len(TEST_EVENTS)
    assert n == 3
    p.clock(PortInputs(events=(1, 3, 200)))
    p.clock(PortInputs(events=(0, 2, 0)))
    p.clock(PortInputs(events=()))  # empty: nothing fires
    assert p.clock(rd(mhpmcounter(3))).csr_rsp.rdata == 1
    assert p.clock(rd(mhpmcounter(4))).csr_rsp.rdata == 5
    assert p.clock(rd(mhpmcounter(5))).csr_rsp.rdata == 200


def test_retired_mode_and_halt_inputs():
    p = ports()
    p.clock(wr(mhpmevent(3), INH_U_INSTRET))
    p.clock(PortInputs(retired=1, mode=Mode.U))  # filtered (UINH)
    p.clock(PortInputs(retired=1, mode=Mode.S))
    p.clock(PortInputs(retired=1, mode=Mode.M, halt=True))  # halted: nothing moves
    assert p.clock(rd(mhpmcounter(3))).csr_rsp.rdata == 1
    assert p.clock(rd(MINSTRET)).csr_rsp.rdata == 2
    assert p.clock(rd(MCYCLE)).csr_rsp.rdata == 6 - 1  # 6 edges before this read, 1 halted


def test_events_wrong_length_rejected():
    p = ports()
    with pytest.raises(ValueError, match="one count per event input"):
        p.clock(PortInputs(events=(1, 0)))


def test_events_count_above_max_per_cycle_rejected():
    p = ports()
    with pytest.raises(ValueError, match="at most"):
        p.clock(PortInputs(events=(2, 0, 0)))  # ev_a: max_per_cycle 1


def test_events_negative_count_rejected():
    """The port carries 0..max_per_cycle occurrences (docs/timing.md); a negative count is a
    testbench error, not 'no event'."""
    p = ports()
    with pytest.raises(ValueError):
        p.clock(PortInputs(events=(-1, 0, 0)))


def test_reset_clears_state_and_outputs():
    p = ports()
    p.clock(wr(MIP, LCOFIP))
    p.clock(wr(mhpmevent(3), OF | SEL_CYCLES))
    out = p.reset()
    assert out.lcofip is False and out.csr_rsp.valid is False
    assert p.clock(rd(MCYCLE)).csr_rsp.rdata == 0
    assert p.clock(rd(mhpmevent(3))).csr_rsp.rdata == 0
    assert p.clock(rd(MIP)).csr_rsp.rdata == 0


def test_counteren_outputs():
    """docs/timing.md lists mcounteren/scounteren/hcounteren (32-bit) outputs with their current
    values, for the core's own check of the time CSR (bit 1)."""
    p = ports()
    out = p.clock(wr(MCOUNTEREN, 0b10))
    assert out.mcounteren == 0b10
    out = p.clock(wr(SCOUNTEREN, 0b111))
    assert (out.mcounteren, out.scounteren, out.hcounteren) == (0b10, 0b111, 0)
    out = p.clock(wr(HCOUNTEREN, 1 << 1))
    assert out.hcounteren == 1 << 1
    out = p.clock(wr(SCOUNTEREN, 0b10, Mode.S))
    assert out.scounteren == 0b10


def test_mode_port_accepts_encoded_values():
    """A core drives {V, priv} straight onto the port: plain ints work as modes."""
    p = ports()
    p.clock(wr(MCOUNTEREN, M32))
    p.clock(wr(SCOUNTEREN, M32))
    out = p.clock(PortInputs(csr_req=CSRRequest(0xC00, Op.READ, 0, 0)))  # U
    assert out.csr_rsp.exc == Exc.NONE and out.csr_rsp.rdata == 2
    out = p.clock(PortInputs(csr_req=CSRRequest(0xC00, 1, 5, 4)))  # WRITE from VU
    assert out.csr_rsp.exc == Exc.ILLEGAL_INSTRUCTION
