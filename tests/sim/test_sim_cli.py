"""`rvpmu sim` from the command line: summary, report, waves, one-line errors."""

import json
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

RVPMU = Path(sys.executable).parent / "rvpmu"


def run(*args):
    return subprocess.run([str(RVPMU), "sim", *args], capture_output=True, text=True, timeout=600)


def fst_times(path: Path) -> tuple[int, int]:
    """The first and last simulated time (ps) an FST file holds: its header block (type 0,
    then the block length, start time and end time, big-endian 64-bit)."""
    head = path.read_bytes()[:25]
    assert head[0] == 0, "not an FST header block"
    return struct.unpack(">QQ", head[9:25])


def small_config(tmp_path: Path) -> Path:
    """4 x 40-bit counters: a quicker build and directed test than the default 29 x 64 (the
    default configuration runs on both simulators in test_cocotb)."""
    cfg = tmp_path / "small.toml"
    cfg.write_text("num_counters = 4\ncounter_width = 40\n")
    return cfg


def test_icarus_run_with_a_waveform_window(tmp_path):
    r = run("--simulator", "icarus", "--config", str(small_config(tmp_path)), "--cycles", "3000",
            "--lockstep-cycles", "200", "--no-kvm",
            "--waves-start", "400", "--waves-cycles", "300", "--seed", "9", "--build-dir",
            str(tmp_path), "--report", str(tmp_path / "rep.json"), "--coverage-md",
            str(tmp_path / "cov.md"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "icarus: PASS: every checked cycle matched the golden model" in r.stdout
    assert "rules exercised:" in r.stdout
    # the size, said before the run, is the window's
    assert "waveform: FST from cycle 400, 300 cycles per simulation, about 0.1 MB" in r.stdout
    waves = [line for line in r.stdout.splitlines() if line.startswith("waves: ")]
    assert len(waves) == 1, waves
    path = Path(waves[0].split(": ", 1)[1].rsplit(" (", 1)[0])
    assert path.name == "waves-pmu-seed9.fst"
    # Icarus dumps the initial values, then nothing from 1 ps in until the window (10 ns per
    # cycle), and nothing after it
    assert fst_times(path) == (0, (400 + 300) * 10_000)
    rep = json.loads((tmp_path / "rep.json").read_text())
    assert rep["tests"]["long_regression"]["seed"] == 9 and rep["seed"] == 9
    # JUnit: the stable path in the build directory, every test of the run
    junit = ET.parse(tmp_path / "results.xml").getroot()
    assert {c.get("name") for c in junit.iter("testcase")} == \
        {"lockstep_random", "long_regression", "directed"}
    assert f"JUnit: {tmp_path / 'results.xml'}" in r.stdout
    md = (tmp_path / "cov.md").read_text()
    assert "| 1 | B1 | mhpmcounter3-31 / mhpmevent3-31 never trap in M-mode | exercised (" in md
    assert "| 3 | B1 | RV32 halves read and write only their 32 bits | N/A: RV32 only |" in md


@pytest.mark.slow
def test_verilator_one_test_with_a_waveform_window(tmp_path):
    """One test alone (--test), its waveform limited to a window on Verilator's FST."""
    cfg = tmp_path / "tiny.toml"  # the quickest Verilator build
    cfg.write_text("xlen = 32\nnum_counters = 0\nhas_h = false\n")
    r = run("--config", str(cfg), "--test", "lockstep_random", "--lockstep-cycles", "600",
            "--waves-start", "100", "--waves-cycles", "200", "--build-dir", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "test lockstep_random only" in r.stdout
    assert "KVM scenarios: skipped:" in r.stdout
    assert "  lock-step: 100% (600 of 600 cycles)" in r.stdout  # progress, with its phase
    junit = ET.parse(tmp_path / "results.xml").getroot()
    assert [c.get("name") for c in junit.iter("testcase")] == ["lockstep_random"]
    path = next(tmp_path.glob("verilator-*/waves-pmu-lockstep_random-seed1.fst"))
    start, end = fst_times(path)
    assert start == 100 * 10_000 and 290 * 10_000 < end < 300 * 10_000


def test_junit_joins_every_simulator_process(tmp_path):
    """The PMU run, the other long-regression processes (--jobs) and the KVM run: one file."""
    from rvpmu.commands.sim import _junit

    for name, case in (("a", "long_regression"), ("b", "long_regression"), ("c", "kvm")):
        (tmp_path / f"{name}.xml").write_text(
            f'<testsuites><testsuite name="{name}"><testcase name="{case}"/></testsuite>'
            "</testsuites>")
    _junit([str(tmp_path / f"{n}.xml") for n in "abc"] + [str(tmp_path / "gone.xml")],
           tmp_path / "out.xml")
    root = ET.parse(tmp_path / "out.xml").getroot()
    assert [s.get("name") for s in root.iter("testsuite")] == ["a", "b", "c"]
    assert [c.get("name") for c in root.iter("testcase")] == \
        ["long_regression", "long_regression", "kvm"]


def test_the_waveform_command_after_a_failure(capsys):
    """The failing simulation alone, its window ending 100 cycles past the failure."""
    import argparse

    from rvpmu.commands.sim import _mismatch_waves

    args = argparse.Namespace(simulator="icarus", seed=3, cycles=4_000, lockstep_cycles=200,
                              config="pmu.toml", build_dir="build/sim", test=None)
    _mismatch_waves(args, {"failed_run": {"seed": 4, "cycles": 2_000, "cycle": 5_321,
                                          "test": "long_regression"}})
    assert capsys.readouterr().out.strip() == (
        "the first failure is at cycle 5,321 of the PMU simulation; its waveform: rvpmu sim "
        "--simulator icarus --seed 4 --cycles 2000 --lockstep-cycles 200 --config pmu.toml "
        "--test long_regression --waves-start 4321 --waves-cycles 1100")
    _mismatch_waves(args, {"failed_at_cycle": None, "kvm": {"failed_at_cycle": 700}})
    assert "of the KVM simulation" in capsys.readouterr().out
    _mismatch_waves(args, {"failed_at_cycle": None})  # a failure with no cycle: no command
    assert capsys.readouterr().out == ""
