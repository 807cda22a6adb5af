"""Checked cycles per second: Verilator, Icarus and the golden model, side by side in one run.

    .venv/bin/python bench/sim_speed.py [--cycles N] [--jobs J] [--seed S] [--config PMU.TOML]
    .venv/bin/python bench/sim_speed.py --soak 100000000 [--jobs J]

Runs, on the same build: the design free-running with nothing checked (sim/tb_speed.py, the
ceiling), with cocotb's VPI clock and with the clock inside the simulator (sim/clocktop.py);
the generator-driven long regression (rvpmu.sim.tb_pmu.long_regression: the design runs free
between CSR accesses, the model follows in closed form, every access and the cycles around it
are checked) in one process and over J processes (rvpmu.sim.jobs); Icarus; and the model
alone. Writes bench/results/sim_speed.md; ``--soak`` writes bench/results/soak.md instead.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import date
from pathlib import Path

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.model import HartPMU
from rvpmu.model.cycle import CSR_RESPONSE_LATENCY, PortInputs
from rvpmu.model.eventgen import EventSource
from rvpmu.sim import runner
from rvpmu.sim.runner import SPEED_MODULE
from rvpmu.sim.jobs import run_split
from rvpmu.sim.scoreboard import Scoreboard
from rvpmu.sim.stimulus import Stimulus, free_run_cycles, max_gap_for

ROOT = Path(__file__).resolve().parent


def model_step_speed(cfg: PMUConfig, cycles: int, seed: int) -> float:
    pmu = HartPMU(cfg)
    for i in cfg.hpm_indices:
        pmu.csr_write(csr.mhpmevent(i), (i - csr.HPM_FIRST) % cfg.num_selectors)
    src = EventSource.from_seed(cfg, seed)
    t0 = time.perf_counter()
    for t in range(cycles):
        counts, retired = src.at(t)
        pmu.step(counts=counts, retired=retired)
    return cycles / (time.perf_counter() - t0)


def model_regression_speed(cfg: PMUConfig, cycles: int, seed: int, max_gap: int) -> float:
    """The long regression with the model standing in for the design (same mix of gaps)."""
    rng = random.Random(seed ^ 0x5EED)
    src = EventSource.from_seed(cfg, seed, density=rng.random(), retire_density=rng.random())
    sb, stim = Scoreboard(cfg, seed=seed), Stimulus(cfg, seed)
    t, mode = 0, csr.Mode.M
    t0 = time.perf_counter()
    while sb.checked_cycles < cycles:
        gap = free_run_cycles(rng, max_gap)
        sb.advance(gap, src, t, mode, False)
        t += gap
        # the access, then the cycles until its answer (as tb_pmu.long_regression does)
        for req in [stim.request()] + [None] * (CSR_RESPONSE_LATENCY - 1):
            sb.expect(PortInputs(req, *src.at(t), mode, False))
            sb.checked_cycles += 1
            t += 1
    return sb.checked_cycles / (time.perf_counter() - t0)


def _row(what: str, t: dict, cycles_key: str = "checked_cycles") -> tuple:
    cycles = t[cycles_key]
    cpu = t.get("cpu_seconds")
    return (what, cycles, t["seconds"], cycles / t["seconds"], cpu,
            cycles / cpu if cpu else None)


def _regression(b, args, cycles: int, jobs: int) -> dict:
    data = run_split(b, seed=args.seed, jobs=jobs, testcase="long_regression",
                     params={"cycles": cycles, **({"max_gap": args.max_gap} if args.max_gap
                                                  else {})})
    if data["failures"]:
        raise SystemExit(f"{b.simulator}: regression FAILED: {data['failures']}")
    return data["tests"]["long_regression"]


def _free_run(b, cycles: int, seed: int) -> dict:
    data = runner.run(b, seed=seed, module=SPEED_MODULE, params={"cycles": cycles})
    if data["failures"]:
        raise SystemExit(f"{b.simulator}: free run FAILED: {data['failures']}")
    return data["tests"]["free_run"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=2_000_000)
    ap.add_argument("--icarus-cycles", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-gap", type=int, default=None,
                    help="longest free run between accesses (default: the regression's own, "
                    "stimulus.max_gap_for: 4,000 up to 2M cycles, at most 16,000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="simulator processes for the parallel row (default: the CPUs)")
    ap.add_argument("--soak", type=int, metavar="CYCLES",
                    help="instead: one long regression of CYCLES on Verilator over --jobs "
                         "processes, written to bench/results/soak.md")
    ap.add_argument("--config", help="PMU configuration TOML (default: 29 x 64-bit RV64)")
    args = ap.parse_args()
    cfg = PMUConfig.from_toml(args.config) if args.config else PMUConfig()
    root = ROOT.parent / "build" / "bench"
    if args.soak:
        return soak(cfg, args, runner.build(cfg, "verilator", build_root=root))
    vpi = runner.build(cfg, "verilator", build_root=root, clocked=False)
    clocked = runner.build(cfg, "verilator", build_root=root)
    rows = [
        _row("verilator, free run, clock from cocotb (VPI), nothing checked",
             _free_run(vpi, args.cycles, args.seed), "cycles"),
        _row("verilator, free run, clock inside the simulator, nothing checked",
             _free_run(clocked, args.cycles, args.seed), "cycles"),
        _row("verilator, checked long regression, clock from cocotb (VPI), 1 process",
             _regression(vpi, args, args.cycles, 1)),
        _row("verilator, checked long regression, 1 process", _regression(clocked, args,
                                                                           args.cycles, 1)),
        _row(f"verilator, checked long regression, {args.jobs} processes (`rvpmu sim "
             f"--jobs {args.jobs}`)", _regression(clocked, args, args.cycles, args.jobs)),
        _row("icarus, checked long regression, 1 process",
             _regression(runner.build(cfg, "icarus", build_root=root), args,
                         args.icarus_cycles, 1)),
    ]
    n = min(args.cycles, 200_000)
    s = model_step_speed(cfg, n, args.seed)
    rows.append(("model alone, HartPMU.step cycle by cycle", n, n / s, s, None, None))
    s = model_regression_speed(cfg, args.cycles, args.seed,
                               args.max_gap or max_gap_for(args.cycles))
    rows.append(("model alone, the regression's model side (closed form)", args.cycles,
                 args.cycles / s, s, None, None))
    lines = [
        f"# Checked cycles per second ({date.today().isoformat()})",
        "",
        f"Command: `.venv/bin/python bench/sim_speed.py --cycles {args.cycles} "
        f"--icarus-cycles {args.icarus_cycles} --seed {args.seed} --jobs {args.jobs}"
        + (f" --max-gap {args.max_gap}" if args.max_gap else "") + "`" + (f" `--config {args.config}`" if args.config else ""),
        _machine(cfg),
        "",
        "Wall: seconds of wall time and cycles per wall second. CPU: the simulator "
        "processes' own CPU seconds (summed over processes), which a busy machine does not "
        "inflate. A free run checks nothing: it is the ceiling one process can reach.",
        "",
        "| what | cycles | wall s | cycles/s | CPU s | cycles/CPU s |",
        "|---|---:|---:|---:|---:|---:|",
        *(_line(r) for r in rows),
        "",
    ]
    return _write("sim_speed.md", lines)


def soak(cfg: PMUConfig, args, b) -> int:
    """The 10^8-cycle soak: one checked long regression over --jobs processes."""
    t = _regression(b, args, args.soak, args.jobs)
    lines = [
        f"# Soak: {args.soak:,} checked cycles ({date.today().isoformat()})",
        "",
        f"Command: `.venv/bin/python bench/sim_speed.py --soak {args.soak} --jobs {args.jobs} "
        f"--seed {args.seed}" + (f" --max-gap {args.max_gap}" if args.max_gap else "") + "`",
        _machine(cfg),
        "",
        f"Result: **PASS**, no mismatch: {t['checked_cycles']:,} cycles checked against the "
        f"hart model in {t['accesses']:,} CSR accesses, seeds {t.get('seeds', [args.seed])}.",
        "",
        "| what | cycles | wall s | cycles/s | CPU s | cycles/CPU s |",
        "|---|---:|---:|---:|---:|---:|",
        _line(_row(f"verilator, checked long regression, {t.get('jobs', 1)} processes", t)),
        "",
        f"Rules exercised: {len(t['coverage']['rules_hit'])}; per-counter bins hit: "
        f"{len(t.get('bin_hits', []))}.",
        "",
    ]
    return _write("soak.md", lines)


def _machine(cfg: PMUConfig) -> str:
    return (f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
            f"{platform.python_implementation()} {platform.python_version()}; configuration: "
            f"xlen={cfg.xlen}, {cfg.num_counters} x {cfg.counter_width}-bit counters.")


def _line(r: tuple) -> str:
    what, cycles, sec, cps, cpu, cpc = r
    return (f"| {what} | {cycles:,} | {sec:.2f} | {cps:,.0f} | "
            + (f"{cpu:.2f} | {cpc:,.0f} |" if cpu else "| |"))


def _write(name: str, lines: list[str]) -> int:
    text = "\n".join(lines)
    print(text)
    out = ROOT / "results" / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
