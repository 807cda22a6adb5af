"""Directed sequences per rule, run on the gateware in lock-step with the model.

The model is checked against the rules by tests/model; here every response, LCOFIP and
counter-enable output of the gateware must equal the model's in every cycle.
"""

import pytest

from rvpmu import csr
from rvpmu.csrmap import csr_map
from rvpmu.model import PMUConfig
from rvpmu.model.cycle import CSRRequest, PortInputs

from .lockstep import run_lockstep

M, S, U, VS, VU = csr.Mode.M, csr.Mode.S, csr.Mode.U, csr.Mode.VS, csr.Mode.VU
R, W, SET, CLR = csr.CSROp.READ, csr.CSROp.WRITE, csr.CSROp.SET, csr.CSROp.CLEAR


def acc(addr, op=R, wdata=0, mode=M, **kw):
    return PortInputs(CSRRequest(addr, op, wdata, mode), **kw)


def idle(n=1, **kw):
    return [PortInputs(**kw)] * n


def read_all(cfg, mode=M):
    return [acc(a, R, 0, mode) for a, info in csr_map(cfg).items()]


@pytest.mark.parametrize("cfg", [PMUConfig(), PMUConfig(xlen=32, counter_width=40, has_h=False),
                                 PMUConfig(num_counters=2, has_s=False, has_h=False,
                                           sscofpmf=False)],
                         ids=["rv64", "rv32-w40", "rv64-mu"])
def test_rules_11_to_19_access_matrix(cfg):
    """Every decoded address, every mode, every op, under several counter-enable patterns."""
    seq = []
    patterns = [(0, 0, 0), (0xFFFFFFFF, 0, 0), (0xFFFFFFFF, 0xFFFFFFFF, 0),
                (0xFFFFFFFF, 0, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF),
                (0x5555_5555, 0x3333_3333, 0x0F0F_0F0F)]
    for men, sen, hen in patterns:
        for addr, val in ((csr.MCOUNTEREN, men), (csr.SCOUNTEREN, sen), (csr.HCOUNTEREN, hen)):
            seq.append(acc(addr, W, val))
        for addr in csr_map(cfg):
            for mode in cfg.modes:
                for op in (R, W, SET, CLR):
                    seq.append(acc(addr, op, 0 if op == CLR else 1, mode))
    cov = run_lockstep(cfg, seq, label="access-matrix")
    assert cov["exc1"] > 100 and cov["exc0"] > 100
    if cfg.has_h:
        assert cov["exc2"] > 10


def test_rule_21_write_wins_and_rule_23_inhibit_timing():
    cfg = PMUConfig(num_counters=3)
    seq = [acc(csr.mhpmevent(3), W, csr.EVENT_INSTRET), *idle(2, retired=1),
           acc(csr.MINSTRET, W, 3, retired=1), acc(csr.MINSTRET), acc(csr.mhpmcounter(3)),
           acc(csr.MCOUNTINHIBIT, SET, 1 << csr.IR, retired=1), acc(csr.MINSTRET, retired=1),
           acc(csr.MCOUNTINHIBIT, CLR, 1 << csr.IR, retired=1), acc(csr.MINSTRET, retired=1),
           acc(csr.MINSTRET), acc(csr.mhpmcounter(3), W, 7, retired=1), acc(csr.mhpmcounter(3))]
    run_lockstep(cfg, seq, label="rule21")


@pytest.mark.parametrize("width", [1, 40, 64])
def test_rules_29_to_34_overflow_of_lcofip(width):
    cfg = PMUConfig(num_counters=2, counter_width=width)
    top = (1 << width) - 1
    seq = [acc(csr.mhpmevent(3), W, csr.EVENT_CYCLES), acc(csr.mhpmcounter(3), W, top - 1),
           *idle(3), *read_all(cfg),
           # software clears LCOFIP in the very cycle of the next overflow: not lost (rule 34)
           acc(csr.mhpmevent(3), W, csr.EVENT_CYCLES), acc(csr.mhpmcounter(3), W, top),
           acc(csr.MIP, CLR, 1 << 13), *idle(2),
           # OF already 1: no new request (rule 32); writing OF or all-ones: none (rule 30)
           acc(csr.MIP, W, 0), acc(csr.mhpmcounter(3), W, top), *idle(2),
           acc(csr.mhpmevent(3), W, (1 << 63) | csr.EVENT_NONE), acc(csr.mhpmcounter(4), W, top),
           *idle(2), *read_all(cfg)]
    cov = run_lockstep(cfg, seq, label=f"overflow-w{width}")
    assert cov["lcofip_rise"] >= 1


def test_rule_22_rv32_halves_and_rule_3():
    cfg = PMUConfig(xlen=32, num_counters=2)
    seq = [acc(csr.MCYCLE, W, 0xFFFF_FFFF), acc(csr.MCYCLEH), acc(csr.MCYCLE),
           acc(csr.MCYCLEH, W, 5), acc(csr.MCYCLE), acc(csr.MCYCLEH),
           acc(csr.mhpmeventh(3), W, 0x8000_0000), acc(csr.mhpmevent(3), W, 1),
           acc(csr.mhpmcounterh(3), W, 0xFFFF_FFFF), acc(csr.mhpmcounter(3), W, 0xFFFF_FFFE),
           acc(csr.mhpmevent(3), W, 1), acc(csr.mhpmeventh(3), CLR, 0x8000_0000),
           *idle(4), *read_all(cfg)]
    run_lockstep(cfg, seq, label="rv32-halves")


def test_rules_10_25_26_27_filters_halt_selector0():
    cfg = PMUConfig(num_counters=4)
    inh = {md: 1 << csr.INH_BIT[md] for md in csr.INH_BIT}
    seq = [acc(csr.mhpmevent(3), W, 0), acc(csr.mhpmevent(4), W, inh[U] | csr.EVENT_INSTRET),
           acc(csr.mhpmevent(5), W, inh[VS] | inh[M] | csr.EVENT_CYCLES),
           acc(csr.MCYCLECFG, W, inh[S]), acc(csr.MINSTRETCFG, W, inh[VU])]
    for mode in (M, S, U, VS, VU):
        seq += idle(3, retired=1, mode=mode) + idle(2, retired=1, mode=mode, halt=True)
    seq += read_all(cfg)
    run_lockstep(cfg, seq, label="filters")
