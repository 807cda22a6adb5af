"""A design that stops making progress fails the regression with a clear message, never hangs
(issue 14, item 4): here one that loops in zero simulated time, so only the runner's wall-time
limit can end it."""

import time

from rvpmu.model import PMUConfig
from rvpmu.sim import runner

CFG = PMUConfig(num_counters=1, counter_width=8, has_h=False)
# A combinational loop that never settles: the simulator spins at one instant of simulated time.
LOOP = "  reg spin;\n  initial spin = 1'b0;\n  always @(spin) spin = ~spin;\nendmodule\n"


def test_a_design_that_spins_in_zero_time_fails_within_the_wall_limit(tmp_path):
    text = runner.simtop_verilog(CFG)
    head, sep, tail = text.partition("endmodule\n")  # the first module is the top
    b = runner.build(CFG, "icarus", build_root=tmp_path, verilog=head + LOOP + tail,
                     log=lambda *_: None)
    t0 = time.monotonic()
    report = runner.run(b, params={"cycles": 1000, "lockstep_cycles": 100, "wall_seconds": 5})
    assert time.monotonic() - t0 < 60
    assert report["failures"], "a design that hangs must not pass"
    assert "stopped making progress" in report["failures"][0], report["failures"]


def test_the_wall_limit_grows_with_the_run():
    assert runner.wall_limit({"wall_seconds": 7}) == 7
    assert runner.wall_limit({"cycles": 2_000_000}) > runner.wall_limit({"cycles": 20_000}) >= 600
