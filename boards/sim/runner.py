"""Building the board top for a simulator and running its cocotb tests (``tb_board``).

Like ``rvpmu.sim.runner`` (whose toolchain checks it shares): a build is kept in
``build/board-sim/<simulator>-<hash>``, keyed by the Verilog text, and reused. The simulated
board has a 100 MHz clock (10 ns), a UART of ``divisor`` cycles per bit, one button and one
switch (event inputs 0 and 1), and short debounce and frame timeouts.

Verilator is the default: its build takes about 15 s but it then runs the link about five times
faster than Icarus (whose build takes a second), which pays off from a few hundred requests on.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from rvpmu.config import PMUConfig
from rvpmu.sim.runner import check_simulator, failures, settle_at_time_zero

TOP = "rvpmu_board"
TEST_MODULE = "rvpmu.boards.sim.tb_board"
CLK_HZ = 100_000_000
DEFAULT_DIVISOR = 4
DEFAULT_BUILD_ROOT = Path("build") / "board-sim"

_BUILD_ARGS = {
    "verilator": ["-Wno-fatal", "-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-O3"],
    "icarus": [],
}


def board_top(config: PMUConfig, divisor: int = DEFAULT_DIVISOR):
    from ..gateware.top import BoardTop

    return BoardTop(config, clk_hz=CLK_HZ, baud=round(CLK_HZ / divisor), divisor=divisor,
                    buttons=1, switches=1, leds=5, debounce=4, stretch=100,
                    frame_timeout=30 * 10 * divisor)


def verilog_text(config: PMUConfig, divisor: int = DEFAULT_DIVISOR,
                 simulator: str = "icarus") -> str:
    from rvpmu.hdl.verilog import convert, header

    text = header(config) + convert(board_top(config, divisor), TOP)
    return settle_at_time_zero(text) if simulator == "icarus" else text


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
    from cocotb_tools.runner import get_runner

    check_simulator(simulator)
    text = verilog_text(config, divisor, simulator)
    key = hashlib.sha256((text + simulator + config.to_toml()).encode()).hexdigest()[:12]
    d = (Path(build_root) / f"{simulator}-{key}").resolve()
    b = Build(simulator, d, config, divisor)
    if (d / "built.ok").exists():
        return b
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    (d / f"{TOP}.v").write_text(text, encoding="utf-8")
    b.config_file.write_text(config.to_toml(), encoding="utf-8")
    log(f"building the simulated board ({simulator}) in {d} ...")
    get_runner(simulator).build(sources=[d / f"{TOP}.v"], hdl_toplevel=TOP, build_dir=d,
                                build_args=_BUILD_ARGS[simulator], timescale=("1ns", "1ps"),
                                always=True, log_file=d / "build.log")
    (d / "built.ok").write_text("ok\n")
    return b


def run(b: Build, testcase: str, params: dict | None = None, *,
        report: Path | None = None) -> dict:
    """Run one test of ``tb_board``; return the report it wrote plus ``failures``."""
    from cocotb_tools.runner import get_runner

    check_simulator(b.simulator)
    tag = f"{testcase}-{os.getpid()}"
    report = Path(report or b.directory / f"report-{tag}.json").resolve()
    report.unlink(missing_ok=True)
    results = b.directory / f"results-{tag}.xml"
    results.unlink(missing_ok=True)
    env = {
        "RVPMU_SIM_CONFIG": str(b.config_file),
        "RVPMU_SIM_REPORT": str(report),
        "RVPMU_SIM_PARAMS": json.dumps({"divisor": b.divisor, **(params or {})}),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    log = b.directory / f"sim-{tag}.log"
    died = ""
    try:
        get_runner(b.simulator).test(
            test_module=TEST_MODULE, hdl_toplevel=TOP, hdl_toplevel_lang="verilog",
            build_dir=b.directory, test_dir=b.directory, testcase=testcase, extra_env=env,
            timescale=("1ns", "1ps"), log_file=log, results_xml=str(results))
    except SystemExit:
        pass  # the runner exits on a failed test; the XML says which
    except RuntimeError as exc:  # the simulator exited non-zero or was killed
        died = str(exc)
    try:
        data = json.loads(report.read_text()) if report.exists() else {}
    except ValueError:  # cut short while the testbench wrote it
        data = {}
    data["failures"] = failures(results)
    if died and not results.exists():
        data["failures"] = [f"the simulator stopped ({died}) before writing its results"]
    data["log"] = str(log)
    return data

