"""A deliberately broken RTL is caught: targeted mutations of the emitted Verilog must fail."""

import re

import pytest

from rvpmu.model import PMUConfig
from rvpmu.sim import runner

CFG = PMUConfig(num_counters=4, counter_width=40)

MUTATIONS = {
    # counter 3 ignores its mcountinhibit bit
    "count_while_inhibited": (r"(assign \\\$\d+\s+= )~ mcountinhibit\[3\];", r"\g<1>1'h1;"),
    # every software write of mhpmevent3 also sets OF
    "of_set_on_csr_write": (r"(assign mhpmevent3_next = \\\$\d+\s+\? )",
                            r"\g<1>64'h8000000000000000 | "),
    # U-mode reads of the user-level counters ignore scounteren (only mcounteren is checked)
    "u_mode_ignores_scounteren": (r"(assign \\\$\d+\s+= )a_mode_u & \\\$\d+ ;",
                                  r"\g<1>1'h0;"),
    # the access check's address decode ignores bit 9 for mhpmcounter7: 0x907, not a PMU CSR,
    # answers as a hit (a mutant the regression missed before the decode sweep)
    "decode_ignores_an_address_bit": (r"(\s)12'hb07:(\s+hit = 1'h1;)",
                                      r"\g<1>12'b10?100000111:\g<2>"),
    # the response's rdata resets to bit 22 set instead of 0 (a mutant the regression missed
    # before the harness compared the outputs in reset)
    "rdata_reset_value": (r"(?s)(csr_rsp__rdata <= \\\$(\d+) ;.*?\\\$\2\s+= \\\$\d+ ;"
                          r"\s+if \(rst\) begin\s+\\\$\2\s+= )64'h0000000000000000;",
                          r"\g<1>64'h0000000000400000;"),
}


@pytest.fixture(scope="module")
def verilog():
    return runner.simtop_verilog(CFG)


def test_unmutated_design_passes(verilog, tmp_path):
    b = runner.build(CFG, "icarus", build_root=tmp_path, verilog=verilog, log=lambda *_: None)
    report = runner.run(b, seed=3, params={"cycles": 20_000, "lockstep_cycles": 1_500})
    assert report["failures"] == [] and report["failed_at_cycle"] is None


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_is_caught(verilog, mutation, tmp_path):
    pattern, repl = MUTATIONS[mutation]
    mutated, n = re.subn(pattern, repl, verilog, count=1)
    assert n == 1, f"mutation {mutation} no longer applies to the emitted Verilog"
    b = runner.build(CFG, "icarus", build_root=tmp_path, verilog=mutated, log=lambda *_: None)
    report = runner.run(b, seed=3, params={"cycles": 20_000, "lockstep_cycles": 1_500})
    assert report["failures"], f"the scoreboard missed mutation {mutation}"
    assert any("design and model differ" in f or "Mismatch" in f for f in report["failures"]), \
        report["failures"]
    # the cycle of the first failure, from which `rvpmu sim` offers the waveform around it
    assert 0 < report["failed_at_cycle"] < 2 * (20_000 + 1_500) + 100_000
