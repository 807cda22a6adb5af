"""The benchmark harness: it wraps both designs, feeds every input bit, and costs what it says."""

import re

import pytest
from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rvpmu import csr
from rvpmu.config import EventInput, PMUConfig
from rvpmu.hdl.verilog import convert

from . import BENCH  # noqa: F401 (importing the package puts bench/ on sys.path)
from fpga import make_design  # noqa: E402
from fpga_flow import synth, write_verilog  # noqa: E402
from harness import FOLD, Harness, HarnessCost, fold_levels  # noqa: E402

SMALL = PMUConfig(num_counters=3, counter_width=40, retire_width=2,
                  events=(EventInput("a"), EventInput("b", max_per_cycle=3), EventInput("c"),
                          EventInput("d")))


def expected_input_bits(cfg: PMUConfig) -> int:
    """The PMU's input widths, from the port description in docs/timing.md."""
    req = 1 + csr.CSR_ADDR_WIDTH + csr.CSR_OP_WIDTH + cfg.xlen + csr.MODE_WIDTH
    events = sum(e.count_width for e in cfg.events)
    return req + events + cfg.retire_width.bit_length() + csr.MODE_WIDTH + 1


@pytest.mark.parametrize("design", ["project", "plain"])
def test_harness_wraps_design_and_feeds_every_input(design):
    top = Harness(make_design(design, SMALL))
    assert top.in_width == expected_input_bits(SMALL) == sum(
        len(v) for _, v in top.inputs)
    names = {n for n, _ in top.inputs}
    assert {"csr_req.wdata", "events.b", "retired", "mode", "halt"} <= names
    assert {"csr_rsp.rdata", "lcofip", "mcounteren"} <= {n for n, _ in top.outputs}
    text = convert(top, "bench_top", ports=top.ports)
    assert re.search(r"module bench_top\(", text)
    width = re.search(r"reg \[(\d+):0\] bench_shift", text)
    assert width and int(width.group(1)) + 1 == top.in_width
    assert len(top.shift) == top.in_width


def test_fold_levels_and_cost_arithmetic():
    assert fold_levels(1) == []
    assert fold_levels(4) == [1]
    assert fold_levels(165) == [42, 11, 3, 1]
    cost = HarnessCost.of(95, 165)
    assert cost.ff == 95 + 1 + 165 + 42 + 11 + 3 + 1
    # 165 = 41 * 4 + 1: the lone last bit of the first level needs no LUT
    assert cost.lut4 == 1 + 41 + 11 + 3 + 1  # the toggle's inverter, the XOR tree
    assert FOLD == 4


class PassThrough(wiring.Component):
    """Outputs are the inputs, no logic: what synthesis keeps is exactly the harness (and no
    output register merges with a stage of the input chain)."""

    def __init__(self):
        super().__init__({"a": In(13), "b": In(6), "x": Out(13), "y": Out(6)})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += [self.x.eq(self.a), self.y.eq(self.b + 0)]
        return m


def test_harness_cost_matches_synthesis(tmp_path):
    top = write_verilog(PassThrough(), tmp_path)
    result = synth("ecp5", tmp_path)
    assert result.ff == top.cost.ff == 19 + 1 + 19 + 5 + 2 + 1
    assert result.lut4 == top.cost.lut4
