"""The board top on real boards: ULX3S (ECP5) and Arty A7 (Artix-7), via amaranth-boards.

``BoardDesign`` requests the pins (UART, LEDs, buttons, switches) and instantiates
``BoardTop`` with the board's clock; ``BOARDS`` describes each supported board: its
variants, its inputs and LEDs, and the openFPGALoader board name for programming.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Elaboratable, Module
from amaranth.lib import io

from rvpmu.config import PMUConfig

from . import protocol as P
from .gateware.top import BoardTop

DEFAULT_BAUD = 115200


@dataclass(frozen=True)
class BoardSpec:
    name: str  # as on the command line
    title: str
    board: P.Board
    variants: tuple[str, ...]  # first is the default
    buttons: int
    switches: int
    leds: int
    loader: dict[str, str]  # variant -> openFPGALoader `-b` name
    inputs_doc: str  # what board input j is, for the docs and `rvpmu board info`

    def platform(self, variant: str | None = None):
        variant = variant or self.variants[0]
        if variant not in self.variants:
            raise ValueError(f"{self.name} has no variant {variant!r} (choose from "
                             f"{', '.join(self.variants)})")
        if self.board == P.Board.ULX3S:
            from amaranth_boards import ulx3s

            return getattr(ulx3s, f"ULX3S_{variant}_Platform")()
        from amaranth_boards import arty_a7

        return getattr(arty_a7, f"ArtyA7_{variant}Platform")()


BOARDS = {
    "ulx3s": BoardSpec(
        "ulx3s", "Radiona ULX3S (Lattice ECP5, 25 MHz)", P.Board.ULX3S,
        ("85F", "45F", "25F", "12F"), buttons=6, switches=4, leds=8,
        loader={v: "ulx3s" for v in ("85F", "45F", "25F", "12F")},
        inputs_doc="0-5: buttons FIRE1, FIRE2, UP, DOWN, LEFT, RIGHT; 6-9: DIP switches 1-4"),
    "arty": BoardSpec(
        "arty", "Digilent Arty A7 (Xilinx Artix-7, 100 MHz)", P.Board.ARTY_A7,
        ("35", "100"), buttons=4, switches=4, leds=4,
        loader={"35": "arty_a7_35t", "100": "arty_a7_100t"},
        inputs_doc="0-3: buttons BTN0-BTN3; 4-7: switches SW0-SW3"),
}


class BoardDesign(Elaboratable):
    """``BoardTop`` for ``config`` on the board ``spec``, pins requested from the platform."""

    def __init__(self, spec: BoardSpec, config: PMUConfig, baud: int = DEFAULT_BAUD):
        self.spec, self.config, self.baud = spec, config, baud

    def elaborate(self, platform):
        m = Module()
        spec = self.spec
        clk_hz = int(platform.default_clk_frequency)
        # On ECP5 the PMU's counters use the carry cells (hdl/ecp5.py).
        target = "ecp5" if getattr(platform, "family", "") == "ecp5" else "generic"
        m.submodules.board = top = BoardTop(
            self.config, clk_hz=clk_hz, baud=self.baud, board=spec.board,
            buttons=spec.buttons, switches=spec.switches, leds=spec.leds, target=target)
        uart = platform.request("uart", 0, dir="-")
        m.submodules.uart_rx = rx = io.Buffer("i", uart.rx)
        m.submodules.uart_tx = tx = io.Buffer("o", uart.tx)
        m.d.comb += [top.uart_rx.eq(rx.i), tx.o.eq(top.uart_tx)]
        for i in range(spec.leds):
            m.submodules[f"led{i}"] = led = io.Buffer("o", platform.request("led", i, dir="-"))
            m.d.comb += led.o.eq(top.leds[i])
        for i in range(spec.buttons):
            m.submodules[f"button{i}"] = b = io.Buffer("i",
                                                       platform.request("button", i, dir="-"))
            m.d.comb += top.buttons[i].eq(b.i)
        for i in range(spec.switches):
            m.submodules[f"switch{i}"] = s = io.Buffer("i",
                                                       platform.request("switch", i, dir="-"))
            m.d.comb += top.switches[i].eq(s.i)
        return m
