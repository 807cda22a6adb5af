"""Functional coverage of a regression: which rules, CSR classes x modes x outcomes, overflows.

Sampled from the golden model's view of each checked cycle (what the design was asked to do and
what it had to answer), so the bins mean the same on every simulator and on the board.
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import Kind, lookup
from rvpmu.model.cycle import CSRRequest, CSRResponse
from rvpmu.rules import RULES, applicable, why_not

OF_BIT = 1 << csr.MHPMEVENT_OF


_ZEROS = itertools.repeat(0)  # the default of every register a snapshot lacks


class Coverage:
    def __init__(self, config: PMUConfig):
        self.config = config
        self.access: Counter[tuple[str, str, str, str]] = Counter()
        self.rules: Counter[int] = Counter()
        self.events: Counter[str] = Counter()
        # per counter: (index, event register, counter register), named once
        self._hpm = tuple((i, f"mhpmevent{i}", f"mhpmcounter{i}") for i in config.hpm_indices)
        self._event_names = tuple(e for _i, e, _c in self._hpm)
        self._counter_names = tuple(c for _i, _e, c in self._hpm)
        self._static: dict[tuple, list[tuple[int, int]]] = {}

    def sample_access(self, req: CSRRequest, rsp: CSRResponse, before: dict[str, int]) -> None:
        info = lookup(self.config, req.addr)
        kind = info.kind.value if info else "not-pmu"
        op = "read" if req.op == csr.CSROp.READ else "write"
        outcome = {csr.Exc.NONE: "ok", csr.Exc.ILLEGAL_INSTRUCTION: "illegal",
                   csr.Exc.VIRTUAL_INSTRUCTION: "virtual"}[rsp.exc] if rsp.hit else "miss"
        self.access[(kind, req.mode.name, op, outcome)] += 1
        if info is None:
            return
        r = self.rules
        if req.mode == csr.Mode.M and info.kind in (Kind.COUNTER, Kind.EVENT) and \
                info.exists and info.index >= csr.HPM_FIRST and rsp.exc == csr.Exc.NONE:
            r[1] += 1  # no M-mode trap on mhpmcounterN/mhpmeventN, implemented or not
        if info.kind == Kind.COUNTER and op == "write" and info.exists:
            r[2 if info.index in (0, 2) else 29] += 1
        if info.half and info.exists:
            r[3] += 1
        if not info.exists and info.half == "hi":
            r[4] += 1
        if info.kind == Kind.INHIBIT:
            r[5] += 1
        if info.kind == Kind.COUNTEREN and op == "write":
            r[6] += 1
        if info.kind == Kind.EVENT and op == "write" and info.exists:
            r[7] += 1
            r[9] += 1
        if info.kind == Kind.CFG and info.exists:
            r[8] += 1
        if info.read_only and op == "write":
            r[11] += 1
        if info.kind == Kind.SHADOW and op == "read" and info.exists:
            rule = {csr.Mode.S: 12, csr.Mode.U: 13, csr.Mode.VS: 14, csr.Mode.VU: 15}.get(req.mode)
            if rule:
                r[rule] += 1
                if rsp.exc == csr.Exc.NONE:
                    r[16] += 1
            if before.get("mcountinhibit", 0) >> info.index & 1 and rsp.exc == csr.Exc.NONE:
                r[17] += 1
        if info.kind == Kind.SHADOW and req.mode != csr.Mode.M and info.index >= csr.HPM_FIRST \
                and info.index >= self._impl_range()[1]:
            r[18] += 1
        if info.kind == Kind.COUNTER and info.half and op == "write" and info.exists:
            r[22] += 1
        if info.kind == Kind.SCOUNTOVF:
            r[19] += 1
        if info.kind == Kind.MIP:
            r[34 if op == "write" else 35] += 1
            if not self.config.sscofpmf:
                r[36] += 1
        if info.kind == Kind.CFG:
            r[39] += 1

    def _static_counts(self, inhibit: int, events: tuple[int, ...]) -> list[tuple[int, int]]:
        """(rule, how many counters) for the rules the counting configuration alone shows
        (10: no event, 26: filter bits with an event, 38: inhibited with an event); cached per
        configuration, which changes only on writes."""
        key = (inhibit, events)
        found = self._static.get(key)
        if found is None:
            n = Counter()
            for (i, _e, _c), b in zip(self._hpm, events):
                sel = b & csr.EVENT_SEL_MASK
                if sel == csr.EVENT_NONE:
                    n[10] += 1
                elif b >> 58 & 0x1F:
                    n[26] += 1
                if inhibit >> i & 1 and sel:
                    n[38] += 1
            if len(self._static) > 4096:
                self._static.clear()
            found = self._static[key] = sorted(n.items())
        return found

    def _impl_range(self) -> tuple[int, int]:
        first = csr.HPM_FIRST
        return first, first + self.config.num_counters

    def sample_cycle(self, before: dict[str, int], after: dict[str, int], halted: bool,
                     wrote: str | None) -> None:
        """Compare the model state around one checked step (or a bulk advance)."""
        r, ev = self.rules, self.events
        if halted:
            r[25] += 1
        if before.get("mcountinhibit"):
            r[20] += 1
        inhibit = before.get("mcountinhibit", 0)
        if self._hpm:
            # Per counter, read at C speed; the loops below run only where something changed.
            evb = tuple(map(before.get, self._event_names, _ZEROS))
            for rule, n in self._static_counts(inhibit, evb):
                r[rule] += n
            eva = tuple(map(after.get, self._event_names, _ZEROS))
            if eva != evb:
                for (_i, event, _c), b, a in zip(self._hpm, evb, eva):
                    if not b & OF_BIT and a & OF_BIT and wrote != event:
                        ev["of_set_by_overflow"] += 1
                        r[31] += 1
                        r[37] += 1
            cb = tuple(map(before.get, self._counter_names, _ZEROS))
            ca = tuple(map(after.get, self._counter_names, _ZEROS))
            if any(map(operator.lt, ca, cb)):
                for (_i, _e, counter), b, x, y in zip(self._hpm, evb, cb, ca):
                    if y < x and wrote != counter:
                        ev["counter_wrapped"] += 1
                        r[29] += 1
                        if b & OF_BIT:
                            ev["wrap_with_of_already_set"] += 1
                            r[32] += 1
        if not before.get("lcofip") and after.get("lcofip"):
            ev["lcofip_rise"] += 1
            r[33] += 1
        if wrote in ("minstret", "mcycle") or (wrote or "").startswith("mhpmcounter"):
            ev["write_wins_over_increment"] += 1
            r[21] += 1
            r[30] += 1
        if wrote == "mcountinhibit":
            r[23] += 1
        if wrote in ("mcyclecfg", "minstretcfg"):
            r[27] += 1

    def report(self) -> dict:
        return {
            "rules_hit": sorted(self.rules),
            "rules_missed": [r.number for r in applicable(self.config)
                             if r.number not in self.rules],
            "rule_counts": {str(k): v for k, v in sorted(self.rules.items())},
            "events": dict(self.events),
            "access_bins": len(self.access),
            "access": [{"csr": k[0], "mode": k[1], "op": k[2], "outcome": k[3], "count": v}
                       for k, v in sorted(self.access.items())],
        }


def summary_lines(config: PMUConfig, tests: dict[str, dict]) -> tuple[list[str], bool]:
    """Coverage merged over the tests of one run: the rules (exercised, missed, not
    applicable with the reason) and the per-counter bins with their holes. The flag says
    whether coverage closed."""
    hit: set[int] = set()
    bins_hit: set[str] = set()
    holes: list[list] | None = None
    goals = 0
    for t in tests.values():
        hit |= set(t["coverage"]["rules_hit"])
        if "bins" in t:
            bins_hit |= set(t.get("bin_hits", ()))
            goals = max(goals, t["bins"]["bins"])
            holes = t["bins"]["holes"] if holes is None else holes
    lines = []
    want = applicable(config)
    missed = [r for r in want if r.number not in hit]
    lines.append(f"rules exercised: {len(want) - len(missed)}/{len(want)} applicable "
                 f"({len(RULES)} in docs/rules.md)")
    for r in missed:
        lines.append(f"  MISSED rule {r.number} ({r.section}): {r.title}")
    for r in RULES:
        reason = why_not(r, config)
        if reason:
            lines.append(f"  n/a    rule {r.number}: {r.title}: {reason}")
    open_holes = [h for h in (holes or []) if str(tuple(h)) not in bins_hit]
    if goals:
        lines.append(f"per-counter bins: {goals - len(open_holes)}/{goals} hit"
                     + ("" if open_holes else " (closed)"))
        for h in open_holes[:20]:
            lines.append(f"  hole: {' x '.join(str(x) for x in h)}")
        if len(open_holes) > 20:
            lines.append(f"  ... and {len(open_holes) - 20} more holes")
    return lines, not missed and not open_holes
