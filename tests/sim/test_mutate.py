"""`rvpmu mutate`: Yosys mutations of the PMU only, the regression run on each mutant, bounded
in wall time, and survivors' equivalence checked with a miter in SymbiYosys."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rvpmu.hdl.formal.sby import find_tools
from rvpmu.model import PMUConfig
from rvpmu.sim.mutation import design, equiv, score

RVPMU = Path(sys.executable).parent / "rvpmu"
CFG = PMUConfig(num_counters=4, counter_width=40)
SMALL = {"cycles": 2_000, "lockstep_cycles": 200}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("mutate")
    (d / "design.il").write_text(design.rtlil_text(CFG), encoding="utf-8")
    (d / "pmu.toml").write_text(CFG.to_toml(), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def tools():
    return find_tools()


@pytest.fixture(scope="module")
def listed(workdir, tools):
    return design.list_mutations(tools, "design.il", workdir, 400, 7)


def test_parse_list_line():
    line = ("mutate -mode cnot1 -module rvpmu_simtop.counted.pmu -cell $906 -port B "
            "-portbit 13 -ctrlbit 62 -wire x -wirebit 13 -src /somewhere/hdl/pmu.py:223 "
            "-src /somewhere/hdl/access.py:9")
    (m,) = design.parse_list(line + "\n")
    assert (m.index, m.mode, m.module, m.cell, m.port, m.bit, m.wire) == \
        (1, "cnot1", "rvpmu_simtop.counted.pmu", "$906", "B", 13, "x")
    assert m.command == ("mutate -mode cnot1 -module rvpmu_simtop.counted.pmu -cell $906 "
                         "-port B -portbit 13 -ctrlbit 62 -wire x -wirebit 13")
    assert len(m.src) == 2 and m.src[0].endswith("pmu.py:223")


def test_first_difference_names_the_differing_outputs(tmp_path):
    vcd = tmp_path / "t.vcd"
    vcd.write_text("$scope module miter $end\n$var wire 1 ! gold_a $end\n"
                   "$var wire 1 \" gate_a $end\n$var wire 4 # gold_b $end\n"
                   "$var wire 4 $ gate_b $end\n$upscope $end\n$enddefinitions $end\n"
                   "#0\n0!\n0\"\nb0101 #\nb101 $\n#10\n1!\n1\"\nb0101 #\nb0100 $\n#20\n")
    assert equiv.first_difference(equiv.read_vcd(vcd)) == (1, ["b"])


def test_only_the_pmu_is_mutated_and_every_mutation_has_a_source_line(listed):
    assert len(listed) == 400
    assert {m.module.split(".")[2] for m in listed} == {"pmu"}  # never gen or runctl
    assert all(m.module.startswith(design.PMU_MODULE) for m in listed)
    assert {m.mode for m in listed} == {"inv", "const0", "const1", "cnot0", "cnot1"}
    located = [m for m in listed if m.src]
    assert len(located) > 0.8 * len(listed)
    assert all(s.startswith("hdl/") for m in located for s in m.src)
    assert any("`" in line for line in located[0].source_lines())


def _lcofip_stuck_high(listed):
    """The LCOFIP pending bit stuck at 1 (reset clears it, and the model keeps it clear until a
    counter overflows): built on the lcofip register that the list names, whatever the fault
    the list chose for it."""
    found = [m for m in listed if m.wire == "lcofip" and m.port == "Q"]
    assert found, "no mutation of the lcofip register in the list"
    m = found[0]
    command = f"mutate -mode const1 -module {m.module} -cell {m.cell} -port Q -portbit {m.bit}"
    return design.Mutation(m.index, command, "const1", m.module, m.cell, "Q", m.bit, "lcofip")


def test_a_behaviour_changing_mutant_is_killed_and_not_equivalent(workdir, tools, listed):
    m = _lcofip_stuck_high(listed)
    verilog = design.write_mutants(tools, "design.il", workdir, [m])
    status, _, detail, _ = score.regress(verilog[m.index], workdir / "killed",
                                         workdir / "pmu.toml", "icarus", 1, SMALL, 300)
    assert status == score.KILLED, detail
    e = equiv.check(tools, workdir, "design.il", "eq-lcofip", m, timeout=240)
    assert e.result == equiv.NOT_EQUIVALENT and "lcofip" in e.ports, e


def test_the_unmodified_design_is_proved_equivalent(workdir, tools):
    e = equiv.check(tools, workdir, "design.il", "eq-none", None, timeout=240)
    assert e.result == equiv.EQUIVALENT, e


def test_not_compiled_and_timeout_are_classified(workdir, tools):
    verilog = design.write_mutants(tools, "design.il", workdir, [])[0]
    broken = workdir / "broken.v"
    broken.write_text(verilog.read_text().replace("endmodule", "endmodul", 1))
    status, _, detail, _ = score.regress(broken, workdir / "broken", workdir / "pmu.toml",
                                         "icarus", 1, SMALL, 300)
    assert status == score.NOT_COMPILED, detail
    status, seconds, detail, _ = score.regress(verilog, workdir / "slow", workdir / "pmu.toml",
                                               "icarus", 1, {"cycles": 10**9}, 5)
    assert status == score.TIMEOUT and seconds < 30, (status, seconds, detail)


def run(*args, cwd=None):
    return subprocess.run([str(RVPMU), "mutate", *args], capture_output=True, text=True,
                          timeout=1200, cwd=cwd)


def test_small_run_classifies_every_mutant(workdir, tmp_path):
    # A relative --build-dir (as bench/mutation.py's default is): the simulator processes,
    # which run elsewhere, must still find the run's files.
    r = run("--config", str(workdir / "pmu.toml"), "--count", "5", "--seed", "3",
            "--cycles", "2000", "--lockstep-cycles", "200", "--report",
            str(tmp_path / "rep.json"), "--build-dir", "b", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.loads((tmp_path / "rep.json").read_text())
    assert rep["mutants"] == 5 and sum(rep["counts"].values()) == 5
    classes = [o["class"] for o in rep["outcomes"]]
    killed = classes.count("killed") + classes.count("timeout")
    scored = 5 - classes.count("equivalent") - classes.count("not-compiled")
    assert rep["kill_rate"] == (killed / scored if scored else None)
    assert score.Score.from_json(rep).to_json() == rep  # bench/mutation.py reads it back
    for o in rep["outcomes"]:  # a survivor is checked; a killed mutant is not
        assert (o["equivalence"] is not None) == (o["status"] == "survived")
    assert f"mutants: 5; killed {classes.count('killed')}" in r.stdout
    assert "kill rate: " in r.stdout
    assert len([ln for ln in r.stderr.splitlines() if ln.startswith("[")]) >= 5  # progress
