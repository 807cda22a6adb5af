"""``CommandExecutor``: carries out one checked request frame and answers it.

It owns every control the host has over the board: the PMU's CSR port (one access in a halted
cycle, in the mode the request names, answered with the exception result), the run control
("run exactly N cycles in mode X", optionally stopping right after the cycle that sets LCOFIP),
the event generator's register port, the selection of board inputs as event inputs, a reset of
the PMU side, and the link's error counters. It also answers HELLO (protocol version, board,
clock, link timing, configuration hash) and CONFIG (the configuration's TOML text from a ROM).

A request that repeats the SEQ and CMD of the last executed one (the host retrying after a
lost response) is answered from the stored result without executing again, so a retried CSR
write or run happens exactly once.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, Value
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.hdl.counted import CountedPMU
from rvpmu.hdl.eventgen import GenWriteSignature
from rvpmu.hdl.layouts import CSRRequestSignature, CSRResponseSignature
from rvpmu.hdl.runctl import RunSignature
from rvpmu.model.eventgen import register_count

from .. import protocol as P
from .framing import LEN_WIDTH, FrameSignature, SenderSignature

RESULT_BITS = 8 * P.RESULT_LEN
COUNTER_BITS = 16


def hello_bytes(config: PMUConfig, *, board: int, inputs: int, clk_hz: int, baud: int,
                frame_timeout: int) -> bytes:
    """The HELLO data of a board built with these parameters (``protocol.HELLO_FIELDS``)."""
    text = P.config_text(config)
    return P.pack(P.HELLO_FIELDS, magic=P.MAGIC, version_major=P.VERSION_MAJOR,
                  version_minor=P.VERSION_MINOR, board=board, inputs=inputs, clk_hz=clk_hz,
                  baud=baud, frame_timeout=frame_timeout, config_len=len(text),
                  config_hash=P.config_hash(text))


def data_value(cmd: P.Cmd, **fields) -> Value:
    """The response data of ``cmd`` (``protocol.DATA``) from a value per field (zero-extended
    to the field; a field left out is 0), as the executor's result register holds it."""
    parts = []
    for name, size in P.DATA[cmd]:
        v = Value.cast(fields.pop(name, 0)).as_unsigned()
        assert len(v) <= 8 * size, (cmd, name)
        parts.append(Cat(v, Const(0, 8 * size - len(v))))
    assert not fields, fields
    return Cat(*parts)


class LinkErrorsSignature(wiring.Signature):
    """Link error pulses, counted for STATUS (``protocol.STATUS_FIELDS``), from the side
    that reports them."""

    def __init__(self):
        super().__init__({"crc": Out(1), "length": Out(1), "timeout": Out(1), "uart": Out(1)})


def connect_executor(m: Module, exe: "CommandExecutor", counted: CountedPMU) -> None:
    """Wire the executor to the PMU with its run control and event generator
    (``rvpmu.hdl.counted.CountedPMU``) as the board top has them: the PMU counts, and the
    generator advances, only while a run is active."""
    wiring.connect(m, exe.csr_req, counted.csr_req)
    wiring.connect(m, counted.csr_rsp, exe.csr_rsp)
    wiring.connect(m, exe.run, counted.run)
    wiring.connect(m, exe.gen, counted.gen)
    m.d.comb += [exe.lcofip.eq(counted.lcofip | counted.lcofi_set),  # LCOFIP after this cycle
                 counted.mode.eq(exe.mode), counted.run_ctl.eq(1),
                 counted.gen_run.eq(counted.counting)]


class CommandExecutor(wiring.Component):
    """Requests in (``frame``), responses out (``send``, to a ``FrameSender``); the PMU's CSR
    port and mode, the run control (``run``), the generator (``gen``), the board inputs."""

    def __init__(self, config: PMUConfig, *, board: int = P.Board.SIMULATION, inputs: int = 0,
                 clk_hz: int = 100_000_000, baud: int = 115200, frame_timeout: int = 1000):
        self.config = config
        self.text = P.config_text(config)
        if len(self.text) > 0xFFFF:
            raise ValueError("the configuration text is longer than 65535 bytes")
        if inputs > 32:
            raise ValueError("at most 32 board inputs")
        self.hello = hello_bytes(config, board=board, inputs=inputs, clk_hz=clk_hz, baud=baud,
                                 frame_timeout=frame_timeout)
        self.gen_regs = register_count(config)
        super().__init__({
            "frame": In(FrameSignature()),
            "csr_req": Out(CSRRequestSignature(config.xlen)),
            "csr_rsp": In(CSRResponseSignature(config.xlen)),
            "lcofip": In(1),
            "mode": Out(csr.MODE_WIDTH, init=csr.Mode.M),  # the PMU's mode during a run
            "run": Out(RunSignature()),
            "gen": Out(GenWriteSignature(config)),
            "input_mask": Out(32),
            "input_levels": In(32),
            "soft_reset": Out(1),
            "errors": In(LinkErrorsSignature()),
            "send": Out(SenderSignature()),
        })

    def elaborate(self, platform):
        m = Module()
        cfg = self.config

        # -- the request being served ----------------------------------------------------------
        req = Signal(8 * P.MAX_REQUEST_PAYLOAD)
        length = Signal(LEN_WIDTH)
        crc_ok = Signal()

        def byte(i: int):
            return req[8 * i:8 * i + 8]

        def arg(c: P.Cmd, name: str):
            """Argument ``name`` of command ``c`` (``protocol.ARGS``), after CMD SEQ."""
            pos, size = P.offsets(P.ARGS[c])[name]
            return req[8 * (2 + pos):8 * (2 + pos + size)]

        cmd, seq = byte(0), byte(1)

        # -- response state --------------------------------------------------------------------
        status = Signal(8)
        rsp_len = Signal(LEN_WIDTH)
        result = Signal(RESULT_BITS)
        last_valid = Signal()
        last_seq = Signal(8)
        last_cmd = Signal(8)
        last_status = Signal(8)
        last_len = Signal(LEN_WIDTH)
        offset = Signal(16)

        counters = [Signal(COUNTER_BITS, name=f"count_{n}") for n in P.STATUS_FIELDS]
        e = self.errors
        for c, pulse in zip(counters, (e.crc, e.length, e.timeout, e.uart), strict=True):
            with m.If(pulse):
                m.d.sync += c.eq(c + 1)

        run_stop = Signal()
        run_mode = Signal(csr.MODE_WIDTH, init=csr.Mode.M)
        mask = Signal(32)
        m.d.comb += [self.run.stop_on_lcofip.eq(run_stop), self.mode.eq(run_mode),
                     self.input_mask.eq(mask)]

        def mode_ok(v):
            return Cat(*(v == md for md in cfg.modes)).any()

        def respond(st, n_data):
            m.d.sync += [status.eq(st), rsp_len.eq(3 + n_data)]
            m.next = "RESPOND"

        def record(st, n_data):
            """Respond and remember the response for a retry of this request."""
            respond(st, n_data)
            m.d.sync += [last_valid.eq(cmd.matches(*(int(c) for c in P.REPLAYED))),
                         last_seq.eq(seq), last_cmd.eq(cmd), last_status.eq(st),
                         last_len.eq(3 + n_data)]

        def bad(st):
            respond(st, 0)
            m.d.sync += last_valid.eq(0)

        config_len = len(self.text)
        chunk = Signal(range(P.CONFIG_CHUNK + 1))
        remaining = Const(config_len, 17) - arg(P.Cmd.CONFIG, "offset")
        m.d.comb += chunk.eq(Mux(remaining[16] | (remaining == 0), 0,
                                 Mux(remaining > P.CONFIG_CHUNK, P.CONFIG_CHUNK, remaining)))

        with m.FSM():
            with m.State("IDLE"):
                m.d.comb += self.frame.ready.eq(1)
                with m.If(self.frame.valid):
                    m.d.sync += [req.eq(self.frame.payload), length.eq(self.frame.length),
                                 crc_ok.eq(self.frame.crc_ok)]
                    m.next = "DECODE"
            with m.State("DECODE"):
                replay = last_valid & (seq == last_seq) & (cmd == last_cmd)
                with m.If(~crc_ok):
                    respond(P.Status.BAD_CRC, 0)
                with m.Else():
                    with m.Switch(cmd):
                        for c in P.Cmd:
                            with m.Case(c):
                                with m.If(length != P.MIN_REQUEST_PAYLOAD + P.ARG_LEN[c]):
                                    bad(P.Status.BAD_LENGTH)
                                if c in P.REPLAYED:
                                    with m.Elif(replay):
                                        m.d.sync += [status.eq(last_status),
                                                     rsp_len.eq(last_len)]
                                        m.next = "RESPOND"
                                with m.Else():
                                    self._execute(m, c, arg, mode_ok, respond, record, bad,
                                                  result, counters, mask, run_stop, run_mode,
                                                  offset, chunk, last_valid)
                        with m.Default():
                            bad(P.Status.BAD_COMMAND)
            with m.State("CSR_ISSUE"):  # the access, in a halted cycle of its own
                m.d.comb += self.csr_req.valid.eq(1)
                m.next = "CSR"
            with m.State("CSR"):  # wait for the response (docs/timing.md: a fixed latency)
                rsp = self.csr_rsp
                with m.If(rsp.valid):
                    flags = Mux(rsp.hit, P.FLAG_HIT, 0) | Mux(self.lcofip, P.FLAG_LCOFIP, 0)
                    m.d.sync += result.eq(data_value(P.Cmd.CSR, flags=flags, exc=rsp.exc,
                                                     rdata=rsp.rdata))
                    record(P.Status.OK, P.DATA_LEN[P.Cmd.CSR])
            with m.State("RUN"):
                with m.If(~self.run.busy):
                    m.d.sync += result.eq(data_value(
                        P.Cmd.RUN, cycles=self.run.count,
                        flags=Mux(self.lcofip, P.FLAG_LCOFIP, 0)))
                    record(P.Status.OK, P.DATA_LEN[P.Cmd.RUN])
            with m.State("RESPOND"):
                m.d.comb += [self.send.start.eq(1), self.send.length.eq(rsp_len)]
                m.next = "SENDING"
            with m.State("SENDING"):
                with m.If(~self.send.busy):
                    m.next = "IDLE"

        # -- response bytes, fetched by the sender (two cycles of latency) ----------------------
        m.submodules.rom = rom = memory.Memory(shape=8, depth=config_len, init=list(self.text))
        rp = rom.read_port()
        idx = self.send.index
        m.d.comb += rp.addr.eq(offset + idx - 3)
        data = Signal(8)
        with m.Switch(idx):
            with m.Case(0):
                m.d.comb += data.eq(cmd)
            with m.Case(1):
                m.d.comb += data.eq(seq)
            with m.Case(2):
                m.d.comb += data.eq(status)
            with m.Default():
                with m.Switch(cmd):
                    with m.Case(P.Cmd.HELLO):
                        with m.Switch(idx):
                            for i, b in enumerate(self.hello):
                                with m.Case(3 + i):
                                    m.d.comb += data.eq(b)
                    with m.Case(P.Cmd.CONFIG):
                        m.d.comb += data.eq(rp.data)
                    with m.Default():
                        with m.Switch(idx):
                            for i in range(P.RESULT_LEN):
                                with m.Case(3 + i):
                                    m.d.comb += data.eq(result[8 * i:8 * i + 8])
        m.d.sync += self.send.data.eq(data)
        return m

    def _execute(self, m, c, arg, mode_ok, respond, record, bad, result, counters, mask,
                 run_stop, run_mode, offset, chunk, last_valid):
        """The DECODE-cycle actions of command ``c`` with a well-formed, new request."""
        cfg = self.config
        if c == P.Cmd.HELLO:
            m.d.sync += last_valid.eq(0)  # a new host session: no retry can refer back
            respond(P.Status.OK, P.HELLO_LEN)
        elif c == P.Cmd.CONFIG:
            m.d.sync += [offset.eq(arg(c, "offset")), last_valid.eq(0)]
            respond(P.Status.OK, chunk)
        elif c == P.Cmd.CSR:
            op, mode, addr, wdata = (arg(c, f) for f in ("op", "mode", "addr", "wdata"))
            with m.If((op > 3) | (addr > 0xFFF) | ~mode_ok(mode)):
                bad(P.Status.BAD_ARGUMENT)
            with m.Else():
                r = self.csr_req  # registered: the decode above is not in the PMU's path
                m.d.sync += [r.op.eq(op), r.addr.eq(addr), r.mode.eq(mode),
                             r.wdata.eq(wdata[:cfg.xlen])]
                m.next = "CSR_ISSUE"
        elif c == P.Cmd.RUN:
            cycles, mode, flags = (arg(c, f) for f in ("cycles", "mode", "flags"))
            with m.If(~mode_ok(mode)):
                bad(P.Status.BAD_ARGUMENT)
            with m.Else():
                m.d.comb += [self.run.start.eq(1), self.run.cycles.eq(cycles)]
                m.d.sync += [run_mode.eq(mode),
                             run_stop.eq((flags & P.RUN_STOP_ON_LCOFIP) != 0)]
                m.next = "RUN"
        elif c == P.Cmd.GEN:
            reg, value = arg(c, "register"), arg(c, "value")
            with m.If(reg >= self.gen_regs):
                bad(P.Status.BAD_ARGUMENT)
            with m.Else():
                m.d.comb += [self.gen.wr_en.eq(1), self.gen.wr_addr.eq(reg),
                             self.gen.wr_data.eq(value)]
                record(P.Status.OK, 0)
        elif c == P.Cmd.INPUTS:
            m.d.sync += [mask.eq(arg(c, "mask")),
                         result.eq(data_value(c, levels=self.input_levels))]
            record(P.Status.OK, P.DATA_LEN[P.Cmd.INPUTS])
        elif c == P.Cmd.RESET:
            m.d.comb += self.soft_reset.eq(1)
            m.d.sync += [mask.eq(0), run_mode.eq(csr.Mode.M), run_stop.eq(0)]
            record(P.Status.OK, 0)
        elif c == P.Cmd.STATUS:
            m.d.sync += [result.eq(data_value(c, **dict(zip(P.STATUS_FIELDS, counters)))),
                         last_valid.eq(0)]
            respond(P.Status.OK, P.DATA_LEN[P.Cmd.STATUS])
        else:
            raise AssertionError(c)
