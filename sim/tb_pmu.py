"""cocotb tests of the simulation top; they run inside the simulator (``rvpmu.sim.runner``).

Parameters come from the environment the runner sets: the configuration file, the JSON
parameters (cycle counts) and the report file each test adds its results to.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path

import cocotb
from cocotb.triggers import SimTimeoutError, with_timeout

from rvpmu import csr, progress
from rvpmu.config import PMUConfig
from rvpmu.model.cycle import CSR_RESPONSE_LATENCY, PortInputs
from rvpmu.model.eventgen import EventSource

from .directed import SEQUENCES, read_all
from .steer import steer
from .sweeps import SWEEPS
from .drivers import CLOCK_NS, PMUHarness
from .scoreboard import Scoreboard
from .stimulus import Stimulus, free_run_cycles, max_gap_for


def _setup() -> tuple[PMUConfig, dict]:
    cfg = PMUConfig.from_toml(os.environ["RVPMU_SIM_CONFIG"])
    params = json.loads(os.environ.get("RVPMU_SIM_PARAMS", "{}"))
    return cfg, params


def _progress(dut, params: dict, phase: str, done: int, total: int, unit: str) -> None:
    """A progress mark in the log, for ``rvpmu sim`` to print with an ETA (rvpmu.progress)."""
    if params.get("progress"):
        dut._log.info(progress.mark(phase, done, total, unit))


def _report(name: str, sb: Scoreboard, seconds: float, **extra) -> None:
    path = Path(os.environ["RVPMU_SIM_REPORT"])
    data = json.loads(path.read_text()) if path.exists() else {"tests": {}}
    data["tests"][name] = {"checked_cycles": sb.checked_cycles, "accesses": sb.accesses,
                           "seconds": round(seconds, 3), "seed": sb.seed,
                           "coverage": sb.coverage.report(), "bins": sb.bins.report(),
                           "bin_hits": sorted(str(b) for b in sb.bins.goals if sb.bins.hits[b]),
                           **extra}
    path.write_text(json.dumps(data, indent=1))


async def _step(h: PMUHarness, sb: Scoreboard, inp: PortInputs, *, events: bool = True) -> None:
    """One cycle: drive ``inp``; the scoreboard checks what the monitor saw on the pins."""
    out = await h.cycle(inp, events=events)
    sb.check(h.observed, out, h.lcofi_set)


_FAILED: list[str] = []  # the tests of this run that failed, in order


async def _bounded(name: str, body, cycles: int, params: dict) -> None:
    """Run a test body for at most ``cycles`` clock cycles of simulated time (issue 14, item
    4): a design that stops making progress fails with this message instead of hanging.
    With the parameter ``fail_fast`` (mutation scoring) a test after a failed one is not run."""
    if params.get("fail_fast") and _FAILED:
        body.close()
        cocotb.pass_test(f"{name}: not run: {_FAILED[0]} failed and fail_fast is set")
    try:
        await with_timeout(body, cycles * CLOCK_NS, "ns")
    except SimTimeoutError:
        _FAILED.append(name)
        raise AssertionError(f"{name}: not finished after {cycles:,} cycles of simulated time; "
                             "the design stopped making progress") from None
    except BaseException:
        _FAILED.append(name)
        raise


@cocotb.test()
async def lockstep_random(dut):
    """Every input driven from Python, every output compared with the model, every cycle."""
    cfg, params = _setup()
    limit = 2 * params.get("lockstep_cycles", 2000) + 10 * len(read_all(cfg)) + 1000
    await _bounded("lockstep_random", _lockstep_random(dut, cfg, params), limit, params)


@cocotb.test()
async def long_regression(dut):
    """Events from the on-chip generator; Python only issues CSR accesses between free runs.

    Between two accesses the design runs up to ``max_gap`` cycles alone; the model advances
    by the same cycles in closed form, then both answer the access and must agree.
    """
    cfg, params = _setup()
    cycles = params.get("cycles", 100_000)
    limit = 2 * (cycles + (params.get("max_gap") or max_gap_for(cycles))) \
        + 10 * len(read_all(cfg)) + 10_000
    await _bounded("long_regression", _long_regression(dut, cfg, params), limit, params)


@cocotb.test()
async def directed(dut):
    """The per-rule sequences of rvpmu.sim.directed and the per-counter sweeps of
    rvpmu.sim.sweeps, cycle by cycle; then stimulus steered at the coverage holes."""
    cfg, params = _setup()
    cycles = sum(len(make(cfg)) for make in {**SEQUENCES, **SWEEPS}.values())
    limit = 2 * (cycles + params.get("steer_cycles", 20_000)) + 10_000
    await _bounded("directed", _directed(dut, cfg, params), limit, params)


async def _lockstep_random(dut, cfg: PMUConfig, params: dict) -> None:
    seed = params.get("seed", 1)
    h = PMUHarness(dut, cfg)
    await h.start()
    sb = Scoreboard(cfg, seed=seed, label="lockstep_random")
    t0 = time.perf_counter()
    total = params.get("lockstep_cycles", 2000)
    for i, inp in enumerate(itertools.islice(Stimulus(cfg, seed), total)):
        if i % max(1, total // 20) == 0:
            _progress(dut, params, "lock-step", i, total, "cycles")
        await _step(h, sb, inp)
    _progress(dut, params, "lock-step", total, total, "cycles")
    for inp in read_all(cfg):  # the final state, register by register
        await _step(h, sb, inp)
    _report("lockstep_random", sb, time.perf_counter() - t0)


async def _directed(dut, cfg: PMUConfig, params: dict) -> None:
    h = PMUHarness(dut, cfg)
    await h.start()
    sb = Scoreboard(cfg, seed=0, label="directed")
    t0 = time.perf_counter()
    steps = {**SEQUENCES, **SWEEPS}
    for i, (name, make) in enumerate(steps.items()):
        _progress(dut, params, "directed", i, len(steps), "sequences and sweeps")
        sb.label = f"directed/{name}"
        for inp in make(cfg):
            await _step(h, sb, inp)
    # What the sequences left open: constrained-random stimulus aimed at each hole, until
    # coverage closes or the budget ends (issue 14, item 1).
    sb.label = "directed/steer"
    rng = random.Random(params.get("seed", 1) ^ 0x57EE)
    budget = params.get("steer_cycles", 20_000)
    steered = 0
    for _ in range(4):
        holes = sb.bins.holes()
        if not holes or steered >= budget:
            break
        for hole in holes:
            if steered >= budget:
                break
            for inp in steer(cfg, hole, rng):
                await _step(h, sb, inp)
                steered += 1
    _progress(dut, params, "directed", len(steps), len(steps), "sequences and sweeps")
    _report("directed", sb, time.perf_counter() - t0, steered_cycles=steered)


async def _long_regression(dut, cfg: PMUConfig, params: dict) -> None:
    seed = params.get("seed", 1)
    rng = random.Random(seed ^ 0x5EED)
    total = params.get("cycles", 100_000)
    max_gap = params.get("max_gap") or max_gap_for(total)
    src = EventSource.from_seed(cfg, seed, density=rng.random(), retire_density=rng.random())
    h = PMUHarness(dut, cfg)
    await h.start()
    dut.halt.value = 1  # no counter moves while the generator is loaded
    await h.load_generator(src.registers(cfg))
    sb = Scoreboard(cfg, seed=seed, label="long_regression")
    stim = Stimulus(cfg, seed)
    mode, halt = csr.Mode.M, False
    h.use_generator(True)
    dut.halt.value = 0
    t = 0  # generator cycle: cycles since it started running
    t0, cpu0 = time.perf_counter(), time.process_time()
    next_report = 0
    while sb.checked_cycles < total:
        if sb.checked_cycles >= next_report:
            _progress(dut, params, "long regression", sb.checked_cycles, total, "cycles")
            next_report = sb.checked_cycles + max(1, total // 50)
        gap = free_run_cycles(rng, max_gap)
        gap = min(gap, max(0, total - sb.checked_cycles - 1))
        await h.idle(gap)
        sb.advance(gap, src, t, mode, halt)
        t += gap
        if rng.random() < 0.1:
            mode = rng.choice(cfg.modes)
            halt = rng.random() < 0.1
        # The access, then the cycles until its answer (docs/timing.md): the model steps
        # each, the pins are compared at the answer.
        inputs = [PortInputs(req, *src.at(t + k), mode, halt) for k, req in
                  enumerate([stim.request()] + [None] * (CSR_RESPONSE_LATENCY - 1))]
        got = await h.access(inputs[0], CSR_RESPONSE_LATENCY)
        sb.check_answer([h.observed, *inputs[1:]], got, h.lcofi_set)
        t += CSR_RESPONSE_LATENCY
    for req in read_all(cfg):  # the final state, register by register
        inp = PortInputs(req.csr_req, *src.at(t), mode, halt)
        await _step(h, sb, inp, events=False)
        t += 1
    seconds = time.perf_counter() - t0
    _progress(dut, params, "long regression", total, total, "cycles")
    cpu = time.process_time() - cpu0  # the simulator process's own time: what a busy machine
    _report("long_regression", sb, seconds,  # takes from it does not count
            cycles_per_second=round(sb.checked_cycles / seconds), cpu_seconds=round(cpu, 3),
            cycles_per_cpu_second=round(sb.checked_cycles / max(cpu, 1e-9)))
