"""Mutation score of the regression: run it on every mutant, classify, check the survivors.

A mutant is "killed" when a test of rvpmu.sim.tb_pmu fails, "timeout" (also killed) when the
run passes its wall-time limit, "survived" when every test passes, "not-compiled" when the
simulator rejects its Verilog. Survivors are then checked for equivalence (rvpmu.sim.mutation
.equiv); the kill rate counts only mutants that can change behaviour.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rvpmu.config import PMUConfig

from . import design, equiv
from .design import Mutation, MutationError

KILLED, TIMEOUT, SURVIVED, NOT_COMPILED = "killed", "timeout", "survived", "not-compiled"
# tests/sim/test_mutations.py's size; a mutant is killed by its first failing test
TEST_SUITE_PARAMS = {"cycles": 20_000, "lockstep_cycles": 1_500, "fail_fast": True}


@dataclass
class Outcome:
    mutation: Mutation
    status: str  # KILLED, TIMEOUT, SURVIVED or NOT_COMPILED
    seconds: float
    detail: str = ""  # the first failure, or why it did not compile
    equivalence: equiv.Equivalence | None = None

    @property
    def klass(self) -> str:
        """The final class: a survivor proved equivalent is "equivalent"."""
        if self.status == SURVIVED and self.equivalence is not None \
                and self.equivalence.result == equiv.EQUIVALENT:
            return "equivalent"
        return self.status

    def to_json(self) -> dict:
        return {**self.mutation.to_json(), "status": self.status, "class": self.klass,
                "seconds": round(self.seconds, 1), "detail": self.detail,
                "equivalence": self.equivalence.to_json() if self.equivalence else None}


@dataclass
class Score:
    outcomes: list[Outcome]
    baseline_seconds: float
    seconds: float
    settings: dict = field(default_factory=dict)

    def count(self, klass: str) -> int:
        return sum(o.klass == klass for o in self.outcomes)

    @property
    def counts(self) -> dict[str, int]:
        return {k: self.count(k) for k in (KILLED, TIMEOUT, SURVIVED, "equivalent",
                                           NOT_COMPILED)}

    @property
    def scored(self) -> int:
        """Mutants that can change behaviour (not equivalent) and compiled."""
        return len(self.outcomes) - self.count("equivalent") - self.count(NOT_COMPILED)

    @property
    def kill_rate(self) -> float | None:
        killed = self.count(KILLED) + self.count(TIMEOUT)
        return killed / self.scored if self.scored else None

    @property
    def survivors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.klass == SURVIVED]

    @classmethod
    def from_json(cls, data: dict) -> Score:
        """A score read back from ``rvpmu mutate --report`` (bench/mutation.py renders it)."""
        outcomes = []
        for o in data["outcomes"]:
            m = Mutation(o["index"], o["command"], o["mode"], o["module"], o["cell"], o["port"],
                         o["bit"], o["wire"], o["src"], o.get("statements", []))
            e = equiv.Equivalence(**o["equivalence"]) if o["equivalence"] else None
            outcomes.append(Outcome(m, o["status"], o["seconds"], o["detail"], e))
        return cls(outcomes, data["baseline_seconds"], data["seconds"], data["settings"])

    def to_json(self) -> dict:
        return {"settings": self.settings, "counts": self.counts, "mutants": len(self.outcomes),
                "scored": self.scored, "kill_rate": self.kill_rate,
                "baseline_seconds": round(self.baseline_seconds, 1),
                "seconds": round(self.seconds, 1),
                "outcomes": [o.to_json() for o in self.outcomes]}


def regress(verilog: Path, job_dir: Path, config_file: Path, simulator: str, seed: int,
             params: dict, timeout: float) -> tuple[str, float, str, dict]:
    """Run the regression on one Verilog text in a bounded worker process."""
    job_dir.mkdir(parents=True, exist_ok=True)
    result = job_dir / "result.json"
    job = {"verilog": str(verilog), "config": str(config_file), "simulator": simulator,
           "build_root": str(job_dir / "sim"), "seed": seed, "params": params,
           "result": str(result)}
    (job_dir / "job.json").write_text(json.dumps(job, indent=1), encoding="utf-8")
    start = time.monotonic()
    rc, _ = design.run_bounded([sys.executable, "-m", "rvpmu.sim.mutation.worker", "job.json"],
                               cwd=job_dir, timeout=timeout, log=job_dir / "worker.log")
    seconds = time.monotonic() - start
    if rc is None:
        return TIMEOUT, seconds, f"no result within {timeout:.0f} s (killed)", {}
    if not result.is_file():
        tail = (job_dir / "worker.log").read_text(errors="replace").strip().splitlines()[-1:]
        return KILLED, seconds, f"the run crashed: {tail[0][:160] if tail else rc}", {}
    data = json.loads(result.read_text(encoding="utf-8"))
    if data["status"] == "not-compiled":
        return NOT_COMPILED, seconds, data["detail"], data
    if data["failures"]:
        return KILLED, seconds, data["failures"][0][:200], data
    return SURVIVED, seconds, "", data


def run(config: PMUConfig, workdir: Path, *, count: int, seed: int, simulator: str = "icarus",
        params: dict | None = None, jobs: int = 1, timeout: float | None = None,
        check_equivalence: bool = True, equiv_timeout: int = equiv.DEFAULT_TIMEOUT,
        bmc_depth: int = equiv.DEFAULT_BMC_DEPTH, keep: bool = False,
        log: Callable[[str], None] = print) -> Score:
    """Score the regression with ``count`` mutants of the PMU chosen with ``seed``."""
    from rvpmu.hdl.formal.sby import find_tools

    started = time.monotonic()
    # Absolute: the simulator processes run in their own directories and read pmu.toml there.
    workdir = Path(workdir).resolve()
    params = dict(TEST_SUITE_PARAMS if params is None else params)
    tools = find_tools()
    workdir.mkdir(parents=True, exist_ok=True)
    il = workdir / "design.il"
    il.write_text(design.rtlil_text(config), encoding="utf-8")
    config_file = workdir / "pmu.toml"
    config_file.write_text(config.to_toml(), encoding="utf-8")
    mutations = design.list_mutations(tools, il.name, workdir, count, seed)
    if not mutations:
        raise MutationError("yosys listed no mutations for the PMU")
    log(f"{len(mutations)} mutations of the PMU listed by yosys (seed {seed}); writing mutants")
    verilog = design.write_mutants(tools, il.name, workdir, mutations)

    log(f"regression on the unmutated design ({simulator}, {params}) ...")
    status, base_s, detail, _ = regress(verilog[0], workdir / "mutant0", config_file, simulator,
                                         seed, params, timeout or 3600)
    if status != SURVIVED:
        raise MutationError(f"the unmutated design does not pass the regression ({status}: "
                            f"{detail or 'see ' + str(workdir / 'mutant0')}); nothing to score")
    limit = timeout or max(120.0, 5 * base_s)
    log(f"unmutated design passes in {base_s:.1f} s; each mutant is stopped after {limit:.0f} s")

    lock = threading.Lock()
    done = [0]
    t0 = time.monotonic()

    def one(m: Mutation) -> Outcome:
        job_dir = workdir / f"mutant{m.index}"
        status, seconds, detail, data = regress(verilog[m.index], job_dir, config_file,
                                                 simulator, seed, params, limit)
        if status != SURVIVED and not keep:
            shutil.rmtree(job_dir / "sim", ignore_errors=True)
        out = Outcome(m, status, seconds, detail)
        with lock:
            done[0] += 1
            eta = (time.monotonic() - t0) / done[0] * (len(mutations) - done[0])
            log(f"[{done[0]}/{len(mutations)}] #{m.index} {m.mode} {m.location}: {status} "
                f"({seconds:.0f} s; ETA {_duration(eta)})" + (f" {detail[:90]}" if detail
                                                              and status != KILLED else ""))
        return out

    outcomes = _pool(one, mutations, jobs)
    survivors = [o for o in outcomes if o.status == SURVIVED]
    if check_equivalence and survivors:
        log(f"checking {len(survivors)} survivors for equivalence (SymbiYosys) ...")
        done[0] = 0

        def check(o: Outcome) -> Outcome:
            o.equivalence = equiv.check(tools, workdir, il.name,
                                        f"mutant{o.mutation.index}/equiv", o.mutation,
                                        bmc_depth=bmc_depth, timeout=equiv_timeout)
            with lock:
                done[0] += 1
                log(f"[{done[0]}/{len(survivors)}] #{o.mutation.index}: "
                    f"{o.equivalence.result} ({o.equivalence.seconds:.0f} s) "
                    f"{o.equivalence.detail}")
            return o

        _pool(check, survivors, jobs)
    settings = {"config": config.to_toml(), "count": count, "seed": seed,
                "simulator": simulator, "params": params, "jobs": jobs,
                "timeout": limit, "equivalence": check_equivalence}
    return Score(outcomes, base_s, time.monotonic() - started, settings)


def _pool(fn, items, jobs):
    if jobs <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(fn, items))


def _duration(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m // 60}h{m % 60:02d}m" if m >= 60 else f"{m}m{s:02d}s"
