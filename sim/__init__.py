"""Verification of the PMU: simulator-free components and the cocotb testbenches around them.

Two layers, kept apart (tests/sim/test_layers.py imports the first with cocotb unavailable):

* ``VERIFICATION_COMPONENTS`` need no simulator and are used alike by the cocotb testbenches,
  the Amaranth-simulator tests, the board check (``rvpmu.boards.host.checks``) and the
  benchmarks: the seeded random stimulus, the directed sequences and sweeps, the stimulus
  steered at coverage holes, the scoreboard and the coverage models.
* ``COCOTB_BOUND`` modules run inside a simulator: the pin drivers and monitor, the
  testbenches, the RTL backend of the KVM model. ``TOOL_FLOW`` builds and runs them
  (``runner``, ``cocotb_flow``, ``clocktop``, ``jobs``), reports on them
  (``coverage_report``) and scores them (``mutation``). A new module joins one of the three.
"""

VERIFICATION_COMPONENTS = ("stimulus", "directed", "sweeps", "steer", "scoreboard", "coverage",
                           "bins")
COCOTB_BOUND = ("drivers", "tb_pmu", "tb_kvm", "tb_speed", "kvm_backend")
TOOL_FLOW = ("runner", "cocotb_flow", "clocktop", "jobs", "coverage_report", "mutation")
