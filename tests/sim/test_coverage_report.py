"""Coverage across seeds (`rvpmu coverage merge`) and as Markdown (issue 17 item 8)."""

import json
import subprocess
import sys
from pathlib import Path

from rvpmu.config import PMUConfig
from rvpmu.rules import applicable
from rvpmu.sim.coverage_report import ReportError, markdown, merge

RVPMU = Path(sys.executable).parent / "rvpmu"
CFG = PMUConfig(num_counters=4, counter_width=40)
HOLES = [["route", 3, 4], ["warl", 3, "above"]]


def report(seed: int, rules: list[int], bins_hit: list[list], cfg=CFG) -> dict:
    """A report as `rvpmu sim --report` writes it (one directed test)."""
    return {"config": cfg.to_dict(), "seed": seed, "tests": {"directed": {
        "checked_cycles": 1000, "accesses": 100, "seconds": 1.0, "seed": seed,
        "coverage": {"rules_hit": rules, "rules_missed": [],
                     "rule_counts": {str(r): 2 for r in rules},
                     "events": {"lcofip_rise": 1}, "access_bins": 1,
                     "access": [{"csr": "counter", "mode": "M", "op": "read", "outcome": "ok",
                                 "count": 5}]},
        "bins": {"bins": 10, "holes": HOLES},
        "bin_hits": [str(tuple(h)) for h in bins_hit]}}}


def test_merge_joins_seeds():
    everything = [r.number for r in applicable(CFG)]
    a = report(1, everything[:10], [HOLES[0]])
    b = report(2, everything[10:], [HOLES[1]])
    m = merge([("a.json", a), ("b.json", b)])
    t = m["tests"]["directed"]
    assert m["seeds"] == [1, 2] and m["merged_from"] == ["a.json", "b.json"]
    assert t["checked_cycles"] == 2000 and t["coverage"]["rules_hit"] == sorted(everything)
    assert t["coverage"]["access"][0]["count"] == 10
    assert t["coverage"]["events"] == {"lcofip_rise": 2}
    md = markdown(m)
    # each seed alone leaves a rule and a bin open; together they close
    assert "Coverage closed." in md and "Coverage NOT closed." in markdown(a)
    assert "**MISSED**" in markdown(a) and "**MISSED**" not in md
    assert "Seeds: 1, 2 (merged from 2 reports)" in md


def test_merge_refuses_another_configuration():
    other = report(2, [1], [], cfg=PMUConfig(num_counters=5))
    try:
        merge([("a.json", report(1, [1], [])), ("b.json", other)])
    except ReportError as exc:
        assert "b.json: a different PMU configuration from a.json" in str(exc)
    else:
        raise AssertionError("merged reports of two configurations")


def test_cli_merge_writes_json_and_markdown(tmp_path):
    everything = [r.number for r in applicable(CFG)]
    for seed, part in ((1, everything[:5]), (2, everything[5:])):
        (tmp_path / f"r{seed}.json").write_text(json.dumps(report(seed, part, HOLES)))
    r = subprocess.run([str(RVPMU), "coverage", "merge", str(tmp_path / "r1.json"),
                        str(tmp_path / "r2.json"), "-o", str(tmp_path / "m.json"), "--md",
                        str(tmp_path / "m.md")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert f"rules exercised: {len(everything)}/{len(everything)} applicable" in r.stdout
    assert json.loads((tmp_path / "m.json").read_text())["seeds"] == [1, 2]
    assert "| 3 | B1 | RV32 halves read and write only their 32 bits | N/A: RV32 only |" in \
        (tmp_path / "m.md").read_text()
    # bad input: one line, nothing written
    (tmp_path / "bad.json").write_text("{not json")
    for args, phrase in (([str(tmp_path / "bad.json")], "not JSON"),
                         ([str(tmp_path / "none.json")], "no such report"),
                         ([str(tmp_path)], "not a regular file"),
                         ([str(tmp_path / "m.md")], "not JSON")):
        r = subprocess.run([str(RVPMU), "coverage", "merge", *args, "-o",
                            str(tmp_path / "x.json")], capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 1 and phrase in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "x.json").exists()
