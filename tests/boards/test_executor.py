"""CommandExecutor with the real PMU, run control and generator (``CountedPMU``) behind it
(no UART): every
command's answer, the exception result of a CSR access, argument/length/command/CRC errors,
exact runs, and a repeated request answered from the stored result instead of executing twice.
"""

import tomllib

from amaranth.hdl import Module, ResetInserter
from amaranth.lib import wiring

from rvpmu import csr
from rvpmu.boards import protocol as P
from rvpmu.boards.gateware.executor import CommandExecutor, connect_executor, hello_bytes
from rvpmu.boards.gateware.framing import FrameSender
from rvpmu.boards.host.framing import FrameDecoder
from rvpmu.config import EventInput, PMUConfig
from rvpmu.hdl.counted import CountedPMU

from .amaranth_sim import byte_sink, simulate

CFG = PMUConfig(xlen=64, num_counters=2, counter_width=16, events=(EventInput("a"),))
S, M, VS = csr.Mode.S, csr.Mode.M, csr.Mode.VS


def harness():
    m = Module()
    exe = CommandExecutor(CFG, clk_hz=1_000_000, baud=9600, frame_timeout=77)
    m.submodules.exe = exe
    m.submodules.sender = sender = FrameSender()
    counted = CountedPMU(CFG)  # every event line from the generator (ext_select 0)
    m.submodules.counted = ResetInserter(exe.soft_reset)(counted)  # as the board top does
    wiring.connect(m, exe.send, sender.send)
    connect_executor(m, exe, counted)
    m.d.comb += exe.input_levels.eq(0x5)
    return m, exe, sender


def run_requests(requests):
    """requests: (payload bytes, crc_ok). Returns the decoded response payloads."""
    m, exe, sender = harness()
    out = bytearray()

    async def bench(ctx):
        for payload, ok in requests:
            ctx.set(exe.frame.payload, int.from_bytes(payload.ljust(P.MAX_REQUEST_PAYLOAD,
                                                                    b"\0"), "little"))
            ctx.set(exe.frame.length, len(payload))
            ctx.set(exe.frame.crc_ok, ok)
            ctx.set(exe.frame.valid, 1)
            await ctx.tick().until(exe.frame.ready)
            ctx.set(exe.frame.valid, 0)
            await ctx.tick().repeat(3)
            while ctx.get(sender.send.busy) or not ctx.get(exe.frame.ready):
                await ctx.tick()

    simulate(m, bench, background=[byte_sink(sender.tx, out)], period=1e-6)
    frames = FrameDecoder().feed(bytes(out))
    assert all(f.crc_ok for f in frames)
    return [f.payload for f in frames]


def req(cmd, seq, args=b""):
    return (bytes([cmd, seq]) + args, True)


def csr_req(seq, op, addr, mode=M, wdata=0):
    return req(P.Cmd.CSR, seq, bytes([op, mode]) + addr.to_bytes(2, "little") +
               wdata.to_bytes(8, "little"))


def run_req(seq, cycles, mode=M, stop=0):
    return req(P.Cmd.RUN, seq, cycles.to_bytes(4, "little") + bytes([mode, stop]))


def test_hello_and_config():
    text = P.config_text(CFG)
    reqs = [req(P.Cmd.HELLO, 1)] + [req(P.Cmd.CONFIG, 2 + i, (32 * i).to_bytes(2, "little"))
                                    for i in range(len(text) // 32 + 2)]
    rsp = run_requests(reqs)
    assert rsp[0] == bytes([P.Cmd.HELLO, 1, P.Status.OK]) + hello_bytes(
        CFG, board=P.Board.SIMULATION, inputs=0, clk_hz=1_000_000, baud=9600, frame_timeout=77)
    got = b"".join(r[3:] for r in rsp[1:])
    assert got == text and rsp[-1][3:] == b""  # past the end: no data
    assert PMUConfig.from_dict(tomllib.loads(got.decode())) == CFG


def test_csr_access_with_exception_result_and_errors():
    R, W = csr.CSROp.READ, csr.CSROp.WRITE
    rsp = run_requests([
        csr_req(1, W, csr.MCYCLE, M, 41),
        csr_req(2, R, csr.MCYCLE, M),
        csr_req(3, R, csr.CYCLE, S),  # mcounteren = 0: S-mode cycle read is illegal
        csr_req(4, R, 0x7C0, M),  # not a PMU CSR: no hit
        csr_req(5, R, csr.MCYCLE, 2),  # mode 2 does not exist: BAD_ARGUMENT
        csr_req(6, 4, csr.MCYCLE, M),  # op 4: BAD_ARGUMENT
        csr_req(7, R, 0x1000, M),  # 13-bit address: BAD_ARGUMENT
        req(P.Cmd.CSR, 8, b"\0" * 11),  # one byte short: BAD_LENGTH
        req(0x77, 9),  # BAD_COMMAND
        (bytes([P.Cmd.CSR, 10]) + b"\0" * 12, False),  # BAD_CRC
        req(P.Cmd.STATUS, 11),
    ])
    status = [r[2] for r in rsp]
    assert status == [0, 0, 0, 0, 4, 4, 4, 3, 2, 1, 0]
    flags, exc, rdata = rsp[1][3], rsp[1][4], int.from_bytes(rsp[1][5:13], "little")
    assert (flags & P.FLAG_HIT, exc, rdata) == (P.FLAG_HIT, csr.Exc.NONE, 41)
    assert rsp[2][3] & P.FLAG_HIT and rsp[2][4] == csr.Exc.ILLEGAL_INSTRUCTION
    assert rsp[3][3] & P.FLAG_HIT == 0
    assert [r[:2] for r in rsp] == [bytes([c, s]) for c, s in [
        (P.Cmd.CSR, 1), (P.Cmd.CSR, 2), (P.Cmd.CSR, 3), (P.Cmd.CSR, 4), (P.Cmd.CSR, 5),
        (P.Cmd.CSR, 6), (P.Cmd.CSR, 7), (P.Cmd.CSR, 8), (0x77, 9), (P.Cmd.CSR, 10),
        (P.Cmd.STATUS, 11)]]


def test_runs_are_exact_and_a_repeat_is_answered_not_executed():
    R, W = csr.CSROp.READ, csr.CSROp.WRITE
    rsp = run_requests([
        run_req(1, 25, VS),
        csr_req(2, R, csr.MCYCLE),
        run_req(3, 10), run_req(3, 10),  # the same SEQ and CMD: a retry, not a new run
        csr_req(4, R, csr.MCYCLE),
        csr_req(5, csr.CSROp.SET, csr.MCYCLE, M, 0x100),
        csr_req(5, csr.CSROp.SET, csr.MCYCLE, M, 0x100),  # a retry again
        csr_req(6, R, csr.MCYCLE),
        req(P.Cmd.GEN, 7, (999).to_bytes(2, "little") + bytes(4)),  # no such register
        req(P.Cmd.INPUTS, 8, (3).to_bytes(4, "little")),
        req(P.Cmd.RESET, 9),
        csr_req(10, R, csr.MCYCLE),
        run_req(11, 0),
        # a counter one below the wrap, counting cycles: the run stops right after LCOFIP
        csr_req(12, W, csr.mhpmevent(3), M, csr.EVENT_CYCLES),
        csr_req(13, W, csr.mhpmcounter(3), M, 0xFFFD),
        run_req(14, 100, M, P.RUN_STOP_ON_LCOFIP),
    ])

    def value(r):
        return int.from_bytes(r[5:13], "little")

    def cycles(r):
        return int.from_bytes(r[3:7], "little"), bool(r[7] & P.FLAG_LCOFIP)

    assert cycles(rsp[0]) == (25, False)
    assert value(rsp[1]) == 25  # VS-mode cycles count in mcycle (no filter set)
    assert cycles(rsp[2]) == cycles(rsp[3]) == (10, False)
    assert value(rsp[4]) == 35  # ran once
    assert value(rsp[5]) == value(rsp[6]) == 35  # the repeated SET answers the first's result
    assert value(rsp[7]) == 0x123
    assert rsp[8][2] == P.Status.BAD_ARGUMENT
    assert rsp[9][2] == 0 and int.from_bytes(rsp[9][3:7], "little") == 5
    assert value(rsp[11]) == 0  # RESET cleared the PMU
    assert cycles(rsp[12]) == (0, False)
    assert cycles(rsp[15]) == (3, True)
