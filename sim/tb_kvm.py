"""cocotb test: the KVM selftest scenarios on the RTL, against the same scenarios on the model.

Each scenario runs in a fresh VM (a reset design, a fresh vPMU) in both profiles; the records
the guest sees (SBI returns, counter values, snapshot contents, LCOFI) must equal those of the
pure hart model, and each RTL trace is written for ``rvpmu compare``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
from cocotb.task import bridge, resume
from cocotb.triggers import FallingEdge, RisingEdge

from rvpmu import progress
from rvpmu.config import PMUConfig
from rvpmu.model import HartPMU, KvmVcpuPmu
from rvpmu.model.kvm import BlockingBackend
from rvpmu.model.kvm.replay import compare
from rvpmu.model.kvm.scenarios import LOOP_ITERATIONS, SCENARIOS, run_scenario

from .drivers import PMUHarness
from .kvm_backend import RtlPMUBackend


async def _reset(dut) -> None:
    dut.halt.value = 1
    dut.rst.value = 1
    await RisingEdge(dut.clk)
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst.value = 0


@cocotb.test()
async def kvm_scenarios(dut):
    cfg = PMUConfig.from_toml(os.environ["RVPMU_SIM_CONFIG"])
    params = json.loads(os.environ.get("RVPMU_SIM_PARAMS", "{}"))
    outdir = Path(params.get("outdir") or Path(os.environ["RVPMU_SIM_REPORT"]).parent)
    h = PMUHarness(dut, cfg)
    await h.start()
    hw = RtlPMUBackend(h)
    results = {}
    loops = params.get("loop_iterations", LOOP_ITERATIONS)
    t0 = time.perf_counter()
    profiles = params.get("profiles", ["kvm", "spec"])
    names = params.get("scenarios", list(SCENARIOS))
    for profile in profiles:
        for name in names:
            if params.get("progress"):
                dut._log.info(progress.mark("KVM scenarios", len(results),
                                            len(profiles) * len(names), "scenarios"))
            await _reset(dut)

            def guest(profile=profile, name=name):
                vpmu = KvmVcpuPmu(BlockingBackend(hw, resume), profile=profile)
                run_scenario(name, vpmu, loops)
                return vpmu.trace

            trace = await bridge(guest)()
            ref = KvmVcpuPmu(HartPMU(cfg), profile=profile)
            run_scenario(name, ref, loops)
            path = outdir / f"kvm-{name}-{profile}-rtl.jsonl"
            trace.write(path)
            same = [r.get("result") for r in trace.records] == \
                [r.get("result") for r in ref.trace.records]
            replay = compare(trace, str(path))
            results[f"{name}/{profile}"] = {"records": len(trace.records), "trace": str(path),
                                            "same_as_model": same,
                                            "compare_matches": replay.divergence is None}
            assert same, f"{name}/{profile}: the RTL's guest-visible results differ from the model"
            assert replay.divergence is None, f"{name}/{profile}: {replay.divergence}"
    if params.get("progress"):
        dut._log.info(progress.mark("KVM scenarios", len(results), len(results), "scenarios"))
    report = Path(os.environ["RVPMU_SIM_REPORT"])
    data = json.loads(report.read_text()) if report.exists() else {"tests": {}}
    data["kvm"] = {"scenarios": results, "rtl_cycles": hw.cycles,
                   "seconds": round(time.perf_counter() - t0, 3)}
    report.write_text(json.dumps(data, indent=1))
