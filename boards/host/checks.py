"""The checks ``rvpmu board check`` runs on a board, each against the golden model.

* ``random_check``: a seeded mix of CSR accesses (any CSR, op and mode, the exception result
  included), generator-driven runs of N cycles in a random mode (the model follows in closed
  form), runs that stop at LCOFIP (the model steps them cycle by cycle), then every CSR read
  back. Every answer of the board is compared with the model's.
* ``kvm_scenarios``: the KVM selftest scenarios through ``KvmVcpuPmu`` on ``BoardPMUBackend``,
  each in a fresh VM (the board's RESET), compared with the same scenario on the hart model
  and replayed by ``rvpmu.model.kvm.replay.compare`` from the written trace, exactly what
  ``rvpmu compare TRACE`` does.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import csr_map
from rvpmu.model import HartPMU, KvmVcpuPmu
from rvpmu.model.cycle import CSRRequest
from rvpmu.model.eventgen import EventSource
from rvpmu.model.kvm.replay import compare
from rvpmu.model.kvm.scenarios import SCENARIOS, GuestAssert, run_scenario, unmet_requirement
from rvpmu.sim.scoreboard import Mismatch, Scoreboard
from rvpmu.sim.stimulus import Stimulus

from .backend import BoardPMUBackend
from .driver import BoardClient

# The overflow scenario arms its counter 10000 events before the wrap: its busy loop must be
# longer than that (3 cycles per iteration), so fewer than 3400 iterations cannot pass.
MIN_OVERFLOW_LOOPS = 3400


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str
    operations: int = 0
    cycles: int = 0
    trace: str | None = None
    extra: dict = field(default_factory=dict)


def random_check(client: BoardClient, config: PMUConfig, seed: int, steps: int = 300,
                 max_run: int = 5000, backend: BoardPMUBackend | None = None) -> CheckResult:
    """One seeded random sequence on the board against the regression's ``Scoreboard``; see
    the module doc."""
    name = f"random seed {seed}"
    rng = random.Random(seed ^ 0xB0A2D)
    stim = Stimulus(config, seed)
    sb = Scoreboard(config, seed=seed, label=name, reproduce=f"--seed {seed}")
    client.reset()
    if backend is not None:
        backend.forget_generator()
    src = EventSource.from_seed(config, seed, density=rng.random(),
                                retire_density=rng.random())
    for addr, value in src.registers(config):
        client.gen_write(addr, value)
    t = 0  # generator cycle: cycles run since it was loaded
    ops = 0

    def access(req: CSRRequest) -> None:
        got = client.csr(req.op, req.addr, req.wdata, req.mode)
        sb.check_access(req, got, client.lcofip)

    try:
        for _ in range(steps):
            ops += 1
            r = rng.random()
            if r < 0.6:
                access(stim.request())
                continue
            mode = rng.choice(config.modes)
            if r < 0.85:
                n = rng.choice((1, 2, rng.randint(3, 64), rng.randint(64, max_run)))
                got = client.run(n, mode)
                t += sb.check_run(n, src, t, mode, got.cycles, got.lcofip)
            else:
                n = rng.randint(1, 300)
                got = client.run(n, mode, stop_on_lcofip=True)
                t += sb.check_run(n, src, t, mode, got.cycles, got.lcofip, stop_on_lcofip=True)
        for addr in csr_map(config):  # the final state, register by register
            ops += 1
            access(CSRRequest(addr, csr.CSROp.READ, 0, csr.Mode.M))
    except Mismatch as exc:
        return CheckResult(name, False, f"step {ops}: {exc}", ops, t)
    return CheckResult(name, True, f"{ops} operations, {t:,} generator cycles: all match",
                       ops, t)


def kvm_supported(config: PMUConfig) -> str | None:
    """Why the KVM scenarios cannot run on ``config`` (None: they can)."""
    unmet = unmet_requirement(config)
    return f"needs {unmet}" if unmet else None


def kvm_scenarios(backend: BoardPMUBackend, names: Iterable[str] = tuple(SCENARIOS),
                  profiles: Iterable[str] = ("kvm", "spec"),
                  loop_iterations: int = MIN_OVERFLOW_LOOPS, outdir: Path | str = ".",
                  log: Callable[[str], None] = lambda _: None) -> list[CheckResult]:
    """Run the scenarios on the board; write each trace; compare it with the model."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    cfg = backend.config
    for profile in profiles:
        for name in names:
            label = f"kvm {name}/{profile}"
            backend.reset()
            before = backend.cycles, backend.accesses
            vpmu = KvmVcpuPmu(backend, profile=profile)
            failure = None
            try:
                run_scenario(name, vpmu, loop_iterations)
            except GuestAssert as exc:
                failure = f"guest assertion failed on the board: {exc}"
                vpmu.trace.header["failed"] = failure  # `rvpmu compare` must not pass it
            path = out / f"kvm-{name}-{profile}-board.jsonl"
            vpmu.trace.write(path)
            ref = KvmVcpuPmu(HartPMU(cfg), profile=profile)
            try:
                run_scenario(name, ref, loop_iterations)
            except GuestAssert:
                pass
            same = [r.get("result") for r in vpmu.trace.records] == \
                [r.get("result") for r in ref.trace.records]
            replay = compare(vpmu.trace, str(path))
            ops = backend.accesses - before[1]
            cycles = backend.cycles - before[0]
            if failure is None and not same:
                failure = "the guest-visible results differ from the model's"
            if failure is None and replay.divergence is not None:
                d = replay.divergence
                failure = f"`rvpmu compare` diverges at record {d.number}"
            ok = failure is None
            detail = (f"{len(vpmu.trace.records)} records, {ops} CSR accesses, {cycles:,} "
                      f"cycles: match; trace {path}" if ok else f"{failure}; trace {path}")
            results.append(CheckResult(label, ok, detail, ops, cycles, str(path)))
            log(f"  {label:<22} {'PASS' if ok else 'FAIL'}  {detail}")
    return results


def check_board(client: BoardClient, *, seeds: Iterable[int] = (1,), steps: int = 300,
                max_run: int = 5000, scenarios: Iterable[str] = tuple(SCENARIOS),
                profiles: Iterable[str] = ("kvm", "spec"),
                loop_iterations: int = MIN_OVERFLOW_LOOPS, outdir: Path | str = ".",
                log: Callable[[str], None] = lambda _: None
                ) -> tuple[PMUConfig, list[CheckResult]]:
    """What ``rvpmu board check`` does: identify the board, read its configuration, run the
    random checks and the KVM scenarios. Returns the configuration and every result."""
    info = client.info or client.connect()
    config = client.read_config()
    log(f"board: {info.board_name}, protocol {info.version[0]}.{info.version[1]}, "
        f"{info.clk_hz / 1e6:g} MHz clock, {info.baud} baud, configuration "
        f"{info.config_hash.hex()} ({config.xlen}-bit, {config.num_counters} x "
        f"{config.counter_width}-bit counters, {len(config.events)} event inputs)")
    backend = BoardPMUBackend(client, config)
    results = []
    for seed in seeds:
        r = random_check(client, config, seed, steps, max_run, backend=backend)
        log(f"  {r.name:<22} {'PASS' if r.ok else 'FAIL'}  {r.detail}")
        results.append(r)
    scenarios = list(scenarios)
    if scenarios:
        why = kvm_supported(config)
        if why:
            log(f"  KVM scenarios skipped: {why}")
        else:
            results += kvm_scenarios(backend, scenarios, profiles, loop_iterations, outdir, log)
    return config, results
