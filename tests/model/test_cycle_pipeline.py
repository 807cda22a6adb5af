"""The pipelined port contract of the shipped gateware (``PMUPorts``, docs/timing.md).

A request presented in cycle t is performed in cycle t + 1 and answered in cycle t + 3; a
cycle's increments are added at the end of the next cycle. Seen from the core, reads and
writes keep the one-cycle meaning: a read presented in cycle t sees every increment of the
cycles before t, and a write presented in cycle t replaces the increment of cycle t.
"""

from __future__ import annotations

import random

import pytest

from rvpmu import csr
from rvpmu.model import CSRRequest, PMUPorts, PortInputs
from rvpmu.model.cycle import CSR_RESPONSE_LATENCY

from .pmu_helpers import (
    EV_A, M64, MCOUNTEREN, MCYCLE, MINSTRET, MIP, SCOUNTOVF, SEL_CYCLES, SEL_INSTRET, XLENS,
    config, mhpmcounter, mhpmevent,
)

Op, Mode, Exc = csr.CSROp, csr.Mode, csr.Exc
IDLE = PortInputs()


def rd(addr, **kw):
    return PortInputs(csr_req=CSRRequest(addr, Op.READ, 0, Mode.M), **kw)


def wr(addr, value, **kw):
    return PortInputs(csr_req=CSRRequest(addr, Op.WRITE, value, Mode.M), **kw)


def answer(p: PMUPorts, inp: PortInputs, fill: PortInputs = IDLE):
    """Present ``inp`` and clock until its response; return the outputs that carry it."""
    outs = [p.clock(inp)] + [p.clock(fill) for _ in range(CSR_RESPONSE_LATENCY - 1)]
    assert [o.csr_rsp.valid for o in outs] == [False] * (CSR_RESPONSE_LATENCY - 1) + [True]
    return outs[-1]


def test_latency_is_three_cycles_and_requests_pipeline():
    assert CSR_RESPONSE_LATENCY == 3 and PMUPorts(config()).latency == 3
    p = PMUPorts(config())
    outs = [p.clock(wr(mhpmcounter(3), 11)), p.clock(wr(mhpmcounter(4), 22)),
            p.clock(rd(mhpmcounter(3))), p.clock(rd(mhpmcounter(4))), p.clock(IDLE),
            p.clock(IDLE), p.clock(IDLE)]
    rsp = [o.csr_rsp for o in outs]
    assert [r.valid for r in rsp] == [False, False, True, True, True, True, False]
    assert [r.rdata for r in rsp[4:6]] == [11, 22]  # back-to-back: the read sees the write


@pytest.mark.parametrize("xlen", XLENS)
def test_read_presented_in_cycle_t_sees_the_cycles_before_t(xlen):
    p = PMUPorts(config(xlen=xlen))
    for _ in range(7):
        p.clock(IDLE)
    assert answer(p, rd(MCYCLE)).csr_rsp.rdata == 7


def test_write_replaces_the_increment_of_its_own_cycle():
    """Rule 21 with the pipeline: the CSR instruction retires in the cycle it is presented."""
    p = PMUPorts(config())
    for _ in range(3):
        p.clock(PortInputs(retired=1))
    outs = [p.clock(wr(MINSTRET, 3, retired=1)), p.clock(rd(MINSTRET, retired=1)),
            p.clock(rd(MINSTRET)), p.clock(IDLE), p.clock(IDLE)]
    assert [o.csr_rsp.rdata for o in outs[2:]] == [3, 3, 4]  # old value; written; + 1 retired


def test_event_selection_changes_two_cycles_after_the_write():
    """A write of mhpmevent presented in cycle t counts events from cycle t + 2 (rule 23): the
    events of cycle t + 1 are selected while the write is being performed."""
    p = PMUPorts(config())
    p.clock(wr(mhpmevent(3), SEL_INSTRET, retired=1))
    p.clock(PortInputs(retired=1))  # t + 1: still the old (none) selection
    p.clock(PortInputs(retired=1))  # t + 2: counted
    p.clock(IDLE)
    assert answer(p, rd(mhpmcounter(3))).csr_rsp.rdata == 1


def test_overflow_sets_of_at_the_next_edge_and_lcofip_one_edge_later():
    p = PMUPorts(config())
    answer(p, wr(mhpmevent(3), EV_A))
    answer(p, wr(mhpmcounter(3), M64))
    out = p.clock(PortInputs(events=(1, 0, 0)))  # the overflowing event
    assert out.lcofip is False
    out = p.clock(IDLE)  # its increment is added at this edge: OF set
    assert out.lcofip is False
    assert p.clock(IDLE).lcofip is True  # LCOFIP one edge after OF (rule 33's latency)
    assert answer(p, rd(SCOUNTOVF)).csr_rsp.rdata == 1 << 3
    assert answer(p, rd(mhpmcounter(3))).csr_rsp.rdata == 0


def test_overflow_while_of_is_set_raises_nothing():
    """Rule 31 through the pipeline: the carry is added while OF = 1, so no LCOFIP."""
    p = PMUPorts(config())
    answer(p, wr(mhpmevent(3), SEL_CYCLES | 1 << csr.MHPMEVENT_OF))
    outs = [answer(p, wr(mhpmcounter(3), M64 - 1))] + [p.clock(IDLE) for _ in range(4)]
    assert not any(o.lcofip for o in outs)
    assert answer(p, rd(mhpmcounter(3))).csr_rsp.rdata < 10  # it did wrap


def test_counteren_output_follows_the_access_cycle():
    p = PMUPorts(config())
    outs = [p.clock(wr(MCOUNTEREN, 0b101)), p.clock(IDLE)]
    assert [o.mcounteren for o in outs] == [0, 0b101]


@pytest.mark.parametrize("seed", range(12))
def test_run_equals_clocking_cycle_by_cycle(seed):
    """``run`` (closed form between accesses) gives the same state as clock() per cycle."""
    rng = random.Random(seed)
    cfg = config()
    a, b = PMUPorts(cfg), PMUPorts(cfg)
    for p in (a, b):
        answer(p, wr(mhpmevent(3), EV_A))
        answer(p, wr(mhpmevent(4), SEL_INSTRET))
        answer(p, wr(mhpmcounter(4), M64 - 40))
    n = rng.choice((1, 2, 3, rng.randint(4, 80)))
    cycles = [(tuple(rng.randint(0, e.max_per_cycle) for e in cfg.events),
               rng.randint(0, cfg.retire_width)) for _ in range(n)]
    for events, retired in cycles:
        a.clock(PortInputs(events=events, retired=retired))
    def totals(k, count):
        part = cycles[k:k + count]
        return (tuple(sum(c[0][i] for c in part) for i in range(len(cfg.events))),
                sum(c[1] for c in part))

    b.run(n, totals, lambda k: cycles[k], Mode.M, False)
    assert a.hart.snapshot() == b.hart.snapshot()
    assert (a.outputs.lcofip, a.lcofi_set()) == (b.outputs.lcofip, b.lcofi_set())
    assert answer(a, rd(mhpmcounter(4))) == answer(b, rd(mhpmcounter(4)))


def test_run_refuses_an_access_in_flight():
    p = PMUPorts(config())
    p.clock(rd(MCYCLE))
    with pytest.raises(ValueError, match="in flight"):
        p.run(5, lambda k, n: ((0, 0, 0), 0), lambda k: ((0, 0, 0), 0), Mode.M, False)
