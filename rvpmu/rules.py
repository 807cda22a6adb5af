"""The conformance rules of a hardware PMU as data (hardware-pmu.md section (b), B1-B5).

One row per rule: its number, section, title and, where the rule cannot be exercised at the
PMU's ports or does not apply to a configuration, why. Coverage, test ids, the CLI summary and
docs/rules.md (generated, kept current by a test) all read this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .config import PMUConfig


@dataclass(frozen=True)
class Rule:
    number: int
    section: str
    title: str
    # None: the rule can be exercised at the PMU's ports for this configuration; otherwise why not
    not_applicable: Callable[[PMUConfig], str | None] = lambda cfg: None
    # why the rule is the core's (or platform's) to honour, not observable at the PMU's ports
    outside: str | None = None


def _needs(flag: str, what: str) -> Callable[[PMUConfig], str | None]:
    return lambda cfg: None if getattr(cfg, flag) else f"needs {what}"


def _rv32(cfg: PMUConfig) -> str | None:
    return None if cfg.xlen == 32 else "RV32 only"


def _rv64(cfg: PMUConfig) -> str | None:
    return None if cfg.xlen == 64 else "RV64 only"


def _counters(cfg: PMUConfig) -> str | None:
    return None if cfg.num_counters else "needs at least one hpm counter"


def _overflow(cfg: PMUConfig) -> str | None:
    return _needs("sscofpmf", "Sscofpmf")(cfg) or _counters(cfg)


def _user_read(cfg: PMUConfig) -> str | None:
    return None if cfg.has_u or cfg.has_s else "needs S- or U-mode"


def _all(*checks: Callable[[PMUConfig], str | None]) -> Callable[[PMUConfig], str | None]:
    return lambda cfg: next((r for c in checks if (r := c(cfg))), None)


_SINGLE_HART = "a single-hart block: mcycle is not shared (docs/decisions.md)"
_CORE = "the core decides what retires; the PMU counts what `retired` says (docs/timing.md)"
_IRQ = "taking the interrupt is the core's (LCOFIP & LCOFIE, mideleg); the PMU drives `lcofip`"
_NO_SMCDELEG = "Smcdeleg/Ssccfg are not implemented"

RULES: tuple[Rule, ...] = (
    Rule(1, "B1", "mhpmcounter3-31 / mhpmevent3-31 never trap in M-mode"),
    Rule(2, "B1", "64-bit mcycle/minstret; hpm counters WARL up to 64 bits"),
    Rule(3, "B1", "RV32 halves read and write only their 32 bits", _rv32),
    Rule(4, "B1", "RV64: every ...h address raises illegal instruction", _rv64),
    Rule(5, "B1", "mcountinhibit WARL, TM bit read-only 0"),
    Rule(6, "B1", "m/s/hcounteren WARL fields"),
    Rule(7, "B1", "xINH bits of absent modes and WPRI bits read-only 0", _counters),
    Rule(8, "B1", "mcyclecfg/minstretcfg: bit 63 and absent-mode bits read-only 0",
         _needs("smcntrpmf", "Smcntrpmf")),
    Rule(9, "B1", "mhpmevent WARL: unsupported selectors read back legal", _counters),
    Rule(10, "B1", "selector 0 never counts", _counters),
    Rule(11, "B2", "writes to 0xC00-0xC9F raise illegal instruction"),
    Rule(12, "B2", "S-mode reads gated by mcounteren", _user_read),
    Rule(13, "B2", "U-mode reads gated by mcounteren and scounteren",
         _all(_needs("has_s", "S-mode"), _needs("has_u", "U-mode"))),
    Rule(14, "B2", "VS-mode reads: mcounteren -> illegal, hcounteren -> virtual",
         _needs("has_h", "the H extension")),
    Rule(15, "B2", "VU-mode reads: mcounteren -> illegal, h/scounteren -> virtual",
         _needs("has_h", "the H extension")),
    Rule(16, "B2", "counter-enable bits gate access only, never counting", _user_read),
    Rule(17, "B2", "mcountinhibit gates counting only, never access", _user_read),
    Rule(18, "B2", "unimplemented user-level hpmcounterN consistent with mcounteren",
         lambda cfg: _user_read(cfg) or (None if cfg.num_counters < 29
                                         else "every hpm counter is implemented")),
    Rule(19, "B2", "scountovf: read-only, masked by m/hcounteren below M",
         _needs("sscofpmf", "Sscofpmf")),
    Rule(20, "B3", "mcountinhibit stops counting"),
    Rule(21, "B3", "an explicit write wins over the same cycle's increment"),
    Rule(22, "B3", "RV32 half-write drops the whole increment", _rv32),
    Rule(23, "B3", "mcountinhibit/mhpmevent writes apply after the writing instruction"),
    Rule(24, "B3", "trapping instructions do not retire", outside=_CORE),
    Rule(25, "B3", "halt (dcsr.stopcount) stops every counter"),
    Rule(26, "B3", "Sscofpmf xINH mode filtering", _all(_needs("sscofpmf", "Sscofpmf"),
                                                         _counters)),
    Rule(27, "B3", "Smcntrpmf cycle/instret mode filtering", _needs("smcntrpmf", "Smcntrpmf")),
    Rule(28, "B3", "mcycle shared between harts", outside=_SINGLE_HART),
    Rule(29, "B4", "overflow wraps the implemented width", _counters),
    Rule(30, "B4", "writes never cause an overflow", _counters),
    Rule(31, "B4", "overflow with OF=0 sets OF and requests LCOFI", _overflow),
    Rule(32, "B4", "overflow with OF=1 requests nothing", _overflow),
    Rule(33, "B4", "OF set raises LCOFIP within a bounded latency", _overflow),
    Rule(34, "B4", "LCOFIP a software-writable latch; a same-cycle set is not lost",
         _needs("sscofpmf", "Sscofpmf")),
    Rule(35, "B4", "the interrupt is taken iff LCOFIP & LCOFIE and enables", outside=_IRQ),
    Rule(36, "B4", "without Sscofpmf mip.LCOFIP is read-only 0",
         lambda cfg: "Sscofpmf is present" if cfg.sscofpmf else None),
    Rule(37, "B4", "scountovf bits shadow the OF bits", _overflow),
    Rule(38, "B4", "inhibited counters do not overflow", _counters),
    Rule(39, "B4", "no overflow for mcycle/minstret; cfg bit 63 read-only 0"),
    Rule(40, "B5", "Smcdeleg siselect/sireg access checks", outside=_NO_SMCDELEG),
    Rule(41, "B5", "scountinhibit access and read-only bits", outside=_NO_SMCDELEG),
    Rule(42, "B5", "MINH read-only 0 through sireg*", outside=_NO_SMCDELEG),
)

BY_NUMBER = {r.number: r for r in RULES}


def why_not(rule: Rule, config: PMUConfig) -> str | None:
    """None when ``rule`` must be exercised for ``config``; otherwise the reason it cannot be."""
    return rule.outside or rule.not_applicable(config)


def applicable(config: PMUConfig) -> list[Rule]:
    return [r for r in RULES if why_not(r, config) is None]


def markdown() -> str:
    """docs/rules.md: the table, for the numbers the tool prints to resolve in the repository."""
    lines = ["# Hardware PMU rules", "",
             "Generated from `rvpmu/rules.py` (`rvpmu.rules.markdown()`); the numbers are those of",
             "the conformance list this project checks (sections B1-B5). `rvpmu sim` reports each",
             "rule as exercised, missed, or not applicable to the configuration.", "",
             "| rule | section | title | not exercised at the PMU's ports because |",
             "|---:|---|---|---|"]
    for r in RULES:
        lines.append(f"| {r.number} | {r.section} | {r.title} | {r.outside or ''} |")
    return "\n".join(lines) + "\n"
