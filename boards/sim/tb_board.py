"""cocotb tests of the board top: the real host driver over a simulated serial link.

``link_checks`` runs, in a bridge thread, what ``rvpmu board check`` runs (random checks against
the model, a KVM scenario whose trace must pass ``rvpmu compare``), then injects garbage,
truncated frames, bad CRCs and lost responses (directed, then at random during a random check)
and checks that every answer is still right, and drives the buttons/switches. ``serve`` puts
the simulated board behind a TCP socket for ``rvpmu board sim``. Parameters come from the
environment set by ``rvpmu.boards.sim.runner``.
"""

from __future__ import annotations

import json
import os
import random
import select
import socket
import time
from dataclasses import asdict
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.simtime import get_sim_time
from cocotb.task import bridge, resume
from cocotb.triggers import ClockCycles, Timer

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.sim.clocktop import CLOCK_NS

from ..host.checks import check_board, random_check
from ..host.driver import SIM_BUSY, BoardClient
from ..host import simlink
from ..host.faults import FAULTS, FaultyPort
from .bfm import UartBFM
from .link import SimSerial



def _setup():
    cfg = PMUConfig.from_toml(os.environ["RVPMU_SIM_CONFIG"])
    params = json.loads(os.environ.get("RVPMU_SIM_PARAMS", "{}"))
    return cfg, params


async def _start(dut, divisor: int) -> UartBFM:
    Clock(dut.clk, CLOCK_NS, unit="ns").start()
    dut.buttons.value = 0
    dut.switches.value = 0
    bfm = UartBFM(dut.uart_rx, dut.uart_tx, divisor * CLOCK_NS)
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 3)
    bfm.start()
    return bfm


def _report(update: dict) -> None:
    path = Path(os.environ["RVPMU_SIM_REPORT"])
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(update)
    path.write_text(json.dumps(data, indent=1, default=str))


def _client(port, divisor: int) -> BoardClient:
    # simulated time: no adapter latency; before HELLO assume a short frame timeout
    return BoardClient(port, latency=0.0, initial_quiet=60 * 10 * divisor * CLOCK_NS * 1e-9)


@cocotb.test()
async def link_checks(dut):
    cfg, params = _setup()
    divisor = params["divisor"]
    bfm = await _start(dut, divisor)
    baud = round(1e9 / (divisor * CLOCK_NS))
    outdir = Path(os.environ["RVPMU_SIM_REPORT"]).parent
    set_pins = resume(_set_pins(dut))
    wait_cycles = resume(_wait_cycles(dut))

    def host() -> dict:
        t0 = time.perf_counter()
        port = FaultyPort(SimSerial(bfm, resume, baud), rate=0.0, seed=params.get("seed", 1))
        client = _client(port, divisor)
        out: dict = {}
        info = client.connect()
        out["hello"] = {k: (v.hex() if isinstance(v, bytes) else v)
                        for k, v in asdict(info).items()}
        lines: list[str] = []
        config, results = check_board(
            client, seeds=params.get("seeds", [1]), steps=params.get("steps", 150),
            max_run=params.get("max_run", 3000), scenarios=params.get("scenarios", []),
            profiles=params.get("profiles", ["kvm"]),
            loop_iterations=params.get("loop_iterations", 3400), outdir=outdir,
            log=lines.append)
        out["config_matches"] = config == cfg
        out["results"] = [asdict(r) for r in results]
        out["log"] = lines
        out["faults"] = _directed_faults(client, port) if params.get("faults", True) else {}
        if params.get("fault_rate"):
            port.rate = params["fault_rate"]
            r = random_check(client, config, seed=params.get("fault_seed", 7),
                             steps=params.get("fault_steps", 120), max_run=500)
            port.rate = 0.0
            out["random_with_faults"] = asdict(r)
        out["injected"] = dict(port.injected)
        if params.get("inputs", True):
            out["inputs"] = _inputs(client, config, set_pins, wait_cycles)
        out["link_status"] = asdict(client.status())
        out["stats"] = asdict(client.stats)
        out["seconds"] = round(time.perf_counter() - t0, 2)
        out["sim_us"] = round(get_sim_time("ns") / 1000, 1)
        return out

    _report(await bridge(host)())


def _directed_faults(client: BoardClient, port: FaultyPort) -> dict:
    """Each fault on a non-idempotent request (a run, a counter write), then raw line noise:
    every result must be exact, as if nothing had happened."""
    M = csr.Mode.M
    out: dict = {}
    mcycle = csr.MCYCLE
    for fault in FAULTS:
        before = client.csr(csr.CSROp.READ, mcycle).rdata
        port.inject(fault)
        ran = client.run(100, M).cycles
        after = client.csr(csr.CSROp.READ, mcycle).rdata
        port.inject(fault)
        client.csr(csr.CSROp.WRITE, mcycle, 5)
        port.inject(fault)
        set_result = client.csr(csr.CSROp.SET, mcycle, 0x30)
        again = client.csr(csr.CSROp.READ, mcycle).rdata
        out[fault] = {"ran": ran, "mcycle_delta": after - before, "old_on_set": set_result.rdata,
                      "after_set": again}
    # Raw noise straight onto the line: a frame start with a long length, random bytes, a
    # truncated frame, then at once a normal request (whose frame the noise swallows).
    raw = port.raw
    rng = random.Random(5)
    noise = [bytes([0x5A, 0x0E, 0x10]), bytes(rng.getrandbits(8) for _ in range(40)),
             bytes([0x5A, 0x05, 0x10, 0x01]), bytes([0x5A, 0xFF]), bytes([0x5A, 0x5A, 0x5A])]
    survived = []
    for junk in noise:
        raw.write(junk)
        survived.append(client.csr(csr.CSROp.READ, mcycle).rdata == 0x35)
    out["noise_then_request_ok"] = survived
    return out


def _set_pins(dut):
    async def set_pins(buttons: int, switches: int) -> None:
        dut.buttons.value = buttons
        dut.switches.value = switches
        await Timer(CLOCK_NS, unit="ns")
    return set_pins


def _wait_cycles(dut):
    async def wait(n: int) -> None:
        await ClockCycles(dut.clk, n)
    return wait


def _inputs(client: BoardClient, config: PMUConfig, set_pins, wait_cycles) -> dict:
    """Button 0 drives event input 0, switch 0 event input 1 (the simulated board has one of
    each): a press counts once, a switch every cycle it is on."""
    M, W, R = csr.Mode.M, csr.CSROp.WRITE, csr.CSROp.READ
    client.reset()
    client.csr(W, csr.mhpmevent(3), csr.event_selector(0))  # the button's event
    client.csr(W, csr.mhpmevent(4), csr.event_selector(1))  # the switch's event
    levels0 = client.inputs(0b11)
    set_pins(1, 1)
    wait_cycles(50)
    levels1 = client.inputs(0b11)
    set_pins(0, 1)  # release the button; the press is pending until a counted cycle
    wait_cycles(50)
    client.run(40, M)
    client.run(40, M)
    btn = client.csr(R, csr.mhpmcounter(3)).rdata
    sw = client.csr(R, csr.mhpmcounter(4)).rdata
    set_pins(0, 0)
    client.inputs(0)
    return {"levels_before": levels0, "levels_pressed": levels1, "button_events": btn,
            "switch_events": sw}


@cocotb.test()
async def serve(dut):
    """The simulated board on a TCP socket (``socket://HOST:PORT`` for pyserial).

    One client at a time; a second one is told so (``SIM_BUSY``) and closed. A client that vanishes
    mid-stream ends only its connection, and what the board still sent it is dropped. The
    server stops when ``rvpmu board sim`` (its parent) is gone, or after ``accept_timeout``
    seconds without a client.
    """
    cfg, params = _setup()
    divisor = params["divisor"]
    bfm = await _start(dut, divisor)
    byte_ns = 10 * divisor * CLOCK_NS
    srv = socket.create_server((params.get("host", "127.0.0.1"), params.get("port", 0)))
    port = srv.getsockname()[1]
    Path(params["port_file"]).write_text(f"{port}\n")
    dut._log.info("rvpmu-board-sim listening on socket://%s:%d", *srv.getsockname()[:2])
    parent = params.get("parent_pid")
    idle_limit = params.get("accept_timeout", 300)
    srv.settimeout(1.0)
    try:
        idle = 0.0
        while idle < idle_limit and (parent is None or os.getppid() == parent):
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                idle += 1.0
                continue
            idle = 0.0
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.setblocking(False)
                bfm.received.clear()  # nothing of an earlier client's session
                await _bridge_connection(dut, conn, bfm, byte_ns, srv, parent)
            await Timer(60 * byte_ns, unit="ns")  # let the board finish what it was sending
            bfm.received.clear()
            if params.get("once", False):
                break
    finally:
        srv.close()


def _turn_away(srv):
    """Tell a client that connects while another is served that the board is busy; the socket
    stays open a few seconds (pyserial drops what it read when the peer closes at once)."""
    srv.setblocking(False)
    try:
        other, _ = srv.accept()
    except OSError:
        return None
    finally:
        srv.settimeout(1.0)
    other.setblocking(False)
    return [other, time.monotonic() + BUSY_LINGER, 0.0]


def _tell_busy(turned_away: list) -> None:
    """Repeat SIM_BUSY to each turned-away client (a client resetting its input buffer may
    miss one) and close its socket after ``BUSY_LINGER`` seconds."""
    now = time.monotonic()
    for entry in list(turned_away):
        other, close_at, next_send = entry
        if now >= close_at:
            other.close()
            turned_away.remove(entry)
        elif now >= next_send:
            try:
                other.send(SIM_BUSY)
            except OSError:
                pass
            entry[2] = now + BUSY_REPEAT


BUSY_LINGER = 5.0  # seconds a turned-away client's socket stays open
BUSY_REPEAT = 0.3  # seconds between two SIM_BUSY messages


async def _bridge_connection(dut, conn, bfm: UartBFM, byte_ns: int, srv=None,
                             parent: int | None = None) -> None:
    turned_away: list = []
    try:
        await _serve_connection(dut, conn, bfm, byte_ns, srv, parent, turned_away)
    finally:
        for other, _, _ in turned_away:
            other.close()


class _Client:
    """One connection's bytes: raw UART bytes (``socket://``), or the timed link's messages
    (``rvpmu-sim://``, rvpmu.boards.host.simlink) once the client opened with its preamble."""

    def __init__(self, conn, baud: int):
        self.conn, self.baud, self.timed, self.decided = conn, baud, False, False
        self.pending = b""  # the first bytes, until they show which kind of client this is
        self.decoder = simlink.Decoder()
        self.wait_until: int | None = None  # timed: the client waits until this time (ns)

    def incoming(self, data: bytes, now: int) -> bytes:
        """What of ``data`` goes to the board's UART."""
        if not self.decided:
            self.pending += data
            head = simlink.PREAMBLE[:len(self.pending)]
            if self.pending[:len(simlink.PREAMBLE)] == simlink.PREAMBLE:
                self.timed = self.decided = True
                data = self.pending[len(simlink.PREAMBLE):]
                self.conn.sendall(simlink.encode(simlink.HELLO, now,
                                                 self.baud.to_bytes(4, "little")))
            elif self.pending.startswith(head) and len(self.pending) < len(simlink.PREAMBLE):
                return b""  # not yet known
            else:
                self.decided, data = True, self.pending
                return data
        if not self.timed:
            return data
        out = b""
        for kind, sim_ns, payload in self.decoder.feed(data):
            if kind == simlink.DATA:
                out += payload
            elif kind == simlink.WAIT:  # its time field: how long to wait
                self.wait_until = now + sim_ns
        return out

    def outgoing(self, data: bytes, now: int) -> None:
        if self.timed:
            self.conn.sendall(simlink.encode(simlink.DATA, now, data))
            self.wait_until = None  # answered: a client that wants more asks again
        else:
            self.conn.sendall(data)

    def tick(self, now: int) -> None:
        """Timed: tell a waiting client that its time has come."""
        if self.wait_until is not None and now >= self.wait_until:
            self.conn.sendall(simlink.encode(simlink.TIME, now))
            self.wait_until = None


async def _serve_connection(dut, conn, bfm, byte_ns, srv, parent, turned_away) -> None:
    last_in = -1.0
    polls = 0
    client = _Client(conn, round(1e9 / byte_ns * 10))
    while True:
        now = int(get_sim_time("ns"))
        # timed: the board's answer goes out whole, once the line has been quiet for two
        # byte times (or the client's time has come)
        burst_over = not client.timed or now - bfm.last_rx_ns >= 2 * byte_ns or (
            client.wait_until is not None and now >= client.wait_until)
        try:
            if bfm.received and burst_over:
                client.outgoing(bytes(bfm.received), now)
                bfm.received.clear()
            client.tick(now)
        except OSError:  # the client went away mid-stream (a broken pipe, a reset)
            return
        busy = (last_in > bfm.last_rx_ns or now - bfm.last_rx_ns < 4 * byte_ns
                or int(dut.leds.value) & 0b10 or client.wait_until is not None)
        watch = [conn] + ([srv] if srv is not None else [])
        ready, _, _ = select.select(watch, [], [], 0 if busy else 0.05)
        if srv is not None and srv in ready:
            other = _turn_away(srv)
            if other:
                turned_away.append(other)
        _tell_busy(turned_away)
        polls += 1
        if parent is not None and polls % 16 == 0 and os.getppid() != parent:
            return  # `rvpmu board sim` is gone: stop with it
        if conn in ready:
            try:
                data = conn.recv(4096)
                uart = client.incoming(data, now) if data else b""
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError:
                return
            if data == b"":
                return  # the host closed the connection
            if uart:
                await bfm.send(uart)
                last_in = get_sim_time("ns")
                continue
            if data:
                continue
        if client.wait_until is not None:
            # the client waits: run until the board says something (or, in the middle of its
            # answer, the next byte is due) or the client's time comes (at most WAIT_STEP_NS
            # at a time, to stay responsive)
            step = 2 * byte_ns if bfm.received else WAIT_STEP_NS
            await bfm.byte_or_time(min(client.wait_until - now, step))
            continue
        await Timer(byte_ns, unit="ns")


WAIT_STEP_NS = 1_000_000  # 100,000 cycles of the simulated board's 100 MHz clock
