"""Seeded random stimulus for the PMU's ports, shared by every lock-step testbench.

It produces ``PortInputs`` for the cycle-level model (``rvpmu.model.PMUPorts``); the Amaranth
simulator tests and the cocotb testbenches drive the same sequence into the gateware and compare
every output with the model. The mix is biased towards what finds bugs in a PMU: writes of
counters close to overflow, valid event selectors with random filter bits, counter-enable
changes, accesses from every mode, RV32 halves, and a few addresses the PMU does not own.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import Kind, csr_map
from rvpmu.model.cycle import CSRRequest, PortInputs

NOT_PMU_ADDRS = (0x300, 0x304, 0x305, 0xB01, 0xC01, 0xC81, 0x7C0, 0xFFF, 0x000)


def near_misses(config: PMUConfig) -> tuple[int, ...]:
    """Every address one bit away from an address the PMU decodes that it does not decode
    itself: a decoder that ignores or inverts one address bit answers one of them as a hit."""
    decoded = set(csr_map(config))
    return tuple(sorted({a ^ 1 << b for a in decoded for b in range(csr.CSR_ADDR_WIDTH)}
                        - decoded))

# The long regression's free runs between two accesses: back to back, short, or long (up to
# ``max_gap``; the mean run is about a tenth of it). Long runs reach wraps and overflows and
# carry most of the cycles; the short ones exercise the pipeline. Regressions up to 2,000,000
# cycles keep runs of at most 4,000 (dense accesses, the size the test suite and mutation
# scoring use); longer ones stretch them up to 16,000, so that an access (about a millisecond
# of Python with its checked cycles) no longer outweighs the free run before it (issue 17,
# item 10), and still make one access every ~1,600 cycles.
MIN_MAX_GAP, MAX_GAP = 4_000, 16_000


def max_gap_for(cycles: int) -> int:
    """The longest free run of a long regression of ``cycles`` cycles."""
    return max(MIN_MAX_GAP, min(MAX_GAP, cycles // 500))


def free_run_cycles(rng: random.Random, max_gap: int) -> int:
    """How long the design runs alone before the next access (long regression)."""
    return rng.choice((0, 1, 2, rng.randint(3, 64), rng.randint(64, max(64, max_gap))))


class Stimulus:
    """An endless, reproducible stream of ``PortInputs`` for ``config`` from ``seed``."""

    def __init__(self, config: PMUConfig, seed: int, *, csr_density: float = 0.5,
                 event_density: float = 0.5, halt_density: float = 0.02):
        self.config = config
        self.seed = seed
        self.rng = random.Random(seed)
        self.csr_density = csr_density
        self.event_density = event_density
        self.halt_density = halt_density
        self._map = list(csr_map(config).values())
        self._by_kind: dict[Kind, list] = {}
        for info in self._map:
            self._by_kind.setdefault(info.kind, []).append(info)
        self._modes = list(config.modes)
        impl = config.implemented_counters_mask
        self._counters = [i for i in self._map if i.kind in (Kind.COUNTER, Kind.SHADOW)
                          and i.exists and impl >> i.index & 1]
        self._mode = csr.Mode.M
        self._misses = NOT_PMU_ADDRS + near_misses(config)

    def __iter__(self) -> Iterator[PortInputs]:
        while True:
            yield self.next()

    def next(self) -> PortInputs:
        rng, cfg = self.rng, self.config
        if rng.random() < 0.05:
            self._mode = rng.choice(self._modes)
        events = tuple(rng.randint(0, e.max_per_cycle) if rng.random() < self.event_density else 0
                       for e in cfg.events)
        retired = rng.randint(0, cfg.retire_width) if rng.random() < 0.7 else 0
        req = self.request() if rng.random() < self.csr_density else None
        return PortInputs(req, events, retired, self._mode, rng.random() < self.halt_density)

    # -- CSR traffic -------------------------------------------------------------------------

    def request(self) -> CSRRequest:
        """One random CSR access."""
        rng, cfg = self.rng, self.config
        xmask = (1 << cfg.xlen) - 1
        r = rng.random()
        mode = csr.Mode.M if rng.random() < 0.6 else rng.choice(self._modes)
        if r < 0.03:
            return CSRRequest(rng.choice(self._misses), csr.CSROp(rng.randint(0, 3)),
                              rng.getrandbits(cfg.xlen), mode)
        if r < 0.25:  # configure an event counter: valid selector (mostly), random filters
            info = rng.choice(self._by_kind[Kind.EVENT])
            return CSRRequest(info.addr, csr.CSROp.WRITE, self._event_value(info) & xmask, mode)
        if r < 0.40:  # a counter close to overflow
            info = rng.choice(self._by_kind[Kind.COUNTER])
            return CSRRequest(info.addr, csr.CSROp.WRITE, self._near_top(info) & xmask, mode)
        if r < 0.50:  # inhibit, enables, filters, mip
            kind = rng.choice([Kind.INHIBIT, Kind.COUNTEREN, Kind.CFG, Kind.MIP])
            info = rng.choice(self._by_kind[kind])
            value = rng.getrandbits(cfg.xlen) if rng.random() < 0.5 else \
                rng.choice([0, xmask, 1 << 13, 0b101, rng.getrandbits(8)])
            if kind == Kind.INHIBIT and rng.random() < 0.7:
                value &= rng.getrandbits(cfg.xlen)  # favour counting
            op = csr.CSROp(rng.randint(1, 3))
            return CSRRequest(info.addr, op, value & xmask, mode)
        if r < 0.80:  # read an implemented counter: where a wrong increment shows
            info = rng.choice(self._counters)
            return CSRRequest(info.addr, csr.CSROp.READ, 0, mode)
        # Any decoded address, any op: reads mostly.
        info = rng.choice(self._map)
        op = csr.CSROp.READ if rng.random() < 0.7 else csr.CSROp(rng.randint(1, 3))
        return CSRRequest(info.addr, op, rng.getrandbits(cfg.xlen), mode)

    def _event_value(self, info) -> int:
        rng, cfg = self.rng, self.config
        r = rng.random()
        if r < 0.8:
            sel = rng.randrange(cfg.num_selectors)
        elif r < 0.9:
            sel = rng.randrange(cfg.num_selectors, 1 << 12)  # unsupported: reads back 0
        else:
            sel = rng.getrandbits(csr.EVENT_SEL_WIDTH)
        flags = 0
        for bit in (csr.MHPMEVENT_OF, *csr.INH_BIT.values()):
            if rng.random() < 0.2:
                flags |= 1 << bit
        value = flags | sel
        if info.half == "hi":
            return value >> 32
        return value

    def _near_top(self, info) -> int:
        rng, cfg = self.rng, self.config
        width = 64 if info.index in (csr.CY, csr.IR) else cfg.counter_width
        top = (1 << width) - 1
        value = max(0, top - rng.randint(0, 6)) if rng.random() < 0.7 else rng.getrandbits(64)
        if info.half == "hi":
            return value >> 32
        return value
