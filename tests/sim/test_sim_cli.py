"""`rvpmu sim` from the command line: summary, report, waves, one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

RVPMU = Path(sys.executable).parent / "rvpmu"


def run(*args):
    return subprocess.run([str(RVPMU), "sim", *args], capture_output=True, text=True, timeout=600)


def test_icarus_run_with_waves(tmp_path):
    r = run("--simulator", "icarus", "--cycles", "3000", "--lockstep-cycles", "200", "--no-kvm",
            "--waves", "--seed", "9", "--build-dir", str(tmp_path), "--report",
            str(tmp_path / "rep.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "icarus: PASS: every checked cycle matched the golden model" in r.stdout
    assert "rules exercised:" in r.stdout
    assert "waveform: FST, about" in r.stdout  # the size, said before the run
    waves = [line for line in r.stdout.splitlines() if line.startswith("waves: ")]
    assert len(waves) == 1, waves
    path = Path(waves[0].split(": ", 1)[1].rsplit(" (", 1)[0])
    assert path.name == "waves-pmu-seed9.fst" and path.stat().st_size > 1000
    rep = json.loads((tmp_path / "rep.json").read_text())
    assert rep["tests"]["long_regression"]["seed"] == 9


@pytest.mark.parametrize("args, phrase", [
    (["--simulator", "xsim"], "invalid choice"),
    (["--cycles", "0"], "must be within 1.."),
    (["--seed", "abc"], "is not an integer"),
    (["--config", "/nonexistent.toml"], "cannot read config"),
])
def test_bad_arguments(args, phrase):
    r = run(*args)
    assert r.returncode != 0 and phrase in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
