"""The board top in cocotb (Verilator) behind a simulated serial link, driven by the real host
driver: random checks and a KVM scenario against the model, directed and random fault
injection (garbage, bad CRC, truncated frames, lost responses) with exact results throughout,
the buttons and switches; then `rvpmu board sim` + `rvpmu board check` end to end, whose trace
passes `rvpmu compare`."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rvpmu.boards.sim import runner
from rvpmu.config import EventInput, PMUConfig

RVPMU = Path(sys.executable).parent / "rvpmu"
# RV64 with H (the KVM model needs both), few counters and events: quick to build and simulate.
CFG = PMUConfig(num_counters=4, events=(EventInput("branch", sbi="BRANCH_INSTRUCTIONS"),
                                        EventInput("cache_miss", sbi="CACHE_MISSES")))


@pytest.fixture(scope="module")
def build_root(tmp_path_factory):
    return tmp_path_factory.mktemp("board-sim")


@pytest.fixture(scope="module")
def board(build_root):
    return runner.build(CFG, "verilator", build_root=build_root, log=lambda *_: None)


def test_link_checks_faults_and_inputs(board):
    r = runner.run(board, "link_checks", {
        "seeds": [1], "steps": 100, "scenarios": ["overflow"], "profiles": ["kvm"],
        "loop_iterations": 3400, "fault_rate": 0.15, "fault_steps": 100})
    assert r["failures"] == [], (r["failures"], r["log"])
    assert r["config_matches"] and r["hello"]["version"] == [1, 0]
    assert [x["name"] for x in r["results"]] == ["random seed 1", "kvm overflow/kvm"]
    assert all(x["ok"] for x in r["results"]), r["results"]
    trace = r["results"][1]["trace"]
    c = subprocess.run([str(RVPMU), "compare", trace], capture_output=True, text=True)
    assert c.returncode == 0 and "records match" in c.stdout, c.stdout + c.stderr
    # each fault on a run and on counter writes: done exactly once, answered right
    for fault, f in r["faults"].items():
        if fault == "noise_then_request_ok":
            assert f == [True] * 5
        else:
            assert f == {"ran": 100, "mcycle_delta": 100, "old_on_set": 5, "after_set": 0x35}, fault
    assert r["random_with_faults"]["ok"], r["random_with_faults"]
    assert all(n > 0 for n in r["injected"].values()), r["injected"]
    board_saw = r["link_status"]
    assert board_saw["crc_errors"] > 0 and board_saw["timeouts"] > 0 and \
        board_saw["length_errors"] > 0
    inj = r["injected"]  # garbage without a SYNC byte in it needs no retry; the others do
    assert r["stats"]["retries"] >= inj["bad_crc"] + inj["truncated"] + inj["lost_response"]
    assert r["inputs"] == {"levels_before": 0, "levels_pressed": 3, "button_events": 1,
                           "switch_events": 80}


def test_rvpmu_board_check_against_the_simulated_board(board, build_root, tmp_path):
    cfg = tmp_path / "pmu.toml"
    cfg.write_text(CFG.to_toml())
    port_file = tmp_path / "port.txt"
    sim = subprocess.Popen([str(RVPMU), "board", "sim", "--config", str(cfg), "--once",
                            "--build-dir", str(build_root), "--port-file", str(port_file),
                            "--idle-timeout", "120"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(600):
            if port_file.exists() and port_file.read_text().strip():
                break
            assert sim.poll() is None, sim.stdout.read()
            time.sleep(0.1)
        port = f"rvpmu-sim://127.0.0.1:{port_file.read_text().strip()}"  # in simulated time
        out = tmp_path / "check"
        r = subprocess.run([str(RVPMU), "board", "check", "--port", port, "--random", "1",
                            "--steps", "80", "--scenarios", "events", "--profiles", "spec",
                            "--loop-iterations", "200", "--faults", "0.1", "-o", str(out)],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "PASS: 2 checks match the golden model" in r.stdout
        assert "  board checks: 100% (2 of 2 checks)" in r.stdout  # progress, with its count
        # damaged requests on purpose: recovered in simulated time, every answer still right
        assert re.search(r"link: \d+ requests, [1-9]\d* retries", r.stdout), r.stdout
        report = json.loads((out / "check.json").read_text())
        assert [x["ok"] for x in report["results"]] == [True, True]
        c = subprocess.run([str(RVPMU), "compare", str(out / "kvm-events-spec-board.jsonl")],
                           capture_output=True, text=True)
        assert c.returncode == 0, c.stdout + c.stderr
    finally:
        try:
            sim.wait(timeout=60)
        except subprocess.TimeoutExpired:
            sim.kill()
            sim.wait()
    assert sim.returncode == 0
