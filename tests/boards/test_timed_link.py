"""``rvpmu-sim://``: the simulated board's link in simulated time (issue 17 item 5): a damaged
request costs simulated microseconds, not a wall-clock allowance; the server's other duties
(busy reply, a client vanishing mid-stream) hold on this link too."""

import socket
import subprocess
import time

from rvpmu import csr
from rvpmu.boards import protocol as P
from rvpmu.boards.host import BoardClient, simlink
from rvpmu.boards.host.faults import FaultyPort
from rvpmu.boards.host.framing import encode_request
from rvpmu.boards.host.port import open_port

from ..test_bad_inputs import _board_sim, assert_one_line_error, rvpmu


def _client(port: int, faulty: bool = False) -> BoardClient:
    link = open_port(f"rvpmu-sim://127.0.0.1:{port}")
    assert isinstance(link, simlink.TimedSimPort)
    assert link.baudrate == 25_000_000  # the simulated UART's, from the server's HELLO
    return BoardClient(FaultyPort(link, rate=0.0) if faulty else link, latency=0.0,
                       initial_quiet=50e-6)


def test_decoder_reassembles_split_messages():
    stream = simlink.encode(simlink.DATA, 7, b"abc") + simlink.encode(simlink.TIME, 9)
    d = simlink.Decoder()
    got = [m for i in range(len(stream)) for m in d.feed(stream[i:i + 1])]
    assert got == [(simlink.DATA, 7, b"abc"), (simlink.TIME, 9, b"")]


def test_faults_cost_simulated_time(tmp_path):
    with _board_sim(tmp_path, 120, subprocess.STDOUT) as (proc, port):
        c = _client(port, faulty=True)
        c.connect()
        W, R = csr.CSROp.WRITE, csr.CSROp.READ
        c.csr(W, csr.mhpmcounter(3), 1234)
        # A quiet line: a read's timeout is simulated time, which the server runs through.
        c.port.timeout = 200e-6
        t0 = c.port.now()
        assert c.port.read(1) == b""
        assert 200e-6 - 1e-12 <= c.port.now() - t0 < 200e-6 + 2e-3
        # Each kind of damage: the answer is still right, and the retry cost simulated
        # microseconds (the reply timeout and the board's frame timeout), not seconds.
        for fault in ("truncated", "lost_response", "bad_crc", "garbage"):
            retries = c.stats.retries
            c.port.inject(fault)
            sim0, wall0 = c.port.now(), time.monotonic()
            assert c.csr(R, csr.mhpmcounter(3)).rdata == 1234, fault
            # junk before a request may hide it from the board (a retry) or not
            assert c.stats.retries - retries == 1 or fault == "garbage", fault
            assert c.port.now() - sim0 < 500e-6, fault
            assert time.monotonic() - wall0 < 30, fault  # ~0.3 s on Icarus; bounded for load
        # While this client is connected, a second one on the timed link is told it is busy.
        r = rvpmu("board", "info", "--port", f"rvpmu-sim://127.0.0.1:{port}", timeout=60)
        assert_one_line_error(r, "busy with another client")
        # A client that vanishes in the middle of a request ends only its connection.
        c.port.raw._sock.sendall(simlink.encode(simlink.DATA, 0, b"\x5a\x05\x10")[:12])
        c.port.raw.close()
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(simlink.PREAMBLE + simlink.encode(simlink.DATA, 0, b"\x5a\x05"))
        s.close()
        # A client that leaves right after a whole request: the board's answer is dropped,
        # never delivered to the next client.
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(encode_request(P.Cmd.HELLO, 1, b""))
        s.close()
        deadline = time.monotonic() + 60
        while True:  # until the server has seen the earlier clients go (it says "busy" before)
            s = socket.create_connection(("127.0.0.1", port))
            s.settimeout(3.0)
            try:
                stale = s.recv(4096)
            except TimeoutError:
                stale = b""
            s.close()
            if not stale.startswith(b"rvpmu board sim: busy") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert stale == b"", stale
        r = rvpmu("board", "info", "--port", f"rvpmu-sim://127.0.0.1:{port}", timeout=120)
        assert r.returncode == 0 and "board: simulation" in r.stdout, r.stdout + r.stderr
