"""``BoardTop``: the PMU behind a UART, board-agnostic (pins are plain ports).

::

    uart_rx -> UARTRx -> FrameParser -> CommandExecutor -> FrameSender -> UARTTx -> uart_tx
                                           |  CSR port, mode
                                           |  run control ---- halt/mode ----+
                                           |  generator registers -> EventGenerator -+-> PMU
                                           |  INPUTS mask -> buttons/switches -------+
    leds: 0 LCOFIP, 1 run in progress, 2 frame received, 3 link error, 4 heartbeat

The PMU, with the generator and the run control (``rvpmu.hdl.counted.CountedPMU``, shared with
the simulation top), is halted except during a run, so every count the host reads is exact and
reproducible. ``rvpmu.boards.platforms`` puts this top on a
real board; the cocotb testbench (``rvpmu.boards.sim``) drives its ports directly.
"""

from __future__ import annotations

from amaranth.hdl import Module, ResetInserter, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rvpmu.config import PMUConfig
from rvpmu.hdl.counted import CountedPMU

from .. import protocol as P
from .executor import CommandExecutor, connect_executor
from .framing import FrameParser, FrameSender
from .inputs import BoardInputs
from .uart import UARTRx, UARTTx, divisor_for

LED_LCOFIP, LED_RUN, LED_FRAME, LED_ERROR, LED_HEARTBEAT = range(5)


def default_frame_timeout(clk_hz: int, divisor: int) -> int:
    """5 ms of silence ends a partial frame, and never less than 20 byte times."""
    return max(clk_hz // 200, 20 * 10 * divisor)


class BoardTop(wiring.Component):
    """The board design for ``config``.

    ``clk_hz`` and ``baud`` set the UART divisor (or give ``divisor`` directly, as the
    simulation does); ``frame_timeout`` (cycles of silence that end a partial frame) and
    ``debounce`` (cycles) default to 5 ms. ``stretch`` is how long (cycles) the frame and
    error LEDs stay lit. ``target`` is the PMU's (``rvpmu.hdl.pmu.TARGETS``).
    """

    def __init__(self, config: PMUConfig, *, clk_hz: int, baud: int,
                 board: int = P.Board.SIMULATION, buttons: int = 0, switches: int = 0,
                 leds: int = 4, divisor: int | None = None, frame_timeout: int | None = None,
                 debounce: int | None = None, stretch: int | None = None,
                 target: str = "generic"):
        self.config = config
        self.clk_hz = int(clk_hz)
        self.baud = int(baud)
        self.divisor = divisor if divisor is not None else divisor_for(clk_hz, baud)
        self.frame_timeout = frame_timeout or default_frame_timeout(self.clk_hz, self.divisor)
        self.debounce = debounce or max(1, self.clk_hz // 200)
        self.stretch = stretch or max(1, self.clk_hz // 20)
        self.n_buttons, self.n_switches, self.n_leds = buttons, switches, leds
        self.board = board
        self.counted = CountedPMU(config, target=target)
        self.executor = CommandExecutor(config, board=board, inputs=buttons + switches,
                                        clk_hz=self.clk_hz, baud=self.baud,
                                        frame_timeout=self.frame_timeout)
        super().__init__({
            "uart_rx": In(1, init=1),
            "uart_tx": Out(1, init=1),
            "buttons": In(max(1, buttons)),
            "switches": In(max(1, switches)),
            "leds": Out(max(1, leds)),
        })

    @property
    def n_inputs(self) -> int:
        return self.n_buttons + self.n_switches

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        m.submodules.rx = rx = UARTRx(self.divisor)
        m.submodules.tx = tx = UARTTx(self.divisor)
        m.submodules.parser = parser = FrameParser(self.frame_timeout)
        m.submodules.sender = sender = FrameSender()
        m.submodules.executor = exe = self.executor
        m.submodules.inputs = inputs = BoardInputs(self.n_buttons, self.n_switches,
                                                   self.debounce)
        # The PMU side restarts from its reset state on the RESET command.
        counted = self.counted
        m.submodules.counted = ResetInserter(exe.soft_reset)(counted)

        # -- link ------------------------------------------------------------------------------
        m.d.comb += [rx.rx.eq(self.uart_rx), self.uart_tx.eq(tx.tx)]
        wiring.connect(m, rx.stream, parser.rx)
        wiring.connect(m, parser.frame, exe.frame)
        wiring.connect(m, sender.tx, tx.stream)
        wiring.connect(m, exe.send, sender.send)
        m.d.comb += [
            exe.errors.crc.eq(parser.err_crc),
            exe.errors.length.eq(parser.err_length),
            exe.errors.timeout.eq(parser.err_timeout),
            exe.errors.uart.eq(rx.framing_error | rx.overrun),
        ]

        # -- the PMU, its events, the run control ------------------------------------------------
        connect_executor(m, exe, counted)
        wired = cfg.events[:self.n_inputs]  # input j may drive event input j (INPUTS mask)
        m.d.comb += [
            inputs.buttons.eq(self.buttons),
            inputs.switches.eq(self.switches),
            inputs.consume.eq(counted.counting),
            exe.input_levels.eq(inputs.levels),
            counted.ext_select.eq(exe.input_mask[:len(wired)]),  # the rest: the generator
        ]
        for k, e in enumerate(wired):
            m.d.comb += getattr(counted.events, e.name).eq(inputs.events[k])

        # -- LEDs ----------------------------------------------------------------------------------
        def stretched(pulse, name):
            left = Signal(range(self.stretch + 1), name=name)
            with m.If(pulse):
                m.d.sync += left.eq(self.stretch)
            with m.Elif(left != 0):
                m.d.sync += left.eq(left - 1)
            return left != 0

        err = parser.err_crc | parser.err_length | parser.err_timeout | rx.framing_error | \
            rx.overrun
        leds = [counted.lcofip, counted.run.busy, stretched(parser.got_frame, "frame_led"),
                stretched(err, "error_led")]
        beat = Signal(max(1, self.clk_hz.bit_length()))
        m.d.sync += beat.eq(beat + 1)
        leds.append(beat[-1])
        for i, v in enumerate(leds[:self.n_leds]):
            m.d.comb += self.leds[i].eq(v)
        return m
