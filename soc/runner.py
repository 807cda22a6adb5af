"""Building the SoC for a simulator (once per configuration) and running a program on it.

The build cache and the run are the shared ``rvpmu.sim.cocotb_flow`` (top-level-only
Verilator visibility, the Icarus time-zero fix, the results parser). Builds live in
``build/soc/<simulator>-<hash>`` keyed by the Verilog text.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rvpmu.progress import Progress
from rvpmu.sim import cocotb_flow as flow

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
    flow.check_simulator(simulator)
    top = top or SoC(soc.SOC_CONFIG, swap_events=swap_events)
    args = ["-Wno-lint", "-Wno-style"] if simulator == "verilator" else []
    d = flow.cached_build(soc_verilog(top), top=TOP, simulator=simulator,
                          build_root=build_root, args=args, what="SoC",
                          files={"pmu.toml": top.cfg.to_toml(),
                                 "uart_divisor": str(top.uart_divisor or 0)},
                          progress=Progress(out=log))
    return Build(simulator, d)


def run(b: Build, image: dict[int, int], *, max_cycles: int, tag: str = "run") -> dict:
    """Run one program image (word index -> word); return the testbench's report."""
    stem = f"{tag}-{os.getpid()}"
    report = b.directory / f"report-{stem}.json"
    image_file = b.directory / f"image-{stem}.json"
    image_file.write_text(json.dumps(image))
    report.unlink(missing_ok=True)
    params = {"config": str(b.directory / "pmu.toml"), "image": str(image_file),
              "report": str(report), "max_cycles": max_cycles,
              "uart_divisor": int((b.directory / "uart_divisor").read_text())}
    env = {"RVPMU_SOC_PARAMS": json.dumps(params),
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    r = flow.run_cocotb(b.directory, top=TOP, simulator=b.simulator, module=TEST_MODULE,
                        tag=stem, env=env)
    data = flow.read_report(report, {"stop": "no_report"})
    data["failures"] = flow.failures(r.results)
    data["log"] = str(r.log)
    image_file.unlink(missing_ok=True)
    return data
