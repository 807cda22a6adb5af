"""Bad and unusual inputs (issue 17): one line on stderr, a non-zero exit, no traceback, no hang,
nothing half-written, and no false FAIL on a valid configuration.

Each case runs ``rvpmu`` in a subprocess with a timeout; the checks that guard a long run
(output paths, sizes) must fail before the long work starts, so the cases stay quick.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rvpmu.config import PMUConfig
from rvpmu.model import HartPMU, KvmVcpuPmu
from rvpmu.model.kvm.scenarios import unmet_requirement
from rvpmu.sim.runner import failure_details

RVPMU = Path(sys.executable).parent / "rvpmu"
SMALL = "num_counters = 2\ncounter_width = 16\n"


def rvpmu(*args, timeout: float = 60, cwd=None) -> subprocess.CompletedProcess:
    start = time.monotonic()
    r = subprocess.run([str(RVPMU), *map(str, args)], capture_output=True, text=True,
                       timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)
    r.seconds = time.monotonic() - start
    return r


def assert_one_line_error(r: subprocess.CompletedProcess, phrase: str = "") -> None:
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("rvpmu"), lines[0]
    assert phrase.lower() in lines[0].lower(), lines[0]


@pytest.fixture
def afile(tmp_path) -> Path:
    """A plain file, so that ``afile/x`` is a path whose folder is not a directory."""
    p = tmp_path / "plain-file"
    p.write_text("x\n")
    return p


def _toml(tmp_path, text: str, name: str = "pmu.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


# -- 1. false FAILs --------------------------------------------------------------------------

def test_false_fail_causes(tmp_path):
    # An empty event list survives the trip through the build's pmu.toml (it read back as
    # the default eight inputs: the testbench looked for ports the design does not have).
    cfg = PMUConfig(events=())
    assert PMUConfig.from_toml(_toml(tmp_path, cfg.to_toml())) == cfg
    # The KVM part says why it cannot apply, exactly where the model offers no vPMU.
    for kw in ({"xlen": 32}, {"has_h": False}, {"sscofpmf": False}, {"num_counters": 0},
               {"counter_width": 1}, {}, {"events": ()}, {"counter_width": 2}):
        c = PMUConfig(**kw)
        try:
            usable = KvmVcpuPmu(HartPMU(c)).probe() == 1
        except ValueError:
            usable = False
        assert usable == (unmet_requirement(c) is None), kw
    assert "RV64" in unmet_requirement(PMUConfig(xlen=32))
    assert "num_counters" in unmet_requirement(PMUConfig(num_counters=0))


def _results(tmp_path, cases: str) -> Path:
    p = tmp_path / "results.xml"
    p.write_text(f'<testsuites><testsuite name="s">{cases}</testsuite></testsuites>')
    return p


def test_seed_hint_only_for_seeded_mismatches(tmp_path):
    mismatch = ('<testcase name="long_regression"><failure message="differ" type="Mismatch"/>'
                "</testcase>")
    crash = ('<testcase name="lockstep_random"><failure message="no child" '
             'type="AttributeError"/></testcase>')
    directed = '<testcase name="directed"><failure message="d" type="Mismatch"/></testcase>'
    details = failure_details(_results(tmp_path, mismatch + crash + directed))
    assert [(d["test"], d["type"]) for d in details] == [
        ("long_regression", "Mismatch"), ("lockstep_random", "AttributeError"),
        ("directed", "Mismatch")]
    (tmp_path / "cut.xml").write_text("<testsuites><testsuite")
    assert "incomplete" in failure_details(tmp_path / "cut.xml")[0]["message"]
    assert "no results" in failure_details(tmp_path / "none.xml")[0]["message"]


def test_sim_passes_on_rv32_without_counters(tmp_path):
    """The issue's false FAILs in one run: RV32 and no programmable counter; the KVM part is
    skipped with its reason, the report is written, the exit is 0."""
    cfg = _toml(tmp_path, "xlen = 32\nnum_counters = 0\nhas_h = false\n")
    report = tmp_path / "out" / "r.json"
    r = rvpmu("sim", "--config", cfg, "--cycles", 2000, "--lockstep-cycles", 100,
              "--build-dir", tmp_path / "build", "--report", report, timeout=900)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    assert "PASS: every checked cycle matched" in r.stdout
    assert "KVM scenarios: skipped: needs an RV64 PMU" in r.stdout
    data = json.loads(report.read_text())
    assert data["failures"] == [] and data["kvm"]["skipped"].startswith("needs")


# -- 2. tracebacks ---------------------------------------------------------------------------

def _refusing_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _dropping_server() -> tuple[int, threading.Thread]:
    """A TCP server that accepts one client, reads a little and drops the link."""
    srv = socket.create_server(("127.0.0.1", 0))
    srv.settimeout(30)

    def serve():
        with srv:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                conn.recv(16)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return srv.getsockname()[1], t


def test_tracebacks_become_one_line(tmp_path, afile):
    bad_dir = afile / "x"
    cases = [
        (("generate", "-o", bad_dir), "not a directory"),
        (("generate", "-o", afile), "not a directory"),
        (("sim", "--build-dir", afile), "not a directory"),
        (("sim", "--build-dir", bad_dir), "Not a directory"),
        (("sim", "--report", tmp_path), "is a directory"),
        (("sim", "--report", bad_dir / "r.json"), "Not a directory"),
        (("model", "run", "basic", "-o", bad_dir / "t.jsonl"), "Not a directory"),
        (("config", "-o", bad_dir / "c.toml"), "Not a directory"),
        (("csr-map", "-o", tmp_path), "is a directory"),
        (("formal", "--workdir", afile, "--property", "count"), ""),
        (("board", "check", "--port", "socket://127.0.0.1:1", "-o", bad_dir), "Not a directory"),
        (("board", "check", "--port", "socket://127.0.0.1:1", "--latency", "-1"), "0..60"),
        (("board", "info", "--port", "socket://127.0.0.1:1", "--latency", "nan"), "0..60"),
        (("board", "info", "--port", f"socket://127.0.0.1:{_refusing_port()}"),
         "cannot open serial port"),
        (("board", "sim", "--build-dir", afile), "not a directory"),
        (("board", "build", "ulx3s", "-o", afile), "not a directory"),
    ]
    for args, phrase in cases:
        r = rvpmu(*args)
        assert_one_line_error(r, phrase)
        assert r.seconds < 30, (args, r.seconds)  # refused before any build or run


def test_link_drop_is_one_line():
    port, t = _dropping_server()
    r = rvpmu("board", "info", "--port", f"socket://127.0.0.1:{port}", "--latency", "0.05")
    t.join(5)
    assert_one_line_error(r, "127.0.0.1")


def test_malformed_traces_are_one_line(tmp_path):
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 200_000 + "]" * 200_000 + "\n")
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    for path, phrase in ((deep, "nested too deeply"), (binary, "UTF-8"),
                         (tmp_path, "Is a directory"), (tmp_path / "none", "No such file")):
        assert_one_line_error(rvpmu("compare", path), phrase)


# -- 3. hangs on absurd sizes ----------------------------------------------------------------

def test_absurd_sizes_are_refused_or_quick(tmp_path):
    for args, phrase in (
        (("sim", "--cycles", 10**30), "must be within"),
        (("sim", "--cycles", "1e30"), "not an integer"),
        (("sim", "--lockstep-cycles", 10**20), "must be within"),
        (("model", "run", "basic", "--loop-iterations", 10**12), "must be within"),
        (("formal", "--property", ""), "names no property"),
        (("formal", "--property", " , "), "names no property"),
        (("board", "build", "ulx3s", "--flash"), "--program"),
        (("compare", "/dev/zero"), "not a regular file"),
        (("config", "--config", "/dev/zero"), "not a regular file"),
        (("model", "hart", "/dev/zero"), "not a regular file"),
        (("model", "run", "/dev/zero"), "not a regular file"),
        (("formal", "--depth", 10**12), "beyond 1000"),
    ):
        r = rvpmu(*args, timeout=30)
        assert_one_line_error(r, phrase)
    # A hart script's long step is done in closed form; a repeat beyond the input's width
    # is refused before a list of that size is built.
    big = _toml(tmp_path, "csrw mhpmevent3 1\nstep 100000000000000000000 retired=1\n"
                "expect mcycle 0x6BC75E2D63100000\nexpect minstret 0x6BC75E2D63100000\n",
                "big.hart")
    r = rvpmu("model", "hart", big, "-q", timeout=30)
    assert r.returncode == 0, r.stderr
    rep = _toml(tmp_path, "step 1 events=branch*100000000000\n", "rep.hart")
    assert_one_line_error(rvpmu("model", "hart", rep, timeout=30), "at most 1")


def test_absurd_runs_in_kvm_sessions(tmp_path):
    # A repeating event pattern over 10^8 cycles is jumped over in closed form ...
    script = _toml(tmp_path, "probe\necall COUNTER_CFG_MATCH 0 0xFFFFFFFF 0 "
                   "BRANCH_INSTRUCTIONS\necall counter_start 3 1 SET_INIT_VALUE -3\n"
                   "run 100000000 mode=VS branch=1,0\n", "long.kvm")
    out = tmp_path / "long.jsonl"
    r = rvpmu("model", "run", script, "-o", out, timeout=60)
    assert r.returncode == 0, r.stderr
    assert rvpmu("compare", out).returncode == 0
    # ... and a trace whose run would take ~10^22 host interrupts on 8-bit counters is refused.
    rec = json.loads(out.read_text().splitlines()[-1])
    header = json.loads(out.read_text().splitlines()[0])
    header["config"]["counter_width"] = 8
    rec["cycles"] = 10**25
    rec["events"] = {"retired": 1, "branch": 1}
    lines = out.read_text().splitlines()
    bad = tmp_path / "huge.jsonl"
    bad.write_text("\n".join([json.dumps(header), *lines[1:-1], json.dumps(rec)]) + "\n")
    r = rvpmu("compare", bad, timeout=120)
    assert_one_line_error(r, "host overflow interrupts")


# -- 4. partial outputs ----------------------------------------------------------------------

def test_no_half_written_outputs(tmp_path):
    # A device given as the output is written into, never replaced by a file.
    r = rvpmu("config", "--toml", "-o", "/dev/null")
    assert r.returncode == 0 and Path("/dev/null").is_char_device()
    out = tmp_path / "gen"
    (out / "rvpmu_pmu.h").mkdir(parents=True)  # the fourth output cannot be written
    assert_one_line_error(rvpmu("generate", "-o", out), "is a directory")
    assert sorted(p.name for p in out.iterdir()) == ["rvpmu_pmu.h"]  # nothing else, no temp
    # A scenario that fails writes its trace, marked so that `rvpmu compare` does not pass it.
    cfg = _toml(tmp_path, "num_counters = 0\n")
    trace = tmp_path / "t.jsonl"
    r = rvpmu("model", "run", "--config", cfg, "basic", "-o", trace)
    assert r.returncode == 1 and "guest assertion failed" in r.stderr
    assert json.loads(trace.read_text().splitlines()[0])["failed"].startswith("guest assertion")
    r = rvpmu("compare", trace)
    assert r.returncode == 1 and "stopped early" in r.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# -- 5. the simulated board as a server ------------------------------------------------------

def _wait_port(port_file: Path, proc: subprocess.Popen, limit: float = 300) -> int:
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if port_file.exists() and port_file.read_text().strip():
            return int(port_file.read_text())
        time.sleep(0.2)
    raise AssertionError(f"no port from rvpmu board sim: {proc.stdout.read() if proc.stdout else ''}")


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [int(x) for x in out.split()]


@contextlib.contextmanager
def _board_sim(tmp_path: Path, idle_timeout: int, stderr):
    """``rvpmu board sim`` (Icarus, a small RV64 without H) in the background; killed at the
    end. Yields the process and the port it listens on."""
    cfg = _toml(tmp_path, SMALL + "has_h = false\n")
    port_file = tmp_path / "port"
    proc = subprocess.Popen([str(RVPMU), "board", "sim", "--config", str(cfg), "--simulator",
                             "icarus", "--build-dir", str(tmp_path / "b"), "--port-file",
                             str(port_file), "--idle-timeout", str(idle_timeout)],
                            stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        yield proc, _wait_port(port_file, proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_board_sim_server(tmp_path):
    with _board_sim(tmp_path, 120, subprocess.STDOUT) as (proc, port):
        url = f"socket://127.0.0.1:{port}"
        # A client that sends half a request and vanishes with a reset mid-stream.
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(bytes([0x5A, 0x05, 0x10]))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        s.close()
        # The server survived it and answers the next client properly.
        r = rvpmu("board", "info", "--port", url, timeout=300)
        assert r.returncode == 0, r.stderr
        assert "board: simulation" in r.stdout
        # While one client is connected, a second one is told that the board is busy.
        first = socket.create_connection(("127.0.0.1", port))
        time.sleep(2)
        r = rvpmu("board", "info", "--port", url, timeout=120)
        assert_one_line_error(r, "busy with another client")
        first.close()
        # Killed, it takes its simulator with it.
        sims = _children(proc.pid)
        assert sims
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        end = time.monotonic() + 30
        while time.monotonic() < end and any(_alive(p) for p in sims):
            time.sleep(0.5)
        assert not any(_alive(p) for p in sims), "the simulator outlived rvpmu board sim"


def test_board_sim_simulator_dies(tmp_path):
    with _board_sim(tmp_path, 60, subprocess.PIPE) as (proc, _):
        for pid in _children(proc.pid):
            os.kill(pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        assert_one_line_error(r, "the simulated board stopped: the simulator stopped")


def test_kvm_testbench_bounded_on_a_stuck_design(tmp_path):
    """A design whose run control never finishes fails the KVM scenario with a clear message
    within the run's cycles plus a margin, instead of hanging the testbench."""
    from rvpmu.sim import runner

    cfg = PMUConfig(num_counters=2, counter_width=16)
    text = runner.simtop_verilog(cfg)
    assert ".run__busy(ctl_busy)," in text and "  wire ctl_busy;" in text  # from CountedPMU
    stuck = text.replace(".run__busy(ctl_busy),", ".run__busy(),") \
        .replace("  wire ctl_busy;", "  wire ctl_busy = 1'b1;")
    b = runner.build(cfg, "icarus", build_root=tmp_path, verilog=stuck, log=lambda _: None)
    start = time.monotonic()
    rep = runner.run(b, module=runner.KVM_TEST_MODULE,
                     params={"scenarios": ["events"], "profiles": ["kvm"],
                             "loop_iterations": 50})
    assert time.monotonic() - start < 120
    assert any("did not end within" in f for f in rep["failures"]), rep["failures"]
