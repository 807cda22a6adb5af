"""The cocotb regression on Verilator and Icarus: every checked cycle against the golden model."""

import subprocess
import sys
from pathlib import Path

import pytest

from rvpmu import rules
from rvpmu.model import PMUConfig
from rvpmu.sim import runner

CONFIGS = {
    "default": PMUConfig(),
    "rv32-w40-noh": PMUConfig(xlen=32, num_counters=6, counter_width=40, has_h=False,
                              retire_width=2),
}
RVPMU = Path(sys.executable).parent / "rvpmu"
# Sizes that keep the suite within its budget; `rvpmu sim` and bench/ run far longer ones.
SIZES = {"verilator": {"cycles": 400_000, "lockstep_cycles": 3_000},
         "icarus": {"cycles": 40_000, "lockstep_cycles": 1_500}}


@pytest.fixture(scope="session")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("sim")
    cache = {}

    def get(name, simulator):
        if (name, simulator) not in cache:
            cache[name, simulator] = runner.build(CONFIGS[name], simulator, build_root=root,
                                                  log=lambda *_: None)
        return cache[name, simulator]

    return get


@pytest.mark.parametrize("simulator", runner.SIMULATORS)
@pytest.mark.parametrize("name", CONFIGS)
def test_regression(builds, simulator, name):
    b = builds(name, simulator)
    report = runner.run(b, seed=11, params=SIZES[simulator])
    assert report["failures"] == [], report["failures"]
    tests = report["tests"]
    assert set(tests) == {"lockstep_random", "directed", "long_regression"}
    # each test ends by reading every CSR once: the final state, register by register
    assert tests["long_regression"]["checked_cycles"] >= SIZES[simulator]["cycles"]
    assert tests["lockstep_random"]["checked_cycles"] > SIZES[simulator]["lockstep_cycles"]
    hit = set().union(*(set(t["coverage"]["rules_hit"]) for t in tests.values()))
    # Every rule the block can show at its ports for this configuration (rvpmu/rules.py says
    # why the others cannot be), and every per-counter bin, closed in the directed test.
    must = {r.number for r in rules.applicable(CONFIGS[name])}
    assert must <= hit, sorted(must - hit)
    assert tests["directed"]["bins"]["holes"] == []
    assert tests["directed"]["bins"]["hit"] == tests["directed"]["bins"]["bins"] > 100
    events = [t["coverage"]["events"] for t in tests.values()]
    assert sum(e.get("lcofip_rise", 0) for e in events) > 0
    assert sum(e.get("of_set_by_overflow", 0) for e in events) > 0


KVM_PARAMS = {
    "verilator": {},  # all four scenarios, both profiles, full length
    "icarus": {"scenarios": ["basic", "overflow"], "profiles": ["kvm"]},
}


@pytest.mark.parametrize("simulator", runner.SIMULATORS)
def test_kvm_scenarios_on_rtl_match_the_model(builds, simulator):
    b = builds("default", simulator)
    report = runner.run(b, module=runner.KVM_TEST_MODULE, params=KVM_PARAMS[simulator])
    assert report["failures"] == [], report["failures"]
    scen = report["kvm"]["scenarios"]
    want = len(KVM_PARAMS[simulator].get("scenarios", [1] * 4)) * \
        len(KVM_PARAMS[simulator].get("profiles", [1] * 2))
    assert len(scen) == want
    for name, r in scen.items():
        assert r["same_as_model"] and r["compare_matches"], name
    # The RTL's trace is accepted by the command-line comparator too.
    trace = scen["overflow/kvm"]["trace"]
    r = subprocess.run([str(RVPMU), "compare", trace], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0 and "records match" in r.stdout, r.stdout + r.stderr
