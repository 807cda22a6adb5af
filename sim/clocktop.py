"""The clock inside the simulator: a Verilog wrapper that toggles ``clk`` itself.

cocotb's clock drives ``clk`` through VPI, one callback and one value put per half period;
on the default PMU that costs as much as evaluating the design (issue 17, item 10: 382k
against 678k cycles/s on Verilator). The wrapper declares every port of the top as a signal
of its own, under the same name, so the testbench drives and samples it exactly as before;
only ``clk`` comes from ``always #(CLOCK_NS/2)``.
"""

from __future__ import annotations

import re

CLOCK_NS = 10  # the simulated clock period; the testbenches count cycles in it
WRAPPER = "rvpmu_clocked"
# Verilator runs `#` delays only with --timing, whose coroutines GCC 12 compiles with these
VERILATOR_TIMING = ["--timing", "-CFLAGS", "-std=c++20 -fcoroutines"]

# Yosys writes one declaration per port: "  input [11:0] csr_req__addr;" (the width optional)
_PORT = re.compile(r"^\s*(input|output|inout)\s+(?:wire\s+|reg\s+)?(\[[^\]]+\]\s*)?(\S+)\s*;",
                   re.M)


class WrapperError(ValueError):
    """The Verilog has no module of that name, or its ports cannot be read."""


def ports_of(verilog: str, top: str) -> list[tuple[str, str, str]]:
    """(direction, width or "", name) of every port of module ``top``."""
    m = re.search(rf"^\s*module\s+{re.escape(top)}\s*\((.*?)\)\s*;(.*?)^\s*endmodule", verilog,
                  re.M | re.S)
    if m is None:
        raise WrapperError(f"no module {top} in the Verilog")
    names = [n.strip() for n in m.group(1).split(",") if n.strip()]
    decls = {name: (d, (w or "").strip()) for d, w, name in _PORT.findall(m.group(2))}
    missing = [n for n in names if n not in decls]
    if missing or "clk" not in decls or decls["clk"][0] != "input":
        raise WrapperError(f"module {top}: ports {missing or ['clk']} have no plain "
                           "declaration")
    return [(decls[n][0], decls[n][1], n) for n in names]


def clocked_top(verilog: str, top: str, *, period_ns: int = CLOCK_NS) -> str:
    """The wrapper module ``WRAPPER``: ``top`` instantiated with every port but ``clk`` wired
    to a same-named signal the testbench drives or reads, and a clock that starts low and
    rises every ``period_ns`` from ``period_ns / 2``."""
    if period_ns % 2:
        raise WrapperError(f"the clock period must be an even number of ns, not {period_ns}")
    lines = [f"// The clock of {top}, generated inside the simulator (rvpmu.sim.clocktop).",
             f"module {WRAPPER};", "  reg clk = 1'b0;", f"  always #{period_ns // 2} clk = ~clk;"]
    conns = []
    for direction, w, name in ports_of(verilog, top):
        if name != "clk":
            kind = "wire" if direction == "output" else "reg"
            lines.append(f"  {kind} {w + ' ' if w else ''}{name};")
        conns.append(f"    .{name}({name})")
    lines += [f"  {top} dut (", ",\n".join(conns), "  );", "endmodule", ""]
    return "\n".join(lines)
