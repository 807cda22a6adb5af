"""The ECP5 target (counters fused into CCU2C carry cells, hdl/ecp5.py) on Icarus with Yosys'
own cell models: the same lock-step, directed and long regressions as the generic design."""

from __future__ import annotations

import pytest

from rvpmu import csr

from rvpmu.hdl.ecp5 import GATE, WRITE_OR_COUNT, ECP5Counter, split_point
from rvpmu.hdl.pmu import PMU
from rvpmu.hdl.verilog import emit
from rvpmu.model import EventInput, PMUConfig
from rvpmu.sim import runner



def test_cell_function_table():
    """F = q (count), d (WRITE), q | d (SET), q & ~d (CLEAR) for op = {B, A}, C = q, D = d;
    INIT[3:0] (C = D = 0) is 0, so the cell never generates a carry of its own."""
    for i in range(16):
        a, b, q, d = i & 1, i >> 1 & 1, i >> 2 & 1, i >> 3 & 1
        want = {0: q, csr.CSROp.WRITE: d, csr.CSROp.SET: q | d, csr.CSROp.CLEAR: q & ~d & 1}
        assert WRITE_OR_COUNT >> i & 1 == want[a | b << 1]
    assert WRITE_OR_COUNT & 0xF == 0


def test_gate_half_passes_the_carry_only_while_counting():
    """The half leading each chain: F = C (1, or the low chain's all-ones flag) when the op
    {B, A} is 0 (no write), else 0; no carry generated (INIT[3:0] = 0)."""
    for i in range(16):
        a, b, c = i & 1, i >> 1 & 1, i >> 2 & 1
        assert GATE >> i & 1 == (c if a == b == 0 else 0)
    assert GATE & 0xF == 0


def test_split_points():
    """Chains of at most about half the width above 20 bits, starting on a cell boundary."""
    assert [split_point(w) for w in (1, 20, 21, 40, 47, 64)] == [1, 20, 12, 20, 24, 32]


def test_multi_count_inputs_keep_the_generic_counter():
    with pytest.raises(ValueError, match="inc_width 1"):
        ECP5Counter(64, 2)
    cfg = PMUConfig(num_counters=2, retire_width=2)  # instret may add 2: not a carry-in
    assert "CCU2C" not in emit(cfg, "ecp5")  # the generic counters, and no error
    assert "CCU2C #" in emit(PMUConfig(num_counters=2), "ecp5")
    with pytest.raises(ValueError, match="target must be one of"):
        PMU(cfg, target="ice40")


@pytest.mark.parametrize("cfg", [
    PMUConfig(),
    PMUConfig(xlen=32, num_counters=5, counter_width=47,
              events=(EventInput("a"), EventInput("b"))),
], ids=["default", "rv32-w47"])
def test_ecp5_target_matches_the_model_on_icarus(cfg, tmp_path):
    b = runner.build(cfg, "icarus", build_root=tmp_path, target="ecp5", log=lambda *_: None)
    assert "CCU2C #" in (b.directory / f"{b.top}.v").read_text()  # the compiled source
    report = runner.run(b, seed=5, params={"cycles": 30_000, "lockstep_cycles": 3_000})
    assert report["failures"] == []
    assert set(report["tests"]) == {"lockstep_random", "directed", "long_regression"}
