"""Directed port-level sequences, one per group of rules (hardware-pmu.md section (b)).

Each returns the ``PortInputs`` of every cycle; the Amaranth tests and the cocotb testbenches
run them in lock-step with the model, so each rule is exercised on every simulator.
"""

from __future__ import annotations

from collections.abc import Callable

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import csr_map
from rvpmu.model.cycle import CSR_RESPONSE_LATENCY, CSRRequest, PortInputs

M, S, U, VS, VU = csr.Mode.M, csr.Mode.S, csr.Mode.U, csr.Mode.VS, csr.Mode.VU
R, W, SET, CLR = csr.CSROp.READ, csr.CSROp.WRITE, csr.CSROp.SET, csr.CSROp.CLEAR


def acc(addr: int, op: csr.CSROp = R, wdata: int = 0, mode: csr.Mode = M, **kw) -> PortInputs:
    return PortInputs(CSRRequest(addr, op, wdata, mode), **kw)


def idle(n: int = 1, **kw) -> list[PortInputs]:
    return [PortInputs(**kw)] * n


def write64(cfg: PMUConfig, addr: int, addrh: int, value: int, op: csr.CSROp = W,
            **kw) -> list[PortInputs]:
    """A 64-bit register: one access on RV64, the high half then the low half on RV32."""
    if cfg.xlen == 64:
        return [acc(addr, op, value, **kw)]
    return [acc(addrh, op, value >> 32, **kw), acc(addr, op, value & 0xFFFF_FFFF, **kw)]


def read_all(cfg: PMUConfig, mode: csr.Mode = M) -> list[PortInputs]:
    """Read every address, then wait until the last read is answered (docs/timing.md)."""
    return [acc(a, R, 0, mode) for a in csr_map(cfg)] + idle(CSR_RESPONSE_LATENCY - 1)


def access_matrix(cfg: PMUConfig) -> list[PortInputs]:
    """Rules 1, 3-7, 11-19: every decoded address x mode x op under counter-enable patterns."""
    seq = []
    patterns = [(0, 0, 0), (0xFFFFFFFF, 0, 0), (0xFFFFFFFF, 0xFFFFFFFF, 0),
                (0xFFFFFFFF, 0, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF),
                (0x5555_5555, 0x3333_3333, 0x0F0F_0F0F)]
    enables = (csr.MCOUNTEREN, csr.SCOUNTEREN, csr.HCOUNTEREN)
    for men, sen, hen in patterns:
        def set_pattern() -> list[PortInputs]:
            return [acc(a, W, v) for a, v in zip(enables, (men, sen, hen))]
        seq += set_pattern()
        for addr in csr_map(cfg):
            for mode in cfg.modes:
                # writes of the enables themselves would change the pattern under test
                for op in ((R,) if addr in enables else (R, W, SET, CLR)):
                    seq.append(acc(addr, op, 0 if op == CLR else 1, mode))
        for addr in enables:  # now the enables' own write checks, then the pattern again
            for mode in cfg.modes:
                seq += [acc(addr, op, 0 if op == CLR else 1, mode) for op in (W, SET, CLR)]
                seq += set_pattern()
    return seq


def write_wins(cfg: PMUConfig) -> list[PortInputs]:
    """Rules 21, 23: the explicit write wins; mcountinhibit applies from the next cycle."""
    seq = [acc(csr.MINSTRET, W, 3, retired=1), acc(csr.MINSTRET), acc(csr.MCYCLE, W, 9),
           acc(csr.MCYCLE), acc(csr.MCOUNTINHIBIT, SET, 1 << csr.IR, retired=1),
           acc(csr.MINSTRET, retired=1), acc(csr.MCOUNTINHIBIT, CLR, 1 << csr.IR, retired=1),
           acc(csr.MINSTRET, retired=1), acc(csr.MINSTRET)]
    if cfg.num_counters:
        seq = [acc(csr.mhpmevent(3), W, csr.EVENT_INSTRET), *idle(2, retired=1)] + seq + \
              [acc(csr.mhpmcounter(3), W, 7, retired=1), acc(csr.mhpmcounter(3))]
    return seq


def overflow(cfg: PMUConfig) -> list[PortInputs]:
    """Rules 29-34: carry-out sets OF and LCOFIP; not when OF is set; never by a write."""
    if not cfg.num_counters:
        return read_all(cfg)
    top = (1 << cfg.counter_width) - 1
    c3, e3 = csr.mhpmcounter(3), csr.mhpmevent(3)

    def set_c3(value: int) -> list[PortInputs]:
        if cfg.xlen == 64:
            return [acc(c3, W, value)]
        return [acc(csr.mhpmcounterh(3), W, value >> 32), acc(c3, W, value & 0xFFFF_FFFF)]

    seq = [acc(e3, W, csr.EVENT_CYCLES), *set_c3(top - 1), *idle(3), *read_all(cfg),
           # software clears LCOFIP in the very cycle of the next overflow: not lost (rule 34)
           acc(e3, W, csr.EVENT_CYCLES), *set_c3(top), acc(csr.MIP, CLR, 1 << 13),
           *idle(2),
           # OF already 1: no new request (rule 32); writing all-ones or OF: none (rule 30)
           acc(csr.MIP, W, 0), *set_c3(top), *idle(2),
           # an mhpmevent write in the overflow cycle: on RV32 (low half) OF is still set
           acc(e3, W, csr.EVENT_CYCLES), acc(csr.MIP, W, 0), *set_c3(top),
           acc(e3, W, csr.EVENT_CYCLES), *read_all(cfg)]
    if cfg.xlen == 64:
        seq.append(acc(e3, W, (1 << 63) | csr.EVENT_NONE))
    else:
        seq += [acc(e3, W, csr.EVENT_NONE), acc(csr.mhpmeventh(3), W, 1 << 31)] \
            if cfg.sscofpmf else [acc(e3, W, csr.EVENT_NONE)]
    return seq + [*idle(2), *read_all(cfg)]


def rv32_halves(cfg: PMUConfig) -> list[PortInputs]:
    """Rules 3, 22: each half reads and writes only its 32 bits; a write drops the increment."""
    if cfg.xlen != 32:
        return []
    seq = [acc(csr.MCYCLE, W, 0xFFFF_FFFF), acc(csr.MCYCLEH), acc(csr.MCYCLE),
           acc(csr.MCYCLEH, W, 5), acc(csr.MCYCLE), acc(csr.MCYCLEH)]
    if cfg.num_counters:
        seq += [acc(csr.mhpmevent(3), W, 1), acc(csr.mhpmcounterh(3), W, 0xFFFF_FFFF),
                acc(csr.mhpmcounter(3), W, 0xFFFF_FFFE)]
        if cfg.sscofpmf:
            seq += [acc(csr.mhpmeventh(3), W, 0x8000_0000), acc(csr.mhpmeventh(3), CLR, 1 << 31)]
    return seq + [*idle(4), *read_all(cfg)]


def filters(cfg: PMUConfig) -> list[PortInputs]:
    """Rules 10, 20, 25-27: selector 0, inhibit, xINH per mode, Smcntrpmf, halt."""
    inh = {md: 1 << csr.INH_BIT[md] for md in csr.INH_BIT}

    seq = []
    hpm = list(cfg.hpm_indices)
    if len(hpm) >= 3:
        ev = [0, inh[U] | csr.EVENT_INSTRET, inh[VS] | inh[M] | csr.EVENT_CYCLES]
        for i, value in zip(hpm, ev):
            if cfg.xlen == 32 and not cfg.sscofpmf:
                value &= 0xFFFF_FFFF  # no mhpmeventNh without Sscofpmf
            seq += write64(cfg, csr.mhpmevent(i), csr.mhpmeventh(i), value)
    if cfg.smcntrpmf:
        seq += write64(cfg, csr.MCYCLECFG, csr.MCYCLECFGH, inh[S])
        seq += write64(cfg, csr.MINSTRETCFG, csr.MINSTRETCFGH, inh[VU])
    for mode in cfg.modes:
        seq += idle(3, retired=1, mode=mode) + idle(2, retired=1, mode=mode, halt=True)
    return seq + read_all(cfg)


SEQUENCES: dict[str, Callable[[PMUConfig], list[PortInputs]]] = {
    "access_matrix": access_matrix,
    "write_wins": write_wins,
    "overflow": overflow,
    "rv32_halves": rv32_halves,
    "filters": filters,
}
