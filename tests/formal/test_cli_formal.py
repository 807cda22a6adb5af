"""`rvpmu formal`: a summary table, exit status 0 only when every check passes, one-line
errors for bad input; the properties never reach the generated Verilog."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from rvpmu.config import PMUConfig
from rvpmu.hdl import formal
from rvpmu.hdl.verilog import emit

from .helpers import CONFIGS, require_tools

RVPMU = Path(sys.executable).parent / "rvpmu"


def run(*args, cwd=None):
    return subprocess.run([str(RVPMU), "formal", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture
def small_toml(tmp_path):
    path = tmp_path / "pmu.toml"
    path.write_text(CONFIGS["rv64"].to_toml())
    return path


def test_runs_the_proofs_with_a_summary_table(small_toml, tmp_path):
    require_tools()
    work = tmp_path / "work"
    r = run("--config", str(small_toml), "--property", "access,read", "--jobs", "2",
            "--workdir", str(work))
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["property", "mode", "result", "time", "detail"]
    rows = [line.split()[:3] for line in lines[1:5]]
    assert rows == [["access", "prove", "PASS"], ["access", "cover", "PASS"],
                    ["read", "prove", "PASS"], ["read", "cover", "PASS"]]
    assert "all 4 checks passed" in r.stdout
    assert (work / "access_prove" / "status").read_text().startswith("PASS")


def test_counter_groups_are_rows_of_the_table(small_toml):
    require_tools()
    r = run("--config", str(small_toml), "--property", "sel0", "--group", "2", "--no-cover",
            "--counters", "0,2-3")
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [line.split()[:3] for line in r.stdout.splitlines()[1:3]]
    assert rows == [["sel0[0,2]", "prove", "PASS"], ["sel0[3]", "prove", "PASS"]], r.stdout
    # each check as it ends (the two run side by side, so in either order)
    assert re.search(r"^\[[12]/2\] sel0\[3\] prove: PASS", r.stderr, re.M), r.stderr
    assert re.search(r"^\[[12]/2\] sel0\[0,2\] prove: PASS", r.stderr, re.M), r.stderr
    # progress through rvpmu.progress: the start and the end of the phase, with its count
    assert "  formal: 0% (0 of 2 checks)" in r.stderr
    assert "  formal: 100% (2 of 2 checks)" in r.stderr


def test_a_failed_check_exits_non_zero(small_toml):
    require_tools()
    # No overflow can be reached within 1 cycle: the covers fail, and so does the command.
    r = run("--config", str(small_toml), "--property", "overflow", "--cover-depth", "1")
    assert r.returncode == 1
    rows = [line.split()[:3] for line in r.stdout.splitlines()[1:]]
    assert rows == [["overflow", "prove", "PASS"], ["overflow", "cover", "FAIL"]], r.stdout
    errors = [line for line in r.stderr.splitlines() if not line.startswith(("[", "  formal:"))]
    assert len(errors) == 1 and "1 of 2 checks did not pass (overflow cover)" in errors[0]


@pytest.mark.parametrize("args, phrase", [
    (["--depth", "0"], "must be at least 1"),
    (["--property", "bogus"], "unknown property 'bogus'"),
    (["--config", "/nonexistent/pmu.toml"], "cannot read config"),
    (["--jobs", "two"], "is not an integer"),
    (["--counters", "40", "--property", "sel0"], "no counter 40 in this configuration"),
    (["--counters", "3-x"], "'3-x' is not a counter index or range"),
    (["--group", "0"], "must be at least 1"),
])
def test_bad_input_is_one_line(args, phrase):
    r = run(*args)
    assert r.returncode != 0
    assert phrase in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_list_names_every_property_with_its_rules(small_toml):
    r = run("--list", "--config", str(small_toml))
    assert r.returncode == 0, r.stderr
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert names == list(formal.properties_for(CONFIGS["rv64"]))
    assert "rules 11-19" not in r.stdout and "rules 1, 3, 4, 11-19" in r.stdout


def test_half_is_rejected_on_rv64(small_toml):
    r = run("--config", str(small_toml), "--property", "half")
    assert r.returncode == 1 and "unknown property 'half'" in r.stderr


def test_missing_tool_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setattr(formal.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(formal.FormalToolError, match=r"make test.*pip install -e '\.\[formal\]'"):
        formal.find_tools()


@pytest.mark.parametrize("config", [CONFIGS["rv32"], PMUConfig()], ids=["rv32", "default"])
def test_generated_verilog_holds_no_property(config):
    text = emit(config)
    for word in ("assert", "assume", "cover", "$anyseq"):
        assert word not in text.lower(), word


def test_the_harness_is_formal_only():
    from amaranth.back import rtlil

    with pytest.raises(ValueError, match="platform='formal'"):
        rtlil.convert(formal.PMUFormal(CONFIGS["rv64"]), ports=[])
