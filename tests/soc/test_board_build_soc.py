"""`rvpmu board build ulx3s --soc PROGRAM` is the SoC's bitstream (rvpmu soc build); what it
refuses, it refuses in one line before any work (the build itself: test_board.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

RVPMU = Path(sys.executable).parent / "rvpmu"


@pytest.mark.parametrize("args, message", [
    (["arty", "--soc", "counting"], "ULX3S only"),
    (["ulx3s", "--soc", "/nonexistent.c"], "no such program"),
    (["ulx3s", "--soc", "counting", "--program"], "takes no --config, --program or --flash"),
])
def test_board_build_soc_refusals(args, message, tmp_path):
    p = subprocess.run([str(RVPMU), "board", "build", *args, "-o", str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert p.returncode == 1
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in p.stderr, p.stderr
    assert not (tmp_path / "out" / "top.bit").exists()
