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

from ..host.checks import check_board, random_check
from ..host.driver import SIM_BUSY, BoardClient
from ..host.faults import FAULTS, FaultyPort
from .bfm import UartBFM
from .link import SimSerial

CLOCK_NS = 10


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


async def _serve_connection(dut, conn, bfm, byte_ns, srv, parent, turned_away) -> None:
    last_in = -1.0
    polls = 0
    while True:
        if bfm.received:
            try:
                conn.sendall(bytes(bfm.received))
            except OSError:  # the client went away mid-stream (a broken pipe, a reset)
                return
            bfm.received.clear()
        now = get_sim_time("ns")
        busy = (last_in > bfm.last_rx_ns or now - bfm.last_rx_ns < 4 * byte_ns
                or int(dut.leds.value) & 0b10)
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
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError:
                return
            if data == b"":
                return  # the host closed the connection
            if data:
                await bfm.send(data)
                last_in = get_sim_time("ns")
                continue
        await Timer(byte_ns, unit="ns")
