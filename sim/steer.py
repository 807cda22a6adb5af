"""Stimulus steered at coverage holes: a short constrained-random sequence per hole.

``steer(config, hole, rng)`` returns the ``PortInputs`` of a sequence built to hit one bin of
``rvpmu.sim.bins`` with random data (values, event counts, which other counters move), so that
repeated seeds close the same holes along different paths. The directed test runs it on what
the sequences and sweeps left open, until coverage closes or its cycle budget ends.
"""

from __future__ import annotations

import random

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import csr_map
from rvpmu.model.cycle import PortInputs

from .bins import OF_BIT, selector_boundaries
from .directed import CLR, W, acc, idle, write64
from .sweeps import LCOFIP, set_clear_field, write_counter, write_event

M = csr.Mode.M


def _events(cfg: PMUConfig, rng: random.Random, mode: csr.Mode = M, n: int = 1) -> list:
    return [PortInputs(None, tuple(rng.randint(0, e.max_per_cycle) for e in cfg.events),
                       rng.randint(0, cfg.retire_width), mode) for _ in range(n)]


def _addresses(cfg: PMUConfig, reg: str) -> list:
    return [info for info in csr_map(cfg).values() if info.reg == reg and info.exists
            and not info.read_only]


def _route(cfg, rng, i, sel):
    seq = write_event(cfg, i, sel) + _events(cfg, rng, n=3)
    if sel >= csr.EVENT_EXTERNAL_BASE:  # make sure its input fires
        k = sel - csr.EVENT_EXTERNAL_BASE
        seq.append(PortInputs(None, tuple(1 if j == k else 0 for j in range(len(cfg.events))),
                              rng.randint(0, cfg.retire_width)))
    elif sel == csr.EVENT_INSTRET:
        seq.append(PortInputs(None, retired=max(1, rng.randint(0, cfg.retire_width))))
    return seq + idle(2) + [acc(csr.MHPMCOUNTER_BASE + i)] + idle(2)


def _overflow(cfg, rng, i, _stage):  # one sequence passes every stage
    top = (1 << cfg.counter_width) - 1
    seq = [acc(csr.MIP, W, 0)] + write_event(cfg, i, csr.EVENT_CYCLES)
    seq += write_counter(cfg, i, top - rng.randint(0, 2)) + idle(4)
    return seq + [acc(csr.SCOUNTOVF), acc(csr.MIP), acc(csr.MIP, CLR, LCOFIP)] + \
        write_event(cfg, i, csr.EVENT_NONE) + idle(2)


def _filter(cfg, rng, i, mode, outcome):
    md = csr.Mode[mode]
    inh = 1 << csr.INH_BIT[md] if outcome == "inhibited" else 0
    seq = [acc(csr.MCOUNTINHIBIT, CLR, 1 << i)]
    if i in (csr.CY, csr.IR):
        base = csr.MCYCLECFG if i == csr.CY else csr.MINSTRETCFG
        seq += write64(cfg, base, base + 0x400, inh)
    else:
        seq += write_event(cfg, i, inh | csr.EVENT_CYCLES)
    return seq + idle(2) + _events(cfg, rng, md, 2) + idle(2) + \
        [acc(csr.MHPMCOUNTER_BASE + i)] + idle(2)


def _setclr(cfg, rng, reg, field, op):
    return set_clear_field(cfg, rng, reg, field, op) + idle(2)


def _warl(cfg, rng, reg, boundary):
    if reg.startswith("mhpmevent"):
        value = {name: v for v, name in selector_boundaries(cfg).items()}[boundary]
        flags = rng.getrandbits(6) << 58 if rng.random() < 0.5 else 0
        i = int(reg.removeprefix("mhpmevent"))
        return write_event(cfg, i, value | flags) + [acc(csr.mhpmevent(i))] + idle(2)
    seq = []
    for info in _addresses(cfg, reg):
        seq += [acc(info.addr, W, (1 << cfg.xlen) - 1), acc(info.addr)]
    return seq + idle(2)


def _carry(cfg, rng, i):
    seq = [acc(csr.MCOUNTINHIBIT, CLR, 1 << i)]
    if i >= csr.HPM_FIRST:
        seq += write_event(cfg, i, csr.EVENT_CYCLES)
    seq += write_counter(cfg, i, (rng.getrandbits(32) << 32) | 0xFFFF_FFFF - rng.randint(1, 3))
    seq += [acc(csr.MHPMCOUNTER_BASE + i)] * 6
    return [PortInputs(p.csr_req, retired=cfg.retire_width) for p in seq] + idle(2)


def _scountovf(cfg, rng, mode, enables):
    hpm = list(cfg.hpm_indices)
    impl = sum(1 << i for i in hpm)
    i = rng.choice(hpm)
    mixed = (impl & rng.getrandbits(32)) or (1 << hpm[0])
    if mixed == impl and len(hpm) > 1:
        mixed &= ~(1 << hpm[-1])
    en = {"none": 0, "all": 0xFFFF_FFFF, "mixed": mixed}[enables]
    return write_event(cfg, i, OF_BIT | csr.EVENT_NONE) + \
        [acc(csr.MCOUNTEREN, W, en), acc(csr.HCOUNTEREN, W, 0xFFFF_FFFF),
         acc(csr.SCOUNTOVF, mode=csr.Mode[mode]), acc(csr.MCOUNTEREN, W, 0)] + \
        write_event(cfg, i, csr.EVENT_NONE) + idle(2)


_AIMS = {"route": _route, "overflow": _overflow, "filter": _filter, "setclr": _setclr,
         "warl": _warl, "carry": _carry, "scountovf": _scountovf}


def steer(cfg: PMUConfig, hole: tuple, rng: random.Random) -> list[PortInputs]:
    """A short random sequence aimed at ``hole`` (a bin of ``rvpmu.sim.bins``)."""
    family, *key = hole
    if family not in _AIMS:
        return idle(1)  # "port": any compared cycle
    return _AIMS[family](cfg, rng, *key)
