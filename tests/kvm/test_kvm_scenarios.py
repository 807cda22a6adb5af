"""The selftest's four scenarios (section 6) on the hart model in both profiles, on an
asynchronous backend through the bridge, and their traces replayed by the comparator."""

import asyncio

import pytest

from rvpmu.model import HartPMU, KvmVcpuPmu
from rvpmu.model.kvm import AsyncHartBackend, BlockingBackend, asyncio_resume
from rvpmu.model.kvm.replay import compare
from rvpmu.model.kvm.scenarios import SCENARIOS, GuestAssert, run_scenario

from .kvm_helpers import make


@pytest.mark.parametrize("profile", ["kvm", "spec"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario_passes(name, profile):
    v = make(profile)
    run_scenario(name, v)
    assert v.trace.header["scenario"] == name
    if name == "overflow":
        # 6.5: one LCOFI per iteration (5 per event), each exactly when the value wraps
        runs = [r for r in v.trace.records if r["op"] == "run" and r["result"]["lcofi_pending"]]
        assert len(runs) == 10 and all(r["result"]["cycles"] == 10001 for r in runs)


@pytest.mark.parametrize("profile", ["kvm", "spec"])
def test_scenarios_with_literal_arithmetic(profile):
    """1.4: the selftest never reads twice without a restart, so it cannot tell."""
    for name in ("events", "snapshot"):
        run_scenario(name, make(profile, accumulate_on_read=True), loop_iterations=200)


def test_basic_detects_a_broken_vpmu(monkeypatch):
    """A scenario is a real check: a vPMU whose fw_read accepts unconfigured counters (the
    pre-2026 behaviour, 6.6) fails the basic test."""
    from rvpmu.model.kvm import calls

    monkeypatch.setattr(calls, "fw_read", lambda st, cidx: (0, 0))
    v = make()
    with pytest.raises(GuestAssert, match="without configure"):
        run_scenario("basic", v)


def test_unknown_scenario():
    with pytest.raises(ValueError, match="unknown scenario"):
        run_scenario("nope", make())


def _on_async_backend(name, loop_iterations):
    async def main():
        loop = asyncio.get_running_loop()
        backend = BlockingBackend(AsyncHartBackend(HartPMU()), asyncio_resume(loop))

        def guest():  # the bridge thread (cocotb: cocotb.task.bridge)
            v = KvmVcpuPmu(backend)
            run_scenario(name, v, loop_iterations=loop_iterations)
            return v.trace
        return await loop.run_in_executor(None, guest)
    return asyncio.run(main())


@pytest.mark.parametrize("name,iterations", [("overflow", 3400), ("snapshot", 100)])
def test_same_trace_on_an_async_backend(name, iterations):
    """Backends: the same scenario code through BlockingBackend gives the identical trace."""
    trace = _on_async_backend(name, iterations)
    v = make()
    run_scenario(name, v, loop_iterations=iterations)
    assert trace.records == v.trace.records
    assert trace.header["backend"] == "hart-model-async"


def test_async_backend_must_be_bridged():
    with pytest.raises(TypeError, match="BlockingBackend"):
        KvmVcpuPmu(AsyncHartBackend(HartPMU()))


@pytest.mark.parametrize("name", ["basic", "events", "snapshot"])
def test_scenario_traces_replay(name):
    v = make("spec")
    run_scenario(name, v, loop_iterations=50)
    result = compare(v.trace)
    assert result.divergence is None and result.records == len(v.trace.records)
