"""The tool-flow layer (issue 13 item 3): one tool finder and one error type, one cached cocotb
build for every testbench, one progress reporter (issue 17 item 6)."""

import re
import sys
import time
from pathlib import Path

import pytest

from rvpmu import progress, toolchain
from rvpmu.cli import main
from rvpmu.sim import cocotb_flow

ROOT = Path(__file__).resolve().parents[1]


def test_find_tool_prefers_the_environments_console_script(monkeypatch, tmp_path):
    venv, other = tmp_path / "venv" / "bin", tmp_path / "path"
    for d in (venv, other):
        d.mkdir(parents=True)
        (d / "mytool").write_text("#!/bin/sh\n")
        (d / "mytool").chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(venv / "python"))
    monkeypatch.setenv("PATH", str(other))
    assert toolchain.find_tool("mytool") == venv / "mytool"
    (venv / "mytool").unlink()
    assert toolchain.find_tool("mytool") == other / "mytool"
    with pytest.raises(toolchain.ToolchainError, match=r"^nosuch is not installed: do this$"):
        toolchain.find_tool("nosuch", "do this")


def test_no_other_tool_finder():
    """Every executable is looked up through rvpmu.toolchain.find_tool."""
    offenders = []
    for folder in ("rvpmu", "sim", "boards", "soc", "hdl", "bench", "model"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "toolchain.py" and path.parent.name == "rvpmu":
                continue
            if re.search(r"shutil\.which\(", path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_a_missing_tool_is_one_line_from_any_command(monkeypatch, capsys):
    from rvpmu.boards import build

    def missing():
        raise toolchain.ToolchainError(f"openFPGALoader is not installed: {toolchain.FPGA_HINT}")

    monkeypatch.setattr(build, "loader_path", missing)
    assert main(["board", "build", "ulx3s", "--program"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"rvpmu board build: error: openFPGALoader is not installed: "
                   f"{toolchain.FPGA_HINT}"]


def test_one_cached_build(tmp_path):
    text = "module top(input clk, output reg q); always @(posedge clk) q <= ~q; endmodule\n"
    lines: list[str] = []
    reporter = progress.Progress(out=lines.append)
    d = cocotb_flow.cached_build(text, top="top", simulator="icarus", build_root=tmp_path,
                                 files={"note.txt": "x"}, what="toy", progress=reporter)
    assert (d / "built.ok").exists() and (d / "note.txt").read_text() == "x"
    assert lines[0].startswith("  building the icarus toy ...") and "done in" in lines[-1]
    stamp = (d / "built.ok").stat().st_mtime_ns
    lines.clear()
    assert cocotb_flow.cached_build(text, top="top", simulator="icarus", build_root=tmp_path,
                                    what="toy", progress=reporter) == d
    assert lines == [] and (d / "built.ok").stat().st_mtime_ns == stamp  # reused, not rebuilt
    other = cocotb_flow.cached_build(text, top="top", simulator="icarus", build_root=tmp_path,
                                     key="another configuration", what="toy", progress=reporter)
    assert other != d
    # the next build of the kind says how long the last one took
    assert "last time" in lines[0]
    assert progress.Durations(tmp_path / cocotb_flow.DURATIONS).get("icarus toy") > 0


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_progress_rate_eta_and_done():
    out, clock = [], Clock()
    p = progress.Progress(out=out.append, every=10, clock=clock)
    p.update("long regression", 0, 1000, "cycles")
    clock.t += 5
    p.update("long regression", 100, 1000, "cycles")  # within 10 s of the last line
    clock.t += 5
    p.update("long regression", 250, 1000, "cycles")
    clock.t += 1
    p.update("long regression", 1000, 1000, "cycles")
    p.update("long regression", 1000, 1000, "cycles")  # the end is said once
    assert out == ["  long regression: 0% (0 of 1,000 cycles), 0 s",
                   "  long regression: 25% (250 of 1,000 cycles), 10 s, ETA 30 s",
                   "  long regression: 100% (1,000 of 1,000 cycles), 11 s: done"]
    assert progress.duration(3725) == "1 h 02 min" and progress.duration(65) == "1 min 05 s"


def test_progress_marks_round_trip():
    line = "  285.00ns INFO cocotb.top " + progress.mark("KVM scenarios", 3, 8, "scenarios")
    assert progress.parse(line) == ("KVM scenarios", 3, 8, "scenarios")
    assert progress.parse("rvpmu-progress broken|x|8|") is None
    assert progress.parse("no mark here") is None


def test_following_reads_only_this_runs_complete_lines(tmp_path):
    log = tmp_path / "sim.log"
    log.write_text(progress.mark("old run", 5, 10) + "\n")  # a previous run's log
    out: list[str] = []
    p = progress.Progress(out=out.append, every=0)
    with p.following(log, poll=0.01):
        with log.open("a") as f:  # the simulator writes the new log
            f.write(progress.mark("directed", 1, 4, "sequences") + "\n")
            f.write(progress.mark("directed", 4, 4, "sequences")[:20])  # half a line so far
            f.flush()
            time.sleep(0.2)
            assert not any("100%" in line for line in out)
            f.write(progress.mark("directed", 4, 4, "sequences")[20:] + "\n")
    assert not any("old run" in line for line in out)
    assert any(line.startswith("  directed: 25% (1 of 4 sequences)") for line in out)
    assert out[-1].startswith("  directed: 100% (4 of 4 sequences)")


def test_waiting_beats_with_an_eta(tmp_path):
    out: list[str] = []
    p = progress.Progress(out=out.append, every=0.05)
    with p.waiting("building", expected=100.0, status=lambda: "synthesis"):
        time.sleep(0.2)
    assert out[0] == "  building ...; about 1 min 40 s last time"
    assert any(re.fullmatch(r"  building: 0 s, ETA 1 min 40 s \(synthesis\)", x) for x in out)
    assert out[-1] == "  building: done in 0 s"
    d = progress.Durations(tmp_path / "d.json")
    d.record("x", 12.34)
    assert progress.Durations(tmp_path / "d.json").get("x") == 12.3
    (tmp_path / "bad.json").write_text("[1, 2")
    assert progress.Durations(tmp_path / "bad.json").get("x") is None
