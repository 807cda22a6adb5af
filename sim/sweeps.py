"""Directed sweeps over every counter, not only the first (issue 14, item 2).

Each sweep returns the ``PortInputs`` of every cycle. Like ``rvpmu.sim.directed`` they only
provoke behaviour: the scoreboard compares every output with the model in every cycle, so a
sweep needs no expected values of its own. What each sweep is built to expose:

- ``routing``: every event selector reaches every counter (a wrong or stuck select line shows,
  because each input carries a different random count stream);
- ``mode_filters``: counter x mode x xINH bit, and every mcountinhibit bit set and clear
  (modes run for 1, 2, 4, 8, 16 cycles so a count names exactly the modes it counted in);
- ``overflow_each``: per counter, one at a time: OF set, scountovf bit, LCOFIP raised,
  acknowledged, no second request while OF is set; a multi-count increment across the top;
- ``scountovf_masks``: scountovf read in every mode while OF bits are set, under mixed
  mcounteren/hcounteren patterns (rule 19);
- ``set_clear``: csrrs/csrrc whose data changes the value, on every writable register;
- ``warl``: WARL boundaries of every WARL field (selector at and above the legal range,
  read-only bits, counter widths);
- ``carry_pending``: reads of every counter in each cycle around a wrap of its low 32 bits,
  so a read lands in the cycle a split counter's carry is pending;
- ``decode``: every address one bit away from a decoded one that the PMU does not decode, with
  every op and several modes: it must miss (a decoder that ignores an address bit answers it).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import by_name, csr_map

from .bins import CounterBins, register_fields

from .directed import CLR, SET, W, acc, idle, read_all, write64
from .stimulus import near_misses

M = csr.Mode.M
OF_BIT = 1 << csr.MHPMEVENT_OF
LCOFIP = 1 << csr.MIP_LCOFIP_BIT
CYCLE_LENGTHS = (1, 2, 4, 8, 16)
SET_CLEAR_TRIALS = 4  # per register field and op, each with other random bits  # per mode: a sum of distinct powers names the modes counted


def counter_indices(cfg: PMUConfig) -> list[int]:
    return [csr.CY, csr.IR, *cfg.hpm_indices]


def counter_width(cfg: PMUConfig, index: int) -> int:
    return 64 if index in (csr.CY, csr.IR) else cfg.counter_width


def write_counter(cfg: PMUConfig, index: int, value: int, **kw) -> list:
    return write64(cfg, csr.MHPMCOUNTER_BASE + index, csr.MHPMCOUNTERH_BASE + index, value, **kw)


def write_event(cfg: PMUConfig, index: int, value: int, **kw) -> list:
    """mhpmeventN as a 64-bit value; without Sscofpmf RV32 has no high half to write."""
    if cfg.xlen == 32 and not cfg.sscofpmf:
        return [acc(csr.mhpmevent(index), W, value & 0xFFFF_FFFF, **kw)]
    return write64(cfg, csr.mhpmevent(index), csr.mhpmeventh(index), value, **kw)


def read_counters(cfg: PMUConfig, *, shadow: bool = False, **kw) -> list:
    """Every counter through its machine address (or its user-level shadow, read in M)."""
    base, baseh = (csr.HPMCOUNTER_BASE, csr.HPMCOUNTERH_BASE) if shadow else \
        (csr.MHPMCOUNTER_BASE, csr.MHPMCOUNTERH_BASE)
    seq = []
    for i in counter_indices(cfg):
        seq.append(acc(base + i, **kw))
        if cfg.xlen == 32:
            seq.append(acc(baseh + i, **kw))
    return seq


class _Events:
    """Random per-input counts for the cycles of a sweep, reproducible from its name."""

    def __init__(self, cfg: PMUConfig, seed: str):
        self.cfg = cfg
        self.rng = random.Random(seed)

    def kw(self, mode: csr.Mode = M) -> dict:
        cfg, rng = self.cfg, self.rng
        return {"events": tuple(rng.randint(0, e.max_per_cycle) for e in cfg.events),
                "retired": rng.randint(0, cfg.retire_width), "mode": mode}

    def busy(self, n: int, mode: csr.Mode = M) -> list:
        return [acc_none(**self.kw(mode)) for _ in range(n)]

    def over(self, seq: list) -> list:
        """``seq`` with random events and retirements in every cycle (modes kept)."""
        return [p.__class__(p.csr_req, **self.kw(p.mode), halt=p.halt) for p in seq]


def acc_none(**kw):
    return idle(1, **kw)[0]


def clean(cfg: PMUConfig) -> list:
    """A known start: nothing inhibited, every selector 0 with no flag, mip clear."""
    seq = [acc(csr.MCOUNTINHIBIT, W, 0), acc(csr.MIP, W, 0)]
    for i in cfg.hpm_indices:
        seq += write_event(cfg, i, csr.EVENT_NONE)
    if cfg.smcntrpmf:
        seq += write64(cfg, csr.MCYCLECFG, csr.MCYCLECFGH, 0)
        seq += write64(cfg, csr.MINSTRETCFG, csr.MINSTRETCFGH, 0)
    return seq


def routing(cfg: PMUConfig) -> list:
    """Counter x selector: round r gives counter k selector (k + r) mod S, for every r."""
    ev = _Events(cfg, "routing")
    hpm = list(cfg.hpm_indices)
    if not hpm:
        return []
    sels = list(range(1, cfg.num_selectors))  # every legal selector but "no event"
    seq = clean(cfg)
    for r in range(len(sels)):
        for k, i in enumerate(hpm):
            seq += write_event(cfg, i, sels[(k + r) % len(sels)])
        seq += ev.busy(6) + read_counters(cfg, shadow=r % 2 == 1)
    return ev.over(seq) + idle(2) + read_all(cfg)


def mode_filters(cfg: PMUConfig) -> list:
    """Counter x mode x xINH bit; mcountinhibit bit by bit, both polarities."""
    ev = _Events(cfg, "mode_filters")
    modes = list(cfg.modes)
    seq = clean(cfg)
    hpm = list(cfg.hpm_indices)
    sels = list(range(1, cfg.num_selectors))
    inh_modes = list(csr.INH_BIT)  # every xINH bit, also of modes the hart lacks (WARL)
    rounds = len(inh_modes) if (cfg.sscofpmf or cfg.smcntrpmf) else 1  # 1: modes, no xINH
    for r in range(rounds):
        for k, i in enumerate(hpm):
            bit = 1 << csr.INH_BIT[inh_modes[(k + r) % len(inh_modes)]]
            seq += write_event(cfg, i, (bit if cfg.sscofpmf else 0) | sels[(k + r) % len(sels)])
        if cfg.smcntrpmf:
            seq += write64(cfg, csr.MCYCLECFG, csr.MCYCLECFGH,
                           1 << csr.INH_BIT[inh_modes[r % len(inh_modes)]])
            seq += write64(cfg, csr.MINSTRETCFG, csr.MINSTRETCFGH,
                           1 << csr.INH_BIT[inh_modes[(r + 1) % len(inh_modes)]])
        for md, n in zip(modes, CYCLE_LENGTHS):
            seq += ev.busy(n, md)
        seq += read_counters(cfg)
    if cfg.smcntrpmf:
        seq += write64(cfg, csr.MCYCLECFG, csr.MCYCLECFGH, 0)
        seq += write64(cfg, csr.MINSTRETCFG, csr.MINSTRETCFGH, 0)
    for k, i in enumerate(hpm):
        seq += write_event(cfg, i, sels[k % len(sels)])
    # halt (dcsr.stopcount) stops every counter, whatever it counts (rule 25)
    seq += [p.__class__(p.csr_req, p.events, p.retired, p.mode, True) for p in ev.busy(4)]
    seq += read_counters(cfg)
    impl = cfg.implemented_counters_mask
    for pattern in (0x5555_5555, 0xAAAA_AAAA, 0x3333_3333, 0xCCCC_CCCC, 0xFFFF_FFFF):
        seq += [acc(csr.MCOUNTINHIBIT, W, pattern & impl)] + ev.busy(5) + read_counters(cfg)
    # the same bits through csrrs/csrrc: each op changes the register
    seq += [acc(csr.MCOUNTINHIBIT, W, 0), acc(csr.MCOUNTINHIBIT, SET, 0x0F0F_0F0F)] + \
        ev.busy(3) + [acc(csr.MCOUNTINHIBIT, CLR, 0x0303_0303)] + ev.busy(3) + \
        read_counters(cfg) + [acc(csr.MCOUNTINHIBIT, W, 0)]
    return ev.over(seq) + idle(2) + read_all(cfg)


def overflow_each(cfg: PMUConfig) -> list:
    """Per counter, alone: OF, scountovf, LCOFIP, acknowledge, no second request (29-34)."""
    if not cfg.sscofpmf or not cfg.num_counters:
        return []
    seq = clean(cfg)
    mip = [acc(csr.MIP)]
    big = next((k for k, e in enumerate(cfg.events) if e.max_per_cycle > 1), None)
    for i in cfg.hpm_indices:
        top = (1 << cfg.counter_width) - 1
        ev = csr.mhpmevent(i)
        seq += write_event(cfg, i, csr.EVENT_CYCLES) + write_counter(cfg, i, top - 1)
        seq += idle(3) + mip + [acc(csr.SCOUNTOVF), acc(ev)]
        if cfg.xlen == 32:
            seq.append(acc(csr.mhpmeventh(i)))
        # acknowledge: clear LCOFIP, then wrap again with OF still set: no new request
        seq += [acc(csr.MIP, CLR, LCOFIP)] + write_counter(cfg, i, top - 1) + idle(3) + mip
        # clear OF (the high half on RV32), wrap again: a new request
        seq += write_event(cfg, i, csr.EVENT_CYCLES) + write_counter(cfg, i, top) + \
            idle(2) + mip + [acc(csr.SCOUNTOVF), acc(csr.MIP, W, 0)]
        # software clears LCOFIP in the cycles around this counter's next overflow: the
        # hardware set is never lost (rule 34)
        for gap in (0, 1):
            seq += write_event(cfg, i, csr.EVENT_CYCLES) + write_counter(cfg, i, top) + \
                idle(gap) + [acc(csr.MIP, CLR, LCOFIP)] + idle(2) + mip + [acc(csr.MIP, W, 0)]
        if big is not None:  # an increment of several counts across the top
            n = cfg.events[big].max_per_cycle
            seq += write_event(cfg, i, csr.event_selector(big)) + \
                write_counter(cfg, i, top - n + 2)
            seq += idle(1, events=tuple(n if k == big else 0 for k in range(len(cfg.events))))
            seq += idle(2) + mip + [acc(ev), acc(csr.MIP, W, 0)]
        seq += write_event(cfg, i, csr.EVENT_NONE)
    return seq + idle(2) + read_all(cfg)


def scountovf_masks(cfg: PMUConfig) -> list:
    """scountovf in every mode while OF bits are set, under mixed counter-enable patterns."""
    if not cfg.sscofpmf or not cfg.num_counters:
        return []
    seq = clean(cfg)
    hpm = list(cfg.hpm_indices)
    enables = [(0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF), (0x5555_5555, 0xFFFF_FFFF, 0x3333_3333),
               (0xAAAA_AAAA, 0x0F0F_0F0F, 0xFFFF_FFFF), (0xFFFF_FFFF, 0, 0x5555_5555),
               (0, 0xFFFF_FFFF, 0xFFFF_FFFF), (0x3333_3333, 0xAAAA_AAAA, 0xCCCC_CCCC)]
    for of_pattern in (0xFFFF_FFFF, 0x5555_5555, 0xAAAA_AAAA):
        for i in hpm:
            seq += write_event(cfg, i, OF_BIT if of_pattern >> i & 1 else 0)
        for men, sen, hen in enables:
            seq += [acc(csr.MCOUNTEREN, W, men), acc(csr.SCOUNTEREN, W, sen),
                    acc(csr.HCOUNTEREN, W, hen)]
            seq += [acc(csr.SCOUNTOVF, mode=md) for md in cfg.modes]
    return seq + clean(cfg) + idle(2) + read_all(cfg)


def set_clear_field(cfg: PMUConfig, rng: random.Random, reg: str, field: str,
                    op: str) -> list:
    """csrrs (``op`` "set") or csrrc ("clear") whose data changes ``field`` of ``reg``, with
    random other bits in both the old value and the data (a fault that makes one bit's
    update depend on another shows only then). A selector is kept legal before the op
    (rule 9 would read an illegal one back as 0)."""
    xmask = (1 << cfg.xlen) - 1
    for info in csr_map(cfg).values():
        if info.reg != reg or not info.exists or info.read_only:
            continue
        shift = 32 if info.half == "hi" else 0
        mask = (register_fields(cfg, reg, info.kind, info.writable).get(field, 0) >> shift) \
            & xmask
        if not mask:
            continue
        base, data = rng.getrandbits(cfg.xlen), rng.getrandbits(cfg.xlen)
        if field == "EVENT" and not shift:  # a legal selector before the op
            sel_bits = (1 << (cfg.num_selectors - 1).bit_length()) - 1
            base = (base & ~csr.EVENT_SEL_MASK & xmask) | rng.randrange(1, cfg.num_selectors)
            mask &= sel_bits
            if op == "set" and rng.random() < 0.5:  # a set that mostly stays legal too
                data &= sel_bits | ~csr.EVENT_SEL_MASK
        target = (mask & ~base if op == "set" else mask & base)
        if not target:  # make one bit of the field change
            bit = rng.choice([b for b in range(cfg.xlen) if mask >> b & 1])
            base = base & ~(1 << bit) if op == "set" else base | 1 << bit
            target = 1 << bit
        if not data & target:
            data |= target & -target
        return [acc(info.addr, W, base & xmask), acc(info.addr, SET if op == "set" else CLR,
                                                     data & xmask), acc(info.addr)]
    return []


def set_clear(cfg: PMUConfig) -> list:
    """csrrs/csrrc with data that changes the value, on every field of every writable register."""
    rng = random.Random("set_clear")
    seq = clean(cfg)
    for i in cfg.hpm_indices:  # every counter counts: each write competes with an increment
        seq += write_event(cfg, i, csr.EVENT_CYCLES)
    for _, reg, field, op in sorted(g for g in CounterBins(cfg).goals if g[0] == "setclr"):
        for _ in range(SET_CLEAR_TRIALS):
            seq += set_clear_field(cfg, rng, reg, field, op)
        if reg in ("mcounteren", "scounteren", "hcounteren"):
            seq.append(acc(by_name(cfg, reg).addr, W, 0))  # the access patterns stay open
    return _Events(cfg, "set_clear").over(seq) + clean(cfg) + idle(2) + read_all(cfg)


def warl(cfg: PMUConfig) -> list:
    """WARL boundaries: selectors at and above the legal range, read-only bits, widths."""
    n = cfg.num_selectors
    sels = sorted({n - 1, n, n + 1, 2 * n, (1 << n.bit_length()) - 1, 1 << n.bit_length(),
                   0xFF, 0x100, 0xFFFF, 1 << 32, (1 << 32) | 1, csr.EVENT_SEL_MASK,
                   1 << (csr.EVENT_SEL_WIDTH - 1), 3 << 56, csr.EVENT_SEL_MASK | 3 << 56})
    seq = clean(cfg)
    for i in cfg.hpm_indices:
        for s in sels:
            seq += write_event(cfg, i, s) + [acc(csr.mhpmevent(i))]
            if cfg.xlen == 32 and cfg.sscofpmf:
                seq.append(acc(csr.mhpmeventh(i)))
        seq += write_event(cfg, i, (0xFF << 56) | (n - 1)) + [acc(csr.mhpmevent(i))]
        # each selector bit above the legal range alone, over a legal low part: illegal
        for b in range((n - 1).bit_length(), csr.EVENT_SEL_WIDTH):
            if cfg.xlen == 64 or cfg.sscofpmf or b < 32:
                seq += write_event(cfg, i, 1 << b | (b % (n - 1)) + 1) + [acc(csr.mhpmevent(i))]
    for i in counter_indices(cfg):
        width = counter_width(cfg, i)
        for value in ((1 << 64) - 1, 1 << width, (1 << width) - 1):
            seq += [acc(csr.MCOUNTINHIBIT, W, 1 << i)] + write_counter(cfg, i, value & ((1 << 64) - 1))
            seq += [acc(csr.MHPMCOUNTER_BASE + i)]
            if cfg.xlen == 32:
                seq.append(acc(csr.MHPMCOUNTERH_BASE + i))
    for addr in (csr.MCOUNTINHIBIT, csr.MCOUNTEREN, csr.SCOUNTEREN, csr.HCOUNTEREN, csr.MIP,
                 csr.MCYCLECFG, csr.MINSTRETCFG, csr.MCYCLECFGH, csr.MINSTRETCFGH):
        info = csr_map(cfg).get(addr)
        if info is not None and info.exists:
            seq += [acc(addr, W, (1 << cfg.xlen) - 1), acc(addr), acc(addr, W, 0), acc(addr)]
    return seq + clean(cfg) + idle(2) + read_all(cfg)


def carry_pending(cfg: PMUConfig) -> list:
    """Reads in each cycle around a wrap of the low 32 bits of every counter (split carry)."""
    seq = clean(cfg)
    for i in counter_indices(cfg):
        if counter_width(cfg, i) <= 32:
            continue
        if i >= csr.HPM_FIRST:
            seq += write_event(cfg, i, csr.EVENT_CYCLES)
        addr = csr.MHPMCOUNTER_BASE + i
        for low in (0xFFFF_FFFD, 0xFFFF_FFFE):
            seq += write_counter(cfg, i, (0x1234_5678 << 32 | low) & ((1 << 64) - 1))
            seq += [acc(addr)] * 5
            if cfg.xlen == 32:
                seq += [acc(csr.MHPMCOUNTERH_BASE + i), acc(addr)] * 3
    # instret counts retirements: retire every cycle so its wrap happens inside the reads
    seq = [p.__class__(p.csr_req, retired=cfg.retire_width) for p in seq]
    return seq + clean(cfg) + idle(2) + read_all(cfg)


def decode(cfg: PMUConfig) -> list:
    """Accesses of every near miss (``stimulus.near_misses``): all ops, M and the other modes,
    writes of all ones (a write wrongly decoded shows in the reads at the end)."""
    modes = [M, *(md for md in cfg.modes if md != M)]
    ops = [csr.CSROp.READ, W, SET, CLR]
    seq = clean(cfg)
    for k, addr in enumerate(near_misses(cfg)):
        seq.append(acc(addr, ops[k % len(ops)], (1 << cfg.xlen) - 1, modes[k % len(modes)]))
    return seq + idle(2) + read_all(cfg)


SWEEPS: dict[str, Callable[[PMUConfig], list]] = {
    "routing": routing,
    "mode_filters": mode_filters,
    "overflow_each": overflow_each,
    "scountovf_masks": scountovf_masks,
    "set_clear": set_clear,
    "warl": warl,
    "carry_pending": carry_pending,
    "decode": decode,
}
