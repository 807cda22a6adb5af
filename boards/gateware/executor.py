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

from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.hdl.layouts import CSRRequestSignature, CSRResponseSignature
from rvpmu.hdl.runctl import COUNT_WIDTH
from rvpmu.model.eventgen import register_count

from .. import protocol as P
from .framing import LEN_WIDTH, FrameSignature

RESULT_BITS = 8 * P.RESULT_LEN
COUNTER_BITS = 16


def hello_bytes(config: PMUConfig, *, board: int, inputs: int, clk_hz: int, baud: int,
                frame_timeout: int) -> bytes:
    """The HELLO data of a board built with these parameters (``protocol.HELLO_FIELDS``)."""
    text = P.config_text(config)
    values = {
        "magic": P.MAGIC, "version_major": P.VERSION_MAJOR, "version_minor": P.VERSION_MINOR,
        "board": board, "inputs": inputs, "clk_hz": clk_hz, "baud": baud,
        "frame_timeout": frame_timeout, "config_len": len(text),
        "config_hash": P.config_hash(text),
    }
    out = b""
    for name, size in P.HELLO_FIELDS:
        v = values[name]
        out += v if isinstance(v, bytes) else int(v).to_bytes(size, "little")
    assert len(out) == P.HELLO_LEN
    return out


class CommandExecutor(wiring.Component):
    """Requests in (``frame``), responses out (``send_*`` to a ``FrameSender``)."""

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
            "run_start": Out(1),
            "run_cycles": Out(COUNT_WIDTH),
            "run_stop_on_lcofip": Out(1),
            "run_mode": Out(csr.MODE_WIDTH, init=csr.Mode.M),
            "run_busy": In(1),
            "run_count": In(COUNT_WIDTH),
            "gen_wr_en": Out(1),
            "gen_wr_addr": Out(max(1, (self.gen_regs - 1).bit_length())),
            "gen_wr_data": Out(32),
            "input_mask": Out(32),
            "input_levels": In(32),
            "soft_reset": Out(1),
            # link error pulses, counted for STATUS: CRC, length, timeout, UART
            "err_crc": In(1),
            "err_length": In(1),
            "err_timeout": In(1),
            "err_uart": In(1),
            "send_start": Out(1),
            "send_length": Out(LEN_WIDTH),
            "send_index": In(range(P.MAX_RESPONSE_PAYLOAD)),
            "send_data": Out(8),
            "send_busy": In(1),
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

        def arg(offset: int, size: int):
            return req[8 * (2 + offset):8 * (2 + offset + size)]

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
        for c, pulse in zip(counters, (self.err_crc, self.err_length, self.err_timeout,
                                       self.err_uart)):
            with m.If(pulse):
                m.d.sync += c.eq(c + 1)

        run_stop = Signal()
        run_mode = Signal(csr.MODE_WIDTH, init=csr.Mode.M)
        mask = Signal(32)
        m.d.comb += [self.run_stop_on_lcofip.eq(run_stop), self.run_mode.eq(run_mode),
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
        remaining = Const(config_len, 17) - arg(0, 2)
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
                    flags = Cat(rsp.hit, self.lcofip, Const(0, 6))
                    m.d.sync += result.eq(Cat(flags, rsp.exc, Const(0, 8 - csr.EXC_WIDTH),
                                              rsp.rdata, Const(0, 64 - cfg.xlen)))
                    record(P.Status.OK, P.DATA_LEN[P.Cmd.CSR])
            with m.State("RUN"):
                with m.If(~self.run_busy):
                    flags = Cat(Const(0, 1), self.lcofip, Const(0, 6))
                    m.d.sync += result.eq(Cat(self.run_count, flags))
                    record(P.Status.OK, P.DATA_LEN[P.Cmd.RUN])
            with m.State("RESPOND"):
                m.d.comb += [self.send_start.eq(1), self.send_length.eq(rsp_len)]
                m.next = "SENDING"
            with m.State("SENDING"):
                with m.If(~self.send_busy):
                    m.next = "IDLE"

        # -- response bytes, fetched by the sender (two cycles of latency) ----------------------
        m.submodules.rom = rom = memory.Memory(shape=8, depth=config_len, init=list(self.text))
        rp = rom.read_port()
        idx = self.send_index
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
        m.d.sync += self.send_data.eq(data)
        return m

    def _execute(self, m, c, arg, mode_ok, respond, record, bad, result, counters, mask,
                 run_stop, run_mode, offset, chunk, last_valid):
        """The DECODE-cycle actions of command ``c`` with a well-formed, new request."""
        cfg = self.config
        if c == P.Cmd.HELLO:
            m.d.sync += last_valid.eq(0)  # a new host session: no retry can refer back
            respond(P.Status.OK, P.HELLO_LEN)
        elif c == P.Cmd.CONFIG:
            m.d.sync += [offset.eq(arg(0, 2)), last_valid.eq(0)]
            respond(P.Status.OK, chunk)
        elif c == P.Cmd.CSR:
            op, mode, addr, wdata = arg(0, 1), arg(1, 1), arg(2, 2), arg(4, 8)
            with m.If((op > 3) | (addr > 0xFFF) | ~mode_ok(mode)):
                bad(P.Status.BAD_ARGUMENT)
            with m.Else():
                r = self.csr_req  # registered: the decode above is not in the PMU's path
                m.d.sync += [r.op.eq(op), r.addr.eq(addr), r.mode.eq(mode),
                             r.wdata.eq(wdata[:cfg.xlen])]
                m.next = "CSR_ISSUE"
        elif c == P.Cmd.RUN:
            cycles, mode, flags = arg(0, 4), arg(4, 1), arg(5, 1)
            with m.If(~mode_ok(mode)):
                bad(P.Status.BAD_ARGUMENT)
            with m.Else():
                m.d.comb += [self.run_start.eq(1), self.run_cycles.eq(cycles)]
                m.d.sync += [run_mode.eq(mode), run_stop.eq(flags[0])]
                m.next = "RUN"
        elif c == P.Cmd.GEN:
            reg, value = arg(0, 2), arg(2, 4)
            with m.If(reg >= self.gen_regs):
                bad(P.Status.BAD_ARGUMENT)
            with m.Else():
                m.d.comb += [self.gen_wr_en.eq(1), self.gen_wr_addr.eq(reg),
                             self.gen_wr_data.eq(value)]
                record(P.Status.OK, 0)
        elif c == P.Cmd.INPUTS:
            m.d.sync += [mask.eq(arg(0, 4)), result.eq(self.input_levels)]
            record(P.Status.OK, P.DATA_LEN[P.Cmd.INPUTS])
        elif c == P.Cmd.RESET:
            m.d.comb += self.soft_reset.eq(1)
            m.d.sync += [mask.eq(0), run_mode.eq(csr.Mode.M), run_stop.eq(0)]
            record(P.Status.OK, 0)
        elif c == P.Cmd.STATUS:
            m.d.sync += [result.eq(Cat(*counters)), last_valid.eq(0)]
            respond(P.Status.OK, P.DATA_LEN[P.Cmd.STATUS])
        else:
            raise AssertionError(c)
