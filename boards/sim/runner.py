"""Building the board top for a simulator and running its cocotb tests (``tb_board``).

The build cache and the run are the shared ``rvpmu.sim.cocotb_flow`` (as for ``rvpmu sim``): a
build is kept in ``build/board-sim/<simulator>-<hash>``, keyed by the Verilog text, and reused;
Verilator builds make only the top-level ports public (the faster model). The simulated
board has a 100 MHz clock (10 ns), a UART of ``divisor`` cycles per bit, one button and one
switch (event inputs 0 and 1), and short debounce and frame timeouts.

Verilator is the default: its build takes about 15 s but it then runs the link about five times
faster than Icarus (whose build takes a second), which pays off from a few hundred requests on.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rvpmu.config import PMUConfig
from rvpmu.progress import Progress
from rvpmu.sim import cocotb_flow as flow

TOP = "rvpmu_board"
TEST_MODULE = "rvpmu.boards.sim.tb_board"
CLK_HZ = 100_000_000
DEFAULT_DIVISOR = 4
DEFAULT_BUILD_ROOT = Path("build") / "board-sim"


def board_top(config: PMUConfig, divisor: int = DEFAULT_DIVISOR):
    from ..gateware.top import BoardTop

    return BoardTop(config, clk_hz=CLK_HZ, baud=round(CLK_HZ / divisor), divisor=divisor,
                    buttons=1, switches=1, leds=5, debounce=4, stretch=100,
                    frame_timeout=30 * 10 * divisor)


def verilog_text(config: PMUConfig, divisor: int = DEFAULT_DIVISOR) -> str:
    from rvpmu.hdl.verilog import convert, header

    return header(config) + convert(board_top(config, divisor), TOP)


@dataclass
class Build:
    simulator: str
    directory: Path
    config: PMUConfig
    divisor: int

    @property
    def config_file(self) -> Path:
        return self.directory / "pmu.toml"


def build(config: PMUConfig, simulator: str = "verilator", *, divisor: int = DEFAULT_DIVISOR,
          build_root: Path = DEFAULT_BUILD_ROOT, log=print) -> Build:
    flow.check_simulator(simulator)
    d = flow.cached_build(verilog_text(config, divisor), top=TOP, simulator=simulator,
                          build_root=build_root, files={"pmu.toml": config.to_toml()},
                          key=config.to_toml(), what="simulated board",
                          progress=Progress(out=log))
    return Build(simulator, d, config, divisor)


def run(b: Build, testcase: str, params: dict | None = None, *,
        report: Path | None = None) -> dict:
    """Run one test of ``tb_board``; return the report it wrote plus ``failures``. Not bounded
    in wall time: the server runs until its idle timeout or its parent is gone."""
    tag = f"{testcase}-{os.getpid()}"
    report = Path(report or b.directory / f"report-{tag}.json").resolve()
    report.unlink(missing_ok=True)
    env = {
        "RVPMU_SIM_CONFIG": str(b.config_file),
        "RVPMU_SIM_REPORT": str(report),
        "RVPMU_SIM_PARAMS": json.dumps({"divisor": b.divisor, **(params or {})}),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    r = flow.run_cocotb(b.directory, top=TOP, simulator=b.simulator, module=TEST_MODULE,
                        tag=tag, env=env, testcase=testcase)
    data = flow.read_report(report, {})
    data["failures"] = flow.failures(r.results)
    if r.died and not r.results.exists():
        data["failures"] = [f"the simulator stopped ({r.died}) before writing its results"]
    data["log"] = str(r.log)
    return data
