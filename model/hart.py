"""``HartPMU``: the cycle-exact golden model of one hart's PMU.

Time advances only through ``step()``, which closes the current clock cycle. CSR accesses made
before that ``step()`` belong to the same cycle. The semantics (docs/timing.md):

* a read returns the register as it stands in that cycle, before the cycle's increments;
* a write takes effect at the end of the cycle and wins over the increment of the counter it
  wrote (rule 21); on RV32 writing either half suppresses the whole increment and leaves the
  other half as it was (rule 22, the Ibex/CV32E40P reading; see docs/decisions.md);
* counting in a cycle uses mcountinhibit, mhpmevent and mcyclecfg/minstretcfg as they were at
  the start of the cycle, so a write to them applies from the next cycle (rule 23);
* an overflow sets OF (unless software wrote that mhpmevent in the same cycle: the explicit
  write wins) and always sets LCOFIP when OF was 0 at the start of the cycle, so a coincident
  software write to mip never loses it (rules 31-34).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import M64, CSRInfo, Kind, csr_map, lookup

from . import rules
from .access import check_access, scountovf_mask
from .errors import NotPMUCSR
from .inputs import check_counts, check_int, parse_mode, parse_op, selector_counts

Mode = csr.Mode
CSROp = csr.CSROp

OF_BIT = 1 << csr.MHPMEVENT_OF
LCOFIP_BIT = 1 << csr.MIP_LCOFIP_BIT


@dataclass(frozen=True)
class CountingConfig:
    """The registers that decide what counts (mcountinhibit, mhpmeventN, mcyclecfg/
    minstretcfg by counter index)."""

    mcountinhibit: int
    mhpmevent: dict[int, int]
    cfg: dict[int, int]


class HartPMU:
    """The PMU of one hart for a ``PMUConfig``. All registers reset to 0 (docs/decisions.md)."""

    def __init__(self, config: PMUConfig | None = None):
        if config is None:
            config = PMUConfig()
        if not isinstance(config, PMUConfig):
            raise TypeError(f"HartPMU needs a PMUConfig, got {type(config).__name__}")
        self.config = config
        self._map = csr_map(config)
        self._hpm_mask = (1 << config.counter_width) - 1
        self.reset()

    # -- state ---------------------------------------------------------------------------------

    def reset(self) -> None:
        cfg = self.config
        self.counters: dict[int, int] = {i: 0 for i in (csr.CY, csr.IR, *cfg.hpm_indices)}
        self.mhpmevent: dict[int, int] = {i: 0 for i in cfg.hpm_indices}
        self.cfg: dict[int, int] = {csr.CY: 0, csr.IR: 0}  # mcyclecfg, minstretcfg
        self.mcountinhibit = 0
        self.counteren = {"mcounteren": 0, "scounteren": 0, "hcounteren": 0}
        self._lcofip = False
        self.cycle = 0  # clock cycles stepped since reset (not an architectural register)
        self._begin_cycle()

    def _begin_cycle(self) -> None:
        # the counting configuration as the cycle began, kept once a write changes it (rule 23)
        self._start: CountingConfig | None = None
        self._written_counters: set[int] = set()
        # mhpmevent registers whose OF bit software wrote this cycle (on RV32 only a write of
        # the high half, mhpmeventNh, writes OF: rule 3).
        self._written_of: set[int] = set()

    def _snapshot_config(self) -> None:
        if self._start is None:
            self._start = self._counting()

    @property
    def lcofip(self) -> bool:
        """The LCOFIP latch (mip bit 13): the PMU's interrupt request to the core."""
        return self._lcofip

    def scountovf(self) -> int:
        """All OF bits as scountovf shows them to M-mode (bit n for counter n)."""
        return sum(1 << i for i, ev in self.mhpmevent.items() if ev & OF_BIT)

    def peek(self, addr: int | str) -> int:
        """The 64-bit register behind a CSR, without access checks or side effects."""
        info = self._lookup_any(addr)
        return self._reg64(info, Mode.M)

    def snapshot(self) -> dict[str, int]:
        """Every architectural register by name (64-bit values), for comparisons and traces."""
        counters, events, enables = self._snapshot_names()
        out = dict(zip(counters, self.counters.values()))
        out.update(zip(events, self.mhpmevent.values()))
        if self.config.smcntrpmf:
            out["mcyclecfg"], out["minstretcfg"] = self.cfg[csr.CY], self.cfg[csr.IR]
        out["mcountinhibit"] = self.mcountinhibit
        for name in enables:
            out[name] = self.counteren[name]
        out["lcofip"] = int(self._lcofip)
        return out

    def _snapshot_names(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The names ``snapshot`` uses, in the order of the state dicts (computed once: the
        scoreboard takes two snapshots a checked cycle)."""
        if getattr(self, "_names", None) is None:
            self._names = (
                tuple({csr.CY: "mcycle", csr.IR: "minstret"}.get(i, f"mhpmcounter{i}")
                      for i in self.counters),
                tuple(f"mhpmevent{i}" for i in self.mhpmevent),
                tuple(n for n in self.counteren if self._map_by_name(n).exists))
        return self._names

    # -- CSR access ----------------------------------------------------------------------------

    def csr_read(self, addr: int, mode: str | Mode = "M") -> int:
        """Read a CSR (CSRRS with rs1=x0). Returns the value or raises the access's exception."""
        return self._access(addr, CSROp.READ, 0, parse_mode(mode))

    def csr_write(self, addr: int, value: int, mode: str | Mode = "M",
                  op: str | CSROp = "write") -> int:
        """Write, set or clear bits of a CSR. Returns the old value or raises the exception."""
        op = parse_op(op)
        xmax = (1 << self.config.xlen) - 1
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"CSR write value must be an integer, got {value!r}")
        if not 0 <= value <= xmax:
            raise ValueError(f"CSR write value {value:#x} must be within 0..{xmax:#x} "
                             f"(XLEN={self.config.xlen})")
        return self._access(addr, op, value, parse_mode(mode))

    def access(self, addr: int, op: CSROp, wdata: int, mode: Mode) -> int:
        """The port-level form of an access (used by the cycle-level model)."""
        return self._access(addr, op, wdata, mode)

    def _lookup_any(self, addr: int | str) -> CSRInfo:
        if isinstance(addr, str):
            return self._map_by_name(addr)
        info = lookup(self.config, addr)
        if info is None:
            raise NotPMUCSR(addr)
        return info

    def _map_by_name(self, name: str) -> CSRInfo:
        for info in self._map.values():
            if info.name == name:
                return info
        raise KeyError(name)

    def _check_mode(self, mode: Mode) -> None:
        if mode not in self.config.modes:
            have = ", ".join(m.name for m in self.config.modes)
            raise ValueError(f"mode {mode.name} does not exist on this hart (modes: {have})")

    def _access(self, addr: int, op: CSROp, wdata: int, mode: Mode) -> int:
        self._check_mode(mode)
        if isinstance(addr, bool) or not isinstance(addr, int) or not 0 <= addr <= 0xFFF:
            raise ValueError(f"CSR address must be an integer 0x000..0xFFF, got {addr!r}")
        info = lookup(self.config, addr)
        if info is None:
            raise NotPMUCSR(addr)
        check_access(self.config, info, op, mode, self.counteren)
        old = self._read(info, mode)
        if op != CSROp.READ:
            xmask = (1 << self.config.xlen) - 1
            new = {CSROp.WRITE: wdata, CSROp.SET: old | wdata,
                   CSROp.CLEAR: old & ~wdata}[op] & xmask
            self._write(info, new)
        return old

    def _reg64(self, info: CSRInfo, mode: Mode) -> int:
        k = info.kind
        if k in (Kind.COUNTER, Kind.SHADOW):
            return self.counters.get(info.index, 0)
        if k == Kind.EVENT:
            return self.mhpmevent.get(info.index, 0)
        if k == Kind.CFG:
            return self.cfg[info.index] if info.exists else 0
        if k == Kind.INHIBIT:
            return self.mcountinhibit
        if k == Kind.COUNTEREN:
            return self.counteren[info.reg] if info.exists else 0
        if k == Kind.SCOUNTOVF:
            return self.scountovf() & scountovf_mask(self.config, mode, self.counteren)
        if k == Kind.MIP:
            return LCOFIP_BIT if self._lcofip else 0
        raise AssertionError(k)

    def _read(self, info: CSRInfo, mode: Mode) -> int:
        v = self._reg64(info, mode)
        if info.half == "hi":
            return v >> 32
        if info.half == "lo":
            return v & 0xFFFF_FFFF
        return v

    def _write(self, info: CSRInfo, value: int) -> None:
        """Apply a write of an XLEN-wide value, with the WARL rules of ``info``."""
        old = self._reg64(info, Mode.M)
        if info.half == "hi":
            new = (old & 0xFFFF_FFFF) | (value << 32)
        elif info.half == "lo":
            new = (old & ~0xFFFF_FFFF & M64) | value
        else:
            new = value
        new &= info.writable
        k = info.kind
        if k == Kind.COUNTER:
            self._written_counters.add(info.index)
            if info.index in self.counters:
                self.counters[info.index] = new
        elif k == Kind.EVENT:
            if info.index in self.mhpmevent:
                self._snapshot_config()
                new = rules.legalise_mhpmevent(self.config, new)
                self.mhpmevent[info.index] = new
                if info.half != "lo":
                    self._written_of.add(info.index)
        elif k == Kind.CFG:
            self._snapshot_config()
            self.cfg[info.index] = new
        elif k == Kind.INHIBIT:
            self._snapshot_config()
            self.mcountinhibit = new
        elif k == Kind.COUNTEREN:
            self.counteren[info.reg] = new
        elif k == Kind.MIP:
            if info.writable:
                self._lcofip = bool(new & LCOFIP_BIT)
        else:  # read-only kinds never get here: check_access raised first
            raise AssertionError(k)

    # -- time ----------------------------------------------------------------------------------

    def step(self, events: Iterable[int] = (), retired: int = 0, mode: str | Mode = "M",
             halted: bool = False, *, counts: Sequence[int] | None = None) -> None:
        """Advance one clock.

        ``events``: selector values (3 + input index) of the external events that fire in this
        cycle; a value repeats to count more than once. Or ``counts``: the occurrences of each
        event input in this cycle, as the PMU's event pins carry them (``input_counts``).
        ``retired``: instructions retired this cycle. ``mode``: the mode the cycle and its
        retiring instructions are attributed to (for an xRET, the mode it executed in: rule
        27). ``halted``: debug mode with stopcount.
        """
        self.step_increments(self.increments(events, retired, mode, halted, counts=counts))

    def increments(self, events: Iterable[int] = (), retired: int = 0, mode: str | Mode = "M",
                   halted: bool = False, *, counts: Sequence[int] | None = None
                   ) -> dict[int, int]:
        """What each counter adds for one cycle's inputs (arguments as for ``step``), using
        mcountinhibit, mhpmevent and the cfg registers as they were at the start of the open
        cycle. Changes nothing."""
        cfg = self.config
        mode = parse_mode(mode)
        self._check_mode(mode)
        check_int("retired", retired, 0, cfg.retire_width)
        if not isinstance(halted, bool):
            raise ValueError(f"halted must be True or False, got {halted!r}")
        external = self._external(events, counts)
        return self._increments(1, retired, external, mode, halted, self._start)

    def _counting(self) -> CountingConfig:
        return CountingConfig(self.mcountinhibit, dict(self.mhpmevent), dict(self.cfg))

    def _increments(self, cycles: int, retired: int, external: list[int], mode: Mode,
                    halted: bool, start: CountingConfig | None = None) -> dict[int, int]:
        """What each counting counter adds over ``cycles`` cycles with these totals, counting
        with ``start`` (by default the registers as they are now)."""
        cfg = self.config
        c = start or self._counting()
        incs: dict[int, int] = {}
        for idx, inc in ((csr.CY, cycles), (csr.IR, retired)):
            if rules.should_inc_fixed(cfg, idx, mode, halted, c.mcountinhibit, c.cfg[idx]):
                incs[idx] = inc
        for idx in cfg.hpm_indices:
            if rules.should_inc_hpm(cfg, idx, mode, halted, c.mcountinhibit, c.mhpmevent[idx]):
                incs[idx] = rules.selected_amount(c.mhpmevent[idx] & csr.EVENT_SEL_MASK, cycles,
                                                  retired, external)
        return incs

    def raise_lcofi(self) -> None:
        """Set LCOFIP from an overflow the hardware recorded at an earlier edge (the pipelined
        port contract); merged with any software write of this cycle (rule 34)."""
        self._lcofip = True

    def step_increments(self, increments: dict[int, int], *, defer_lcofi: bool = False) -> bool:
        """Close the open cycle adding ``increments`` (counter index -> amount, as returned by
        ``increments``, possibly computed in an earlier cycle: the pipelined port contract of
        docs/timing.md). A counter written in this cycle drops its increment (rule 21); an
        overflow tests OF as it was at the start of this cycle (rules 29-31). Returns whether
        an overflow requested LCOFIP; with ``defer_lcofi`` the caller sets it later
        (``raise_lcofi``)."""
        evsel = self._start.mhpmevent if self._start else self.mhpmevent
        hw_lcofip = False
        for idx, inc in increments.items():
            if inc == 0 or idx in self._written_counters:  # rule 21: write wins
                continue
            if self._add(idx, inc, evsel.get(idx, 0)):
                hw_lcofip = True
                if idx not in self._written_of:  # an explicit write of OF wins (rule 21)
                    self.mhpmevent[idx] |= OF_BIT
        if hw_lcofip and not defer_lcofi:
            self._lcofip = True  # rule 34: merged with any software write of this cycle
        self.cycle += 1
        self._begin_cycle()
        return hw_lcofip

    def advance(self, cycles: int, event_totals: Iterable[int] = (), retired_total: int = 0,
                mode: str | Mode = "M", halted: bool = False) -> None:
        """Close ``cycles`` cycles with no CSR access at once, given only the totals.

        ``event_totals[i]`` is the sum of external input i over those cycles and
        ``retired_total`` the instructions retired; the mode and halt stay fixed. The result is
        exactly that of ``cycles`` calls of ``step()`` with any per-cycle split of the totals:
        nothing the counters do depends on how the increments are spread, because the
        configuration cannot change without a CSR access. This is what lets the model keep up
        with a simulator running millions of cycles between two checks.
        """
        cfg = self.config
        mode = parse_mode(mode)
        self._check_mode(mode)
        if isinstance(cycles, bool) or not isinstance(cycles, int) or cycles < 0:
            raise ValueError(f"cycles must be a non-negative integer, got {cycles!r}")
        if cycles == 0:
            return
        if self._start is not None or self._written_counters:
            raise ValueError("the open cycle has CSR writes: close it with step() first")
        totals = list(event_totals) or [0] * len(cfg.events)
        if len(totals) != len(cfg.events):
            raise ValueError(f"event_totals needs one total per event input ({len(cfg.events)})")
        for e, n in zip(cfg.events, totals):
            check_int(f"total of event {e.name!r}", n, 0, e.max_per_cycle * cycles)
        check_int("retired_total", retired_total, 0, cfg.retire_width * cycles)
        self.cycle += cycles
        if halted:
            return
        incs = self._increments(cycles, retired_total, totals, mode, halted)
        for idx, inc in incs.items():
            if self._add(idx, inc, self.mhpmevent.get(idx, 0)):
                self.mhpmevent[idx] |= OF_BIT
                self._lcofip = True

    def _add(self, idx: int, inc: int, mhpmevent: int) -> bool:
        """Add ``inc`` to counter ``idx``, wrapping at its implemented width (rule 29); return
        whether it overflowed with OF clear, i.e. requests LCOFI (rules 31-32)."""
        mask = M64 if idx in (csr.CY, csr.IR) else self._hpm_mask
        total = self.counters[idx] + inc
        self.counters[idx] = total & mask
        return idx not in (csr.CY, csr.IR) and rules.overflows(self.config, total, mask,
                                                               mhpmevent)

    def cycles_until_lcofi(self, events: Iterable[int] = (), retired: int = 0,
                           mode: str | Mode = "M", *, counts: Sequence[int] | None = None
                           ) -> int | None:
        """With the same stimulus every cycle and no CSR access, after how many cycles is
        LCOFIP first set by an overflow? None if never. (Lets a caller jump there with
        ``advance`` instead of stepping cycle by cycle.)"""
        cfg = self.config
        mode = parse_mode(mode)
        self._check_mode(mode)
        external = self._external(events, counts)
        if not cfg.sscofpmf:
            return None
        incs = self._increments(1, retired, external, mode, False)
        best = None
        for idx, inc in incs.items():
            if idx in (csr.CY, csr.IR) or not inc or self.mhpmevent[idx] & OF_BIT:
                continue  # no overflow interrupt for cycle/instret (rule 39), none with OF set
            k = -(-(self._hpm_mask + 1 - self.counters[idx]) // inc)
            best = k if best is None else min(best, k)
        return best

    def _external(self, events: Iterable[int], counts: Sequence[int] | None) -> list[int]:
        """One cycle's occurrences per event input, from ``counts`` (checked) or ``events``."""
        if counts is None:
            return list(self.input_counts(events))
        if events:
            raise ValueError("give the external events as selectors (events) or as per-input "
                             "counts (counts), not both")
        return check_counts(self.config, counts)

    def input_counts(self, events: Iterable[int]) -> tuple[int, ...]:
        """The per-input occurrence counts of a list of event selectors (``selector_counts``)."""
        return selector_counts(self.config, events)
