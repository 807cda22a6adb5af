"""The wrapper that clocks the simulation top inside the simulator (rvpmu.sim.clocktop)."""

import re

import pytest

from rvpmu import ports
from rvpmu.config import PMUConfig
from rvpmu.sim.clocktop import CLOCK_NS, WRAPPER, WrapperError, clocked_top, ports_of
from rvpmu.sim.runner import TOP, simtop_verilog

CFG = PMUConfig(num_counters=2, counter_width=40, has_h=False)


@pytest.fixture(scope="module")
def verilog():
    return simtop_verilog(CFG)


def test_every_port_of_the_contract_is_declared_with_its_width(verilog):
    found = {name: (d, w) for d, w, name in ports_of(verilog, TOP)}
    for pin, p, width, _i in ports.ports(CFG, run_status=True):
        direction, w = found[pin]
        assert direction == ("input" if p.dir == ports.IN else "output"), pin
        assert w == ("" if width == 1 else f"[{width - 1}:0]"), pin
    assert found["clk"] == ("input", "")


def test_wrapper_wires_every_port_and_toggles_the_clock(verilog):
    text = clocked_top(verilog, TOP)
    assert f"module {WRAPPER};" in text
    assert f"always #{CLOCK_NS // 2} clk = ~clk;" in text
    inst = re.search(rf"{TOP} dut \((.*?)\);", text, re.S).group(1)
    wired = re.findall(r"\.(\w+)\((\w+)\)", inst)
    assert all(a == b for a, b in wired)
    assert sorted(a for a, _ in wired) == sorted(n for _d, _w, n in ports_of(verilog, TOP))
    outputs = {n for d, _w, n in ports_of(verilog, TOP) if d == "output"}
    for name in outputs:  # driven by the design, so wires; the testbench's inputs are regs
        assert re.search(rf"^\s*wire (\[[^\]]+\] )?{name};", text, re.M), name


@pytest.mark.parametrize("text, message", [
    ("module other(clk);\n  input clk;\nendmodule\n", f"no module {TOP}"),
    (f"module {TOP}(a);\n  input a;\nendmodule\n", "ports ['clk']"),
    (f"module {TOP}(clk, b);\n  input clk;\nendmodule\n", "ports ['b']"),
])
def test_unreadable_tops_are_refused(text, message):
    with pytest.raises(WrapperError, match=re.escape(message)):
        clocked_top(text, TOP)


def test_odd_period_is_refused(verilog):
    with pytest.raises(WrapperError, match="even number"):
        clocked_top(verilog, TOP, period_ns=7)
