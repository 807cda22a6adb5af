"""Counter groups (docs/formal.md): a large configuration's per-counter properties are proved
in groups of counters, and the groups together check every counter."""

from __future__ import annotations

import pytest

from rvpmu.config import PMUConfig
from rvpmu.hdl import formal

from .helpers import CONFIGS, require_tools
from .test_mutants import IncrementWinsPMU

PER_COUNTER = [p.name for p in formal.PROPERTIES if p.per_counter]


@pytest.mark.parametrize("config", [PMUConfig(), PMUConfig(xlen=32)], ids=["default", "rv32"])
def test_the_default_run_checks_every_counter_of_every_property(config):
    """`rvpmu formal` with no option: each per-counter property's prove tasks partition the
    counters (mcycle, minstret, every mhpmcounter) into groups of at most DEFAULT_GROUP; the
    other properties and every cover run once, about all counters."""
    props = formal.properties_for(config)
    tasks = formal.tasks_for(config, props, ("prove", "cover"))
    everyone = [0, 2, *range(3, 3 + config.num_counters)]
    assert list(formal.counter_indices(config)) == everyone
    for prop in props:
        proves = [t for t in tasks if t.prop == prop and t.mode == "prove"]
        covers = [t for t in tasks if t.prop == prop and t.mode == "cover"]
        assert [t.counters for t in covers] == [None]
        if prop not in PER_COUNTER:
            assert [t.counters for t in proves] == [None]
            continue
        assert len(proves) > 1, prop
        checked = [i for t in proves for i in t.counters]
        assert sorted(checked) == everyone, prop  # each counter once, none left out
        assert all(len(t.counters) <= formal.DEFAULT_GROUP for t in proves)


def test_a_small_configuration_runs_each_property_once():
    tasks = formal.tasks_for(CONFIGS["rv32"], ["count"], ("prove",))
    assert tasks == [formal.Task("count", "prove", None)]
    assert tasks[0].label == "count"


def test_labels_and_a_counter_selection():
    tasks = formal.tasks_for(PMUConfig(), ["sel0", "access"], ("prove",), group=3,
                             counters=[31, 2, 3, 4, 5, 9])
    assert [t.label for t in tasks] == ["sel0[2-4]", "sel0[5,9,31]", "access"]
    with pytest.raises(ValueError, match="no counter 1,40 "):
        formal.tasks_for(PMUConfig(), ["sel0"], ("prove",), counters=[1, 40])


def test_groups_of_a_small_configuration_are_proved(tmp_path):
    """Each group proves on its own, with the assertions of its counters plus those about no
    single counter: LCOFIP's register, the mcyclecfg/minstretcfg halves."""
    require_tools()
    cfg = CONFIGS["rv32"]  # mcycle, minstret, mhpmcounter3, mhpmcounter4
    results = formal.run(cfg, tmp_path, properties=["lcofip", "half"], modes=("prove",),
                         group=2, jobs=2)
    assert [r.label for r in results] == ["lcofip[0,2]", "lcofip[3-4]", "half[0,2]",
                                          "half[3-4]"]
    assert all(r.passed for r in results), formal.table(results)
    asserts = [int(r.detail.split()[0]) for r in results]
    # lcofip: 2 about the register, 1 per mhpmcounter (its OF set); half: 2 per counter and
    # per mhpmevent, 4 for the cfg registers
    assert asserts == [2, 4, 8, 12], formal.table(results)


def test_a_bug_fails_the_group_of_its_counter(tmp_path):
    """The increment-wins counter (mhpmcounter3 only: the 64-bit mcycle/minstret keep the
    shipped counter) fails write[3]; the groups of the sound counters still pass."""
    require_tools()
    results = formal.run(CONFIGS["rv64"], tmp_path, properties=["write"], modes=("prove",),
                         pmu_class=IncrementWinsPMU, depth=5, group=1, jobs=2)
    status = {r.label: r.status for r in results}
    assert status == {"write[0]": "PASS", "write[2]": "PASS", "write[3]": "FAIL"}, \
        formal.table(results)


def test_a_default_configuration_group(tmp_path):
    """sel0 of the last counters of the default configuration (29 x 64 bits), the check that
    did not finish as one task: a group proves in seconds."""
    require_tools()
    [result] = formal.run(PMUConfig(), tmp_path, properties=["sel0"], modes=("prove",),
                          counters=range(25, 32))
    assert result.label == "sel0[25-31]"
    assert result.passed and result.detail.startswith("7 assertions"), formal.table([result])
