"""Building the SoC for a simulator (once per configuration) and running a program on it.

Reuses the PMU simulation runner's helpers (rvpmu.sim.runner: the cocotb runner with
top-level-only Verilator visibility, the Icarus time-zero fix, the results parser). Builds
live in ``build/soc/<simulator>-<hash>`` keyed by the Verilog text.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from rvpmu.sim import runner as simrunner

from . import config as soc
from .top import SoC
from .verilog import TOP, soc_verilog

DEFAULT_BUILD_ROOT = Path("build") / "soc"
TEST_MODULE = "rvpmu.soc.tb"


@dataclass
class Build:
    simulator: str
    directory: Path


def build(simulator: str, *, build_root: Path = DEFAULT_BUILD_ROOT,
          swap_events: tuple[str, str] | None = None, top: SoC | None = None,
          log=print) -> Build:
    """``top`` replaces the default SoC (a reduced one, one with a UART and its RAM
    initialised: the simulated board)."""
    simrunner.check_simulator(simulator)
    top = top or SoC(soc.SOC_CONFIG, swap_events=swap_events)
    text = soc_verilog(top)
    if simulator == "icarus":
        text = simrunner.settle_at_time_zero(text)
    args = simrunner._BUILD_ARGS[simulator] + (["-Wno-lint", "-Wno-style"]
                                               if simulator == "verilator" else [])
    key = hashlib.sha256((text + simulator + " ".join(args)).encode()).hexdigest()[:12]
    d = (Path(build_root) / f"{simulator}-{key}").resolve()
    if (d / "built.ok").exists():
        return Build(simulator, d)
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    (d / f"{TOP}.v").write_text(text, encoding="utf-8")
    (d / "pmu.toml").write_text(top.cfg.to_toml(), encoding="utf-8")
    (d / "uart_divisor").write_text(str(top.uart_divisor or 0))
    log(f"building the {simulator} model of the SoC in {d} ...")
    r = simrunner._get_runner(simulator)
    r.build(sources=[d / f"{TOP}.v"], hdl_toplevel=TOP, build_dir=d, build_args=args,
            timescale=("1ns", "1ps"), always=True, log_file=d / "build.log")
    (d / "built.ok").write_text("ok\n")
    return Build(simulator, d)


def run(b: Build, image: dict[int, int], *, max_cycles: int, tag: str = "run") -> dict:
    """Run one program image (word index -> word); return the testbench's report."""
    simrunner.check_simulator(b.simulator)
    stem = f"{tag}-{os.getpid()}"
    report = b.directory / f"report-{stem}.json"
    image_file = b.directory / f"image-{stem}.json"
    image_file.write_text(json.dumps(image))
    for p in (report,):
        if p.exists():
            p.unlink()
    params = {"config": str(b.directory / "pmu.toml"), "image": str(image_file),
              "report": str(report), "max_cycles": max_cycles,
              "uart_divisor": int((b.directory / "uart_divisor").read_text())}
    env = {"RVPMU_SOC_PARAMS": json.dumps(params),
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    results = b.directory / f"results-{stem}.xml"
    try:
        simrunner._get_runner(b.simulator).test(
            test_module=TEST_MODULE, hdl_toplevel=TOP, hdl_toplevel_lang="verilog",
            build_dir=b.directory, test_dir=b.directory, extra_env=env,
            timescale=("1ns", "1ps"), log_file=b.directory / f"sim-{stem}.log",
            results_xml=str(results))
    except SystemExit:
        pass
    data = json.loads(report.read_text()) if report.exists() else {"stop": "no_report"}
    data["failures"] = simrunner.failures(results)
    data["log"] = str(b.directory / f"sim-{stem}.log")
    image_file.unlink(missing_ok=True)
    return data
