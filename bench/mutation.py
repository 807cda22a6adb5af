"""Mutation score of the regression on the 4 x 40 PMU at the test suite's run size.

    .venv/bin/python bench/mutation.py [--count 200] [--seed 1] [--jobs 1]
    .venv/bin/python bench/mutation.py --from-report REPORT.json [--command "..."]

Runs ``rvpmu mutate`` (docs/mutation.md) on PMUConfig(num_counters=4, counter_width=40) with
the cycle counts of tests/sim/test_mutations.py and writes bench/results/mutation.md: the
figures and every survivor with its hdl/*.py line and the output it changes. With
``--from-report`` it only renders a report written earlier by ``rvpmu mutate --report``.
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

from rvpmu.config import PMUConfig
from rvpmu.sim.mutation import report
from rvpmu.sim.mutation.score import KILLED, NOT_COMPILED, SURVIVED, TIMEOUT, Score

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "mutation.md"
CONFIG = PMUConfig(num_counters=4, counter_width=40)


def markdown(score: Score, command: str) -> str:
    c = score.counts
    rate = score.kill_rate
    settings = score.settings
    rows = [("mutants", len(score.outcomes)), ("killed", c[KILLED]),
            ("killed by timeout", c[TIMEOUT]), ("survived", c[SURVIVED]),
            ("equivalent (proved, not scored)", c["equivalent"]),
            ("not compiled", c[NOT_COMPILED]),
            ("kill rate (killed / non-equivalent, compiled)",
             f"{rate:.1%} ({c[KILLED] + c[TIMEOUT]} / {score.scored})" if rate is not None
             else "n/a"),
            ("wall time", f"{score.seconds / 60:.0f} min"),
            ("unmutated regression", f"{score.baseline_seconds:.1f} s"),
            ("wall-time limit per mutant", f"{settings.get('timeout', 0):.0f} s")]
    unknown = [o for o in score.survivors if o.equivalence and o.equivalence.result == "unknown"]
    lines = [
        "# Mutation score of the regression (rvpmu mutate)", "",
        f"{date.today().isoformat()}, {platform.machine()}, {settings.get('jobs', 1)} job(s), "
        f"{settings.get('simulator')}; regenerate with `.venv/bin/python bench/mutation.py`.",
        "", "Command:", "", "```", command, "```", "",
        "Configuration: 4 counters x 40 bits (RV64, M/S/U/H, Sscofpmf, Smcntrpmf); run size "
        f"{settings.get('params')} (tests/sim/test_mutations.py's), seed "
        f"{settings.get('seed')}. Yosys `mutate -list` chooses the faults in the PMU's modules "
        "only; each mutant runs the three cocotb tests of `rvpmu.sim.tb_pmu` on Icarus; each "
        "survivor is checked with a miter in SymbiYosys (docs/mutation.md).", "",
        "| figure | value |", "|---|---|", *[f"| {k} | {v} |" for k, v in rows], "",
        f"Survivors: {len(score.survivors)} ({len(unknown)} of them \"unknown\": no proof and "
        "no counterexample within the bounded depth; they count as survivors). Grouped by the "
        "output the equivalence check found different (the first differing outputs of the "
        "counterexample, and how many cycles after reset):", "",
        report.markdown_survivors(score) or "- none", "",
    ]
    return "\n".join(lines)


def statements_at(score: Score, rev: str) -> None:
    """Fill in the statements of a report written before they were recorded, from the sources
    of git revision ``rev`` (the one the run elaborated)."""
    files: dict[str, list[str]] = {}
    for o in score.outcomes:
        m = o.mutation
        if m.statements:
            continue
        for s in m.src:
            path, _, line = s.rpartition(":")
            if path not in files:
                show = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT.parent,
                                      capture_output=True, text=True)
                files[path] = show.stdout.splitlines()
            lines = files[path]
            n = int(line) if line.isdigit() else 0
            m.statements.append(lines[n - 1].strip()[:100] if 0 < n <= len(lines) else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--build-dir", default="build/mutation")
    ap.add_argument("--from-report", metavar="REPORT.json")
    ap.add_argument("--command", help="the command that wrote --from-report")
    ap.add_argument("--source-rev", help="git revision whose hdl/ the report's run elaborated "
                    "(for reports without the statements of their mutations)")
    args = ap.parse_args(argv)
    if args.from_report:
        rep = Path(args.from_report)
        command = args.command or f"rvpmu mutate ... --report {rep}"
    else:
        build = Path(args.build_dir)
        build.mkdir(parents=True, exist_ok=True)
        config = build / "pmu-4x40.toml"
        config.write_text(CONFIG.to_toml(), encoding="utf-8")
        rep = build / "report.json"
        cmd = [str(Path(sys.executable).parent / "rvpmu"), "mutate", "--config", str(config),
               "--count", str(args.count), "--seed", str(args.seed), "--jobs", str(args.jobs),
               "--build-dir", str(build), "--report", str(rep)]
        command = "nice -n 5 " + shlex.join(["rvpmu", *cmd[1:]])
        if subprocess.run(["nice", "-n", "5", *cmd]).returncode != 0:
            return 1
    score = Score.from_json(json.loads(rep.read_text(encoding="utf-8")))
    if args.source_rev:
        statements_at(score, args.source_rev)
    RESULTS.write_text(markdown(score, command), encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
