"""``rvpmu generate``: the Verilog and its companion files from one configuration."""

from __future__ import annotations

import argparse
import errno
import os
from pathlib import Path

from .common import CLIError, add_command, load_config, output_dir, \
    temporary_name

OUTPUTS = {
    "rvpmu_pmu.v": "Verilog of the PMU",
    "rvpmu_pmu_regmap.md": "register map for people",
    "rvpmu_pmu_regmap.json": "register map for tools",
    "rvpmu_pmu.h": "C header for firmware",
    "rvpmu_pmu.dtsi": "device-tree riscv,pmu node for OpenSBI",
}


def generate(config, outdir: Path, target: str = "generic") -> list[Path]:
    """Write every output for ``config`` into ``outdir``; return the paths, in OUTPUTS order."""
    from .. import cheader, devicetree, regmap
    from ..hdl.verilog import emit

    texts = {
        "rvpmu_pmu.v": emit(config, target),
        "rvpmu_pmu_regmap.md": regmap.markdown(config),
        "rvpmu_pmu_regmap.json": regmap.as_json(config),
        "rvpmu_pmu.h": cheader.c_header(config),
        "rvpmu_pmu.dtsi": devicetree.dts_fragment(config),
    }
    outdir.mkdir(parents=True, exist_ok=True)
    paths = [outdir / name for name in OUTPUTS]
    for path in paths:  # a rename onto a folder would fail half-way through
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    temps = [temporary_name(p) for p in paths]
    try:  # every file under a temporary name first: a failure leaves no half-written output
        for name, tmp in zip(OUTPUTS, temps):
            tmp.write_text(texts[name], encoding="utf-8")
        for tmp, path in zip(temps, paths):
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return paths


def cmd_generate(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    outdir = output_dir(args.output)
    try:
        paths = generate(cfg, outdir, args.target)
    except OSError as exc:
        where = f"{exc.filename}" if exc.filename else f"into {outdir}"
        raise CLIError(f"cannot write {where}: {exc.strerror or exc}") from None
    for p in paths:
        print(f"wrote {p}  ({OUTPUTS[p.name]})")
    return 0


def register(sub) -> None:
    sp = add_command(sub, "generate", "write the PMU's Verilog, register map (Markdown, JSON), "
                     "C header and device-tree fragment", cmd_generate, config=True)
    sp.add_argument("-o", "--output", metavar="OUTDIR", default="build/rvpmu",
                    help="output directory (default: build/rvpmu)")
    sp.add_argument("--target", choices=("generic", "ecp5"), default="generic",
                    help="counter implementation: generic logic (default; any FPGA or ASIC "
                         "flow) or ECP5 carry cells (CCU2C instances: about a third less logic "
                         "on ECP5, bench/RESULTS.md)")
