"""The raw speed of a build: the design runs on the event generator with nothing checked.

bench/sim_speed.py runs it beside the checked long regression (issue 17, item 10), so that
the checked figure is read against what the simulator itself can do.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb

from rvpmu.config import PMUConfig
from rvpmu.model.eventgen import EventSource

from .drivers import PMUHarness


@cocotb.test()
async def free_run(dut):
    """``cycles`` clock cycles with the generator driving every event input, no CSR access."""
    cfg = PMUConfig.from_toml(os.environ["RVPMU_SIM_CONFIG"])
    params = json.loads(os.environ.get("RVPMU_SIM_PARAMS", "{}"))
    cycles = params.get("cycles", 100_000)
    src = EventSource.from_seed(cfg, params.get("seed", 1))
    h = PMUHarness(dut, cfg)
    await h.start()
    await h.load_generator(src.registers(cfg))
    h.use_generator(True)
    t0, cpu0 = time.perf_counter(), time.process_time()
    await h.idle(cycles)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    path = Path(os.environ["RVPMU_SIM_REPORT"])
    path.write_text(json.dumps({"tests": {"free_run": {
        "cycles": cycles, "seconds": round(seconds, 3),
        "cycles_per_second": round(cycles / seconds), "cpu_seconds": round(cpu, 3),
        "cycles_per_cpu_second": round(cycles / max(cpu, 1e-9))}}}))
