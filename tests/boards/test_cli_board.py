"""`rvpmu board`: help, and bad input (port, board, configuration, options) as one-line errors."""

import subprocess
import sys
from pathlib import Path

import pytest

RVPMU = Path(sys.executable).parent / "rvpmu"


def run(*args):
    return subprocess.run([str(RVPMU), *args], capture_output=True, text=True, timeout=120)


def test_help():
    r = run("board", "--help")
    assert r.returncode == 0
    for name in ("build", "check", "info", "sim"):
        assert name in r.stdout
    for cmd in ("build", "check", "info", "sim"):
        assert run("board", cmd, "--help").returncode == 0


@pytest.mark.parametrize("args, phrase", [
    (["board", "check", "--port", "/dev/rvpmu-no-such-port"], "cannot open serial port"),
    (["board", "info", "--port", "loop://", "--latency", "0.02"], "no rvpmu board answers"),
    (["board", "build", "ulx3s", "--device", "99F"], "unknown ULX3S device"),
    (["board", "build", "arty", "--device", "85F"], "--device is for the ULX3S"),
    (["board", "build", "ulx3s", "--variant", "35"], "--variant is for the Arty"),
    (["board", "build", "ulx3s", "--config", "/nonexistent/pmu.toml"], "cannot read config"),
    (["board", "build", "ulx3s", "--baud", "3000000"], "off by"),
    (["board", "sim", "--config", "/nonexistent/pmu.toml"], "cannot read config"),
    (["board", "check", "--port", "loop://", "--scenarios", "bogus"], "unknown scenario"),
    (["board", "check", "--port", "loop://", "--loop-iterations", "100"], "at least 3400"),
    (["board", "check", "--port", "loop://", "--faults", "2"], "fault rate"),
])
def test_bad_input_is_one_line(args, phrase):
    r = run(*args)
    assert r.returncode != 0
    assert phrase in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_bad_config_file(tmp_path):
    bad = tmp_path / "pmu.toml"
    bad.write_text("num_counters = 99\n")
    r = run("board", "build", "arty", "--config", str(bad))
    assert r.returncode == 1 and "num_counters" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
