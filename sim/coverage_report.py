"""Coverage reports that read well: several ``rvpmu sim`` reports (seeds) merged into one, and
a Markdown rendering of a report (issue 17, item 8).

A report is the JSON ``rvpmu sim --report`` writes: its ``config`` and, per cocotb test, the
coverage of ``rvpmu.sim.coverage.Coverage.report`` and the per-counter bins of
``rvpmu.sim.bins``. The rules' numbers, titles and applicability come from ``rvpmu.rules``.
"""

from __future__ import annotations

from collections import Counter

from rvpmu.config import ConfigError, PMUConfig
from rvpmu.rules import RULES, why_not

from .coverage import summary_lines


class ReportError(ValueError):
    """A report that cannot be read or merged; the message is one line."""


def config_of(report: dict, source: str = "report") -> PMUConfig:
    if not isinstance(report, dict) or not isinstance(report.get("config"), dict):
        raise ReportError(f"{source}: not an `rvpmu sim --report` file (no configuration)")
    if not isinstance(report.get("tests"), dict):
        raise ReportError(f"{source}: not an `rvpmu sim --report` file (no tests)")
    try:
        return PMUConfig.from_dict(report["config"], source=source)
    except ConfigError as exc:
        raise ReportError(str(exc)) from None


def merge_tests(a: dict, b: dict) -> dict:
    """One test's results from two runs (checked cycles, accesses, rules, bins together)."""
    ca, cb = a["coverage"], b["coverage"]
    counts = Counter({int(k): v for k, v in ca.get("rule_counts", {}).items()})
    counts.update({int(k): v for k, v in cb.get("rule_counts", {}).items()})
    access: Counter = Counter()
    for row in ca.get("access", []) + cb.get("access", []):
        access[(row["csr"], row["mode"], row["op"], row["outcome"])] += row["count"]
    events = Counter(ca.get("events", {}))
    events.update(cb.get("events", {}))
    hit = sorted(set(ca["rules_hit"]) | set(cb["rules_hit"]))
    out = {
        "checked_cycles": a.get("checked_cycles", 0) + b.get("checked_cycles", 0),
        "accesses": a.get("accesses", 0) + b.get("accesses", 0),
        "seconds": round(a.get("seconds", 0) + b.get("seconds", 0), 3),
        "coverage": {
            "rules_hit": hit,
            "rules_missed": [r for r in ca.get("rules_missed", []) if r not in hit],
            "rule_counts": {str(k): v for k, v in sorted(counts.items())},
            "events": dict(events),
            "access_bins": len(access),
            "access": [{"csr": k[0], "mode": k[1], "op": k[2], "outcome": k[3], "count": v}
                       for k, v in sorted(access.items())],
        },
    }
    if "bins" in a or "bins" in b:
        out["bins"] = a.get("bins") or b.get("bins")
        out["bin_hits"] = sorted(set(a.get("bin_hits", [])) | set(b.get("bin_hits", [])))
    return out


def merge(reports: list[tuple[str, dict]]) -> dict:
    """One report from several runs of the same configuration (their seeds, tests, rules,
    bins and counts together). ``reports`` are (name, data) pairs."""
    if not reports:
        raise ReportError("no reports to merge")
    first_name, first = reports[0]
    config = config_of(first, first_name)
    merged = {"config": first["config"], "tests": {}, "seeds": [], "merged_from": []}
    for name, data in reports:
        if config_of(data, name) != config:
            raise ReportError(f"{name}: a different PMU configuration from {first_name}; "
                              "only runs of one configuration can be merged")
        seeds = data.get("seeds") or [data.get("seed")]
        merged["seeds"] += [s for s in seeds if s is not None]
        merged["merged_from"] += data.get("merged_from") or [name]
        try:
            for test, t in data["tests"].items():
                have = merged["tests"].get(test)
                merged["tests"][test] = t if have is None else merge_tests(have, t)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ReportError(f"{name}: incomplete coverage data ({exc})") from None
    return merged


def markdown(report: dict, title: str = "rvpmu coverage") -> str:
    """The coverage of a report as a Markdown page: runs, rules (exercised with their count,
    MISSED, or N/A with the reason), per-counter bins and holes, CSR access bins, events."""
    config = config_of(report)
    tests = report["tests"]
    seeds = report.get("seeds") or [report.get("seed")]
    out = [f"# {title}", "",
           f"Configuration: RV{config.xlen}, {config.num_counters} x {config.counter_width}-bit "
           f"counters, {len(config.events)} event inputs  ",
           f"Seeds: {', '.join(str(s) for s in seeds if s is not None) or '-'}"
           + (f" (merged from {len(report['merged_from'])} reports)"
              if report.get("merged_from") else ""), ""]
    _, closed = summary_lines(config, tests)
    out += ["| test | checked cycles | CSR accesses | seconds |", "|---|---:|---:|---:|"]
    for name, t in tests.items():
        out.append(f"| {name} | {t.get('checked_cycles', 0):,} | {t.get('accesses', 0):,} | "
                   f"{t.get('seconds', 0):.1f} |")
    counts: Counter = Counter()
    for t in tests.values():
        counts.update({int(k): v for k, v in t["coverage"].get("rule_counts", {}).items()})
    hit = {r for t in tests.values() for r in t["coverage"]["rules_hit"]}
    applicable = [r for r in RULES if not why_not(r, config)]
    done = sum(1 for r in applicable if r.number in hit)
    out += ["", f"## Rules: {done}/{len(applicable)} applicable exercised", "",
            "Numbers and titles from docs/rules.md.", "",
            "| rule | section | title | status |", "|---:|---|---|---|"]
    for r in RULES:
        reason = why_not(r, config)
        status = (f"N/A: {reason}" if reason else
                  f"exercised ({counts[r.number]:,})" if r.number in hit else "**MISSED**")
        out.append(f"| {r.number} | {r.section} | {r.title} | {status} |")
    out += ["", "## Per-counter bins", ""]
    lines, _ = summary_lines(config, tests)
    bins = [ln.strip() for ln in lines if ln.startswith(("per-counter", "  hole", "  ..."))]
    out += [f"- {ln}" for ln in bins] or ["- no per-counter bins in this report"]
    access: Counter = Counter()
    events: Counter = Counter()
    for t in tests.values():
        for row in t["coverage"].get("access", []):
            access[(row["csr"], row["mode"], row["op"], row["outcome"])] += row["count"]
        events.update(t["coverage"].get("events", {}))
    out += ["", f"## CSR class x mode x op x outcome: {len(access)} bins", "",
            "| CSR class | mode | op | outcome | count |", "|---|---|---|---|---:|"]
    out += [f"| {k[0]} | {k[1]} | {k[2]} | {k[3]} | {v:,} |" for k, v in sorted(access.items())]
    out += ["", "## Events", "", "| event | count |", "|---|---:|"]
    out += [f"| {k} | {v:,} |" for k, v in sorted(events.items())]
    out += ["", f"Coverage {'closed' if closed else 'NOT closed'}.", ""]
    return "\n".join(out)
