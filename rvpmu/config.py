"""``PMUConfig``: everything that parameterises one PMU, validated, loadable from TOML.

The golden model, the gateware generator, the testbenches and the board tops all take a
``PMUConfig``; none of them has parameters of its own.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from . import csr, sbi


class ConfigError(ValueError):
    """A PMU configuration value is out of range or inconsistent."""


_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_EVENTS = 253  # selectors 3..255: an 8-bit selector register in the gateware
MAX_PER_CYCLE = 255


@dataclass(frozen=True)
class EventInput:
    """One external event input of the PMU.

    ``max_per_cycle`` is how many occurrences the core can report on this input in one clock
    (a dual-issue core reports up to 2 retired branches). ``sbi`` names the SBI event this input
    implements (``BRANCH_INSTRUCTIONS``, ``L1D_READ_MISS``), if any; it drives the device-tree
    event map and the KVM model's host side.
    """

    name: str
    max_per_cycle: int = 1
    sbi: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise ConfigError(
                f"event name {self.name!r} must be lower-case letters, digits and '_', starting "
                "with a letter, at most 32 characters")
        if type(self.max_per_cycle) is not int or not 1 <= self.max_per_cycle <= MAX_PER_CYCLE:
            raise ConfigError(
                f"event {self.name!r}: max_per_cycle must be an integer 1..{MAX_PER_CYCLE}, "
                f"got {self.max_per_cycle!r}")
        if self.sbi is not None:
            try:
                sbi.parse_sbi_event(self.sbi)
            except ValueError as exc:
                raise ConfigError(f"event {self.name!r}: {exc}") from None

    @property
    def count_width(self) -> int:
        """Bits of the port that reports this input's occurrences per cycle."""
        return max(1, self.max_per_cycle.bit_length())

    @property
    def sbi_event_idx(self) -> int | None:
        return None if self.sbi is None else sbi.parse_sbi_event(self.sbi)


DEFAULT_EVENTS = (
    EventInput("branch", sbi="BRANCH_INSTRUCTIONS"),
    EventInput("branch_miss", sbi="BRANCH_MISSES"),
    EventInput("cache_ref", sbi="CACHE_REFERENCES"),
    EventInput("cache_miss", sbi="CACHE_MISSES"),
    EventInput("stall_frontend", sbi="STALLED_CYCLES_FRONTEND"),
    EventInput("stall_backend", sbi="STALLED_CYCLES_BACKEND"),
    EventInput("l1d_read_miss", sbi="L1D_READ_MISS"),
    EventInput("l1i_read_miss", sbi="L1I_READ_MISS"),
)


@dataclass(frozen=True)
class PMUConfig:
    """One PMU: ISA width, counters, event inputs, privilege modes and extensions.

    Defaults: RV64, M/S/U/H, 29 programmable 64-bit counters, Sscofpmf and Smcntrpmf.
    ``counter_width`` applies to mhpmcounter3..31; mcycle and minstret are always 64 bits
    (rule 2). All programmable counters share one width because OpenSBI probes only
    mhpmcounter3 (hardware-pmu.md rule 2).
    """

    xlen: int = 64
    num_counters: int = csr.HPM_MAX
    counter_width: int = 64
    events: tuple[EventInput, ...] = field(default=DEFAULT_EVENTS)
    retire_width: int = 1
    has_s: bool = True
    has_u: bool = True
    has_h: bool = True
    sscofpmf: bool = True
    smcntrpmf: bool = True

    def __post_init__(self) -> None:
        if type(self.xlen) is not int or self.xlen not in (32, 64):
            raise ConfigError(f"xlen must be 32 or 64, got {self.xlen!r}")
        if type(self.num_counters) is not int or not 0 <= self.num_counters <= csr.HPM_MAX:
            raise ConfigError(f"num_counters must be an integer 0..{csr.HPM_MAX}, "
                              f"got {self.num_counters!r}")
        if type(self.counter_width) is not int or not 1 <= self.counter_width <= 64:
            raise ConfigError(f"counter_width must be an integer 1..64, got {self.counter_width!r}")
        if type(self.retire_width) is not int or not 1 <= self.retire_width <= MAX_PER_CYCLE:
            raise ConfigError(f"retire_width must be an integer 1..{MAX_PER_CYCLE}, "
                              f"got {self.retire_width!r}")
        events = self.events
        if isinstance(events, list):
            events = tuple(events)
            object.__setattr__(self, "events", events)
        if not isinstance(events, tuple) or not all(isinstance(e, EventInput) for e in events):
            raise ConfigError("events must be a sequence of EventInput")
        if len(events) > MAX_EVENTS:
            raise ConfigError(f"at most {MAX_EVENTS} event inputs are supported, got {len(events)}")
        names = [e.name for e in events]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ConfigError(f"duplicate event names: {', '.join(dup)}")
        builtin = {sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.CPU_CYCLES): "1 (cycles)",
                   sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.INSTRUCTIONS): "2 (instructions)"}
        owner: dict[int, str] = {}
        for e in events:
            idx = e.sbi_event_idx
            if idx is None:
                continue
            if idx in builtin:
                raise ConfigError(f"event {e.name!r}: SBI event {e.sbi} is built in as selector "
                                  f"{builtin[idx]}; an event input cannot implement it")
            if idx in owner:
                raise ConfigError(f"SBI event {e.sbi} is implemented by both {owner[idx]!r} and "
                                  f"{e.name!r}; each SBI event maps to one selector")
            owner[idx] = e.name
        for flag in ("has_s", "has_u", "has_h", "sscofpmf", "smcntrpmf"):
            if type(getattr(self, flag)) is not bool:
                raise ConfigError(f"{flag} must be true or false, got {getattr(self, flag)!r}")
        if self.has_s and not self.has_u:
            raise ConfigError("S-mode requires U-mode (has_s = true needs has_u = true)")
        if self.has_h and not self.has_s:
            raise ConfigError("the hypervisor extension requires S-mode (has_h needs has_s)")

    # -- derived facts used by the model, the gateware and the docs --------------------------

    @property
    def modes(self) -> tuple[csr.Mode, ...]:
        """The privilege modes this hart has, in encoding order."""
        out = [csr.Mode.M]
        if self.has_s:
            out.append(csr.Mode.S)
        if self.has_u:
            out.append(csr.Mode.U)
        if self.has_h:
            out += [csr.Mode.VS, csr.Mode.VU]
        return tuple(sorted(out))

    @property
    def hpm_indices(self) -> range:
        """Indices (3..) of the implemented programmable counters."""
        return range(csr.HPM_FIRST, csr.HPM_FIRST + self.num_counters)

    @property
    def implemented_counters_mask(self) -> int:
        """Bit i set for each counter index that has backing state (cycle, instret, hpm)."""
        mask = (1 << csr.CY) | (1 << csr.IR)
        for i in self.hpm_indices:
            mask |= 1 << i
        return mask

    @property
    def num_selectors(self) -> int:
        """Legal event selector values are 0 .. num_selectors - 1."""
        return csr.EVENT_EXTERNAL_BASE + len(self.events)

    def inh_mask(self) -> int:
        """xINH bits (in the 64-bit mhpmevent/mcyclecfg view) that exist for these modes."""
        return sum(1 << csr.INH_BIT[m] for m in self.modes)

    def event_index(self, name: str) -> int:
        for i, e in enumerate(self.events):
            if e.name == name:
                return i
        raise ConfigError(f"no event input named {name!r}")

    def with_(self, **changes: Any) -> PMUConfig:
        return replace(self, **changes)

    # -- serialisation -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "events":
                out["events"] = [
                    {k: v for k, v in (("name", e.name), ("max_per_cycle", e.max_per_cycle),
                                       ("sbi", e.sbi)) if v is not None}
                    for e in self.events]
            else:
                out[f.name] = getattr(self, f.name)
        return out

    def summary(self) -> str:
        """One line per value, in a stable order (used in generated file headers)."""
        lines = []
        for k, v in self.to_dict().items():
            if k == "events":
                for i, e in enumerate(self.events):
                    sel = csr.event_selector(i)
                    extra = f" sbi={e.sbi}" if e.sbi else ""
                    lines.append(f"event[{i}] selector={sel} name={e.name} "
                                 f"max_per_cycle={e.max_per_cycle}{extra}")
            else:
                lines.append(f"{k} = {str(v).lower() if isinstance(v, bool) else v}")
        return "\n".join(lines)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "config") -> PMUConfig:
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: expected a table of settings")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown setting(s) {', '.join(unknown)}; "
                              f"known: {', '.join(sorted(known))}")
        kwargs = dict(data)
        if "events" in kwargs:
            raw = kwargs["events"]
            if not isinstance(raw, list):
                raise ConfigError(f"{source}: events must be an array of tables ([[events]])")
            events = []
            for i, e in enumerate(raw):
                if not isinstance(e, dict):
                    raise ConfigError(f"{source}: events[{i}] must be a table")
                bad = sorted(set(e) - {"name", "max_per_cycle", "sbi"})
                if bad:
                    raise ConfigError(f"{source}: events[{i}]: unknown key(s) {', '.join(bad)}; "
                                      "known: max_per_cycle, name, sbi")
                if "name" not in e:
                    raise ConfigError(f"{source}: events[{i}] needs a name")
                try:
                    events.append(EventInput(**e))
                except ConfigError as exc:
                    raise ConfigError(f"{source}: {exc}") from None
            kwargs["events"] = tuple(events)
        try:
            return cls(**kwargs)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None

    @classmethod
    def from_toml(cls, path: str | Path) -> PMUConfig:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: not a UTF-8 text file") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        return cls.from_dict(data, source=str(path))

    def to_toml(self) -> str:
        lines = []
        for k, v in self.to_dict().items():
            if k == "events":
                continue
            lines.append(f"{k} = {str(v).lower() if isinstance(v, bool) else v}")
        if not self.events:  # an absent list means the default inputs
            lines.append("events = []")
        for e in self.events:
            lines += ["", "[[events]]", f'name = "{e.name}"', f"max_per_cycle = {e.max_per_cycle}"]
            if e.sbi:
                lines.append(f'sbi = "{e.sbi}"')
        return "\n".join(lines) + "\n"
