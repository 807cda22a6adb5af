"""The long regression over several simulator processes at once (issue 17, item 10).

One simulator process is single-threaded, and on the default PMU the Verilated design alone
runs at about a million cycles a second, so a checked regression cannot beat that in one
process. ``run_split`` shares the long regression's cycles among ``jobs`` processes: the first
runs every test asked for with its share, each other one only the long regression with its
share and a seed of its own (``seed + k``), all at the same time. Their reports come back as
one, whose long regression counts every process's checked cycles against the time the longest
of them took. A mismatch in job k names its own seed, and ``rvpmu sim --seed S+k`` reproduces
it (the same stimulus from the start, run longer).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from . import runner
from .coverage_report import merge_tests

LONG = "long_regression"


def shares(cycles: int, jobs: int) -> list[int]:
    """``cycles`` in ``jobs`` parts that differ by at most one, the larger first."""
    base, extra = divmod(cycles, jobs)
    return [base + (k < extra) for k in range(jobs)]


def effective_jobs(jobs: int, cycles: int, testcase: str | None = None) -> int:
    """The processes ``run_split`` uses: at most one per thousand cycles, and one unless the
    long regression runs."""
    return max(1, min(jobs, cycles // 1000)) if testcase in (None, LONG) else 1


def run_split(b: runner.Build, *, seed: int, params: dict, jobs: int,
              testcase: str | None = None, **run_kwargs) -> dict:
    """``runner.run`` with the long regression shared among ``jobs`` processes
    (``effective_jobs``); with one, ``runner.run`` itself."""
    cycles = params.get("cycles", 100_000)
    jobs = effective_jobs(jobs, cycles, testcase)
    if jobs == 1:
        return runner.run(b, seed=seed, params=params, testcase=testcase, **run_kwargs)
    parts = shares(cycles, jobs)
    # the other jobs' reports: runner.run names its own by process, and these share one
    reports = [b.directory / f"report-{os.getpid()}-job{k}.json" for k in range(jobs)]
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            first = pool.submit(runner.run, b, seed=seed, params={**params, "cycles": parts[0]},
                                testcase=testcase, **run_kwargs)
            others = [pool.submit(runner.run, b, seed=seed + k, testcase=LONG,
                                  params={**params, "cycles": parts[k]}, report=reports[k])
                      for k in range(1, jobs)]
            data, rest = first.result(), [f.result() for f in others]
    finally:
        for path in reports:
            path.unlink(missing_ok=True)
    long_runs = [d["tests"][LONG] for d in [data, *rest] if LONG in d["tests"]]
    if long_runs:
        # The processes' long regressions run side by side: the longest of them is the time
        # the whole took (the first process's other tests are not part of it).
        wall = max(t["seconds"] for t in long_runs)
        merged = long_runs[0]
        for more in long_runs[1:]:
            merged = merge_tests(merged, more)
        merged.update(seconds=round(wall, 3), jobs=jobs, seeds=[seed + k for k in range(jobs)],
                      cycles_per_second=round(merged["checked_cycles"] / wall),
                      cpu_seconds=round(sum(t.get("cpu_seconds", 0) for t in long_runs), 3))
        data["tests"][LONG] = merged
    first_failed_at = data.get("failed_at_cycle")  # the first process's own, before merging
    for d in rest:
        data["failures"] += d["failures"]
        data["seed_dependent"] = data["seed_dependent"] or d["seed_dependent"]
        if data.get("failed_at_cycle") is None:
            data["failed_at_cycle"] = d.get("failed_at_cycle")
    data["job_logs"] = [data["log"]] + [d["log"] for d in rest]
    data["job_results_xml"] = [d["results_xml"] for d in rest]  # for the run's one JUnit file
    # the first process that failed, as `rvpmu sim` reruns it alone (for the waveform around it)
    runs = [(seed, parts[0], testcase, first_failed_at)] + [
        (seed + k, parts[k], LONG, d.get("failed_at_cycle")) for k, d in enumerate(rest, 1)]
    failed = [r for r in runs if r[3] is not None]
    if failed:
        data["failed_run"] = dict(zip(("seed", "cycles", "test", "cycle"), failed[0]))
    return data
