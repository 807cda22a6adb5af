"""The long regression shared among simulator processes (rvpmu.sim.jobs, `rvpmu sim --jobs`)."""

import re

import pytest

from rvpmu.model import PMUConfig
from rvpmu.sim import runner
from rvpmu.sim.jobs import effective_jobs, run_split, shares

CFG = PMUConfig(num_counters=4, counter_width=40)
QUIET = {"log": lambda *_: None}


@pytest.mark.parametrize("cycles, jobs", [(10, 3), (1_000_001, 2), (7, 7), (5, 1)])
def test_shares_add_up_and_differ_by_at_most_one(cycles, jobs):
    parts = shares(cycles, jobs)
    assert len(parts) == jobs and sum(parts) == cycles and max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)


def test_effective_jobs():
    assert effective_jobs(4, 2_000_000) == 4
    assert effective_jobs(4, 2_500) == 2  # at most one process per thousand cycles
    assert effective_jobs(4, 999) == 1
    assert effective_jobs(4, 2_000_000, "long_regression") == 4
    assert effective_jobs(4, 2_000_000, "directed") == 1  # nothing to share


@pytest.fixture(scope="module")
def verilog():
    return runner.simtop_verilog(CFG)


def test_two_processes_check_every_cycle_of_both_seeds(verilog, tmp_path):
    b = runner.build(CFG, "icarus", build_root=tmp_path, verilog=verilog, **QUIET)
    one = runner.run(b, seed=5, testcase="long_regression", params={"cycles": 3_000})
    two = run_split(b, seed=5, jobs=2, testcase="long_regression", params={"cycles": 6_000})
    assert two["failures"] == [] and one["failures"] == []
    long = two["tests"]["long_regression"]
    assert long["jobs"] == 2 and long["seeds"] == [5, 6]
    finals = one["tests"]["long_regression"]["checked_cycles"] - 3_000  # the final read-back
    assert long["checked_cycles"] == 6_000 + 2 * finals
    # job 0 ran seed 5's stream for its 3,000 cycles: the same accesses as a run of its own
    assert long["accesses"] > one["tests"]["long_regression"]["accesses"]
    assert len(two["job_logs"]) == 2 and all(p.endswith(".log") for p in two["job_logs"])


def test_a_mismatch_in_the_second_process_names_its_seed(verilog, tmp_path):
    # mcounteren's bit 2 (IR) shows inverted on the port while a response is out: every
    # process sees it at its first access (not in reset, where the harness checks the
    # outputs before any seed matters)
    mutated, n = re.subn(r"assign mcounteren = (\\mcounteren\$\d+ \[31:0\]);",
                         r"assign mcounteren = \g<1> ^ {29'h0, csr_rsp__valid, 2'h0};",
                         verilog, count=1)
    assert n == 1, "the mutation no longer applies to the emitted Verilog"
    b = runner.build(CFG, "icarus", build_root=tmp_path, verilog=mutated, **QUIET)
    report = run_split(b, seed=3, jobs=2, testcase="long_regression",
                       params={"cycles": 4_000})
    assert report["seed_dependent"] and len(report["failures"]) == 2
    assert any("long_regression seed 3:" in f for f in report["failures"])
    assert any("long_regression seed 4:" in f for f in report["failures"])
    # what `rvpmu sim` reruns alone for the waveform around the first failure
    run = report["failed_run"]
    assert (run["seed"], run["cycles"], run["test"]) == (3, 2_000, "long_regression")
    assert run["cycle"] > 0


def test_only_the_second_process_failing_is_the_run_to_rerun(monkeypatch, tmp_path):
    """The waveform rerun names the process that failed, not the first one."""
    from rvpmu.sim import jobs

    def fake_run(b, *, seed, params, testcase=None, report=None, **_):
        bad = seed == 11
        return {"tests": {}, "failures": ["long_regression: seed 11: differ"] if bad else [],
                "seed_dependent": bad, "failed_at_cycle": 1234 if bad else None,
                "log": f"log{seed}", "results_xml": f"r{seed}.xml"}

    monkeypatch.setattr(jobs.runner, "run", fake_run)
    b = runner.Build("icarus", tmp_path, CFG, False)
    report = run_split(b, seed=10, jobs=2, params={"cycles": 4_000})
    assert report["failed_run"] == {"seed": 11, "cycles": 2_000, "test": "long_regression",
                                    "cycle": 1234}
    assert report["failures"] == ["long_regression: seed 11: differ"]
