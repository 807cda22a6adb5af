"""Checked cycles per second: Verilator, Icarus and the golden model, side by side in one run.

    .venv/bin/python bench/sim_speed.py [--cycles N] [--seed S] [--config PMU.TOML]

Runs the generator-driven long regression (rvpmu.sim.tb_pmu.long_regression: the design runs
free between CSR accesses, the model follows in closed form and every access is checked) on
both simulators, and measures the model alone: stepping cycle by cycle (HartPMU.step with the
generator's events) and the regression's own model side (closed-form advance + checked access).
Writes the table to bench/results/sim_speed.md.
"""

from __future__ import annotations

import argparse
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
from rvpmu.sim.scoreboard import Scoreboard
from rvpmu.sim.stimulus import Stimulus

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
        gap = rng.choice((0, 1, 2, rng.randint(3, 64), rng.randint(64, max_gap)))
        sb.advance(gap, src, t, mode, False)
        t += gap
        # the access, then the cycles until its answer (as tb_pmu.long_regression does)
        for req in [stim.request()] + [None] * (CSR_RESPONSE_LATENCY - 1):
            sb.expect(PortInputs(req, *src.at(t), mode, False))
            sb.checked_cycles += 1
            t += 1
    return sb.checked_cycles / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=2_000_000)
    ap.add_argument("--icarus-cycles", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-gap", type=int, default=4000)
    ap.add_argument("--config", help="PMU configuration TOML (default: 29 x 64-bit RV64)")
    args = ap.parse_args()
    cfg = PMUConfig.from_toml(args.config) if args.config else PMUConfig()
    rows = []
    for sim, n in (("verilator", args.cycles), ("icarus", args.icarus_cycles)):
        b = runner.build(cfg, sim, build_root=ROOT.parent / "build" / "bench")
        rep = runner.run(b, seed=args.seed, testcase="long_regression",
                         params={"cycles": n, "max_gap": args.max_gap})
        if rep["failures"]:
            print(f"{sim}: regression FAILED: {rep['failures']}", file=sys.stderr)
            return 1
        t = rep["tests"]["long_regression"]
        rows.append((f"{sim} (cocotb, generator-driven long regression)", t["checked_cycles"],
                     t["seconds"], t["checked_cycles"] / t["seconds"]))
    n = min(args.cycles, 200_000)
    s = model_step_speed(cfg, n, args.seed)
    rows.append(("model alone, HartPMU.step cycle by cycle", n, n / s, s))
    s = model_regression_speed(cfg, args.cycles, args.seed, args.max_gap)
    rows.append(("model alone, the regression's model side (closed form)", args.cycles,
                 args.cycles / s, s))
    lines = [
        f"# Checked cycles per second ({date.today().isoformat()})",
        "",
        f"Command: `.venv/bin/python bench/sim_speed.py --cycles {args.cycles} "
        f"--icarus-cycles {args.icarus_cycles} --seed {args.seed} --max-gap {args.max_gap}`"
        + (f" `--config {args.config}`" if args.config else ""),
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}; configuration: xlen={cfg.xlen}, "
        f"{cfg.num_counters} x {cfg.counter_width}-bit counters.",
        "",
        "| what | checked cycles | seconds | cycles/s |",
        "|---|---:|---:|---:|",
        *(f"| {w} | {c:,} | {sec:.2f} | {cps:,.0f} |" for w, c, sec, cps in rows),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "results" / "sim_speed.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
