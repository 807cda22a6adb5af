"""The SoC: picorv32 + PCPI adapter + PMU + block RAM + a few MMIO registers.

One clock domain. The RAM answers every access one cycle after ``mem_valid`` (so each fetch
and each load/store waits one cycle: the stall events). Programs are either loaded through
the ``load_*`` port while the core is held in reset (simulation: one build runs any program)
or given as the RAM's initial contents (bitstreams). ``mon`` carries every pin the checker
observes (``MON_LAYOUT``): one read per cycle for the cocotb monitor.
"""

from __future__ import annotations

from amaranth.hdl import C, Cat, ClockSignal, Instance, Module, Mux, ResetSignal, Signal
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from rvpmu.config import PMUConfig
from rvpmu.hdl.pmu import PMU

from . import config as soc
from .adapter import PCPIAdapter
from .events import CoreEvents


def mon_layout(cfg: PMUConfig) -> data.StructLayout:
    """The observed pins, in one bit vector (the monitor decodes it with the same layout)."""
    x = cfg.xlen
    return data.StructLayout({
        "req_valid": 1, "req_op": 2, "req_addr": 12, "req_wdata": x, "req_mode": 3,
        "events": len(cfg.events), "retired": 1, "mode": 3, "halt": 1,
        "rsp_valid": 1, "rsp_hit": 1, "rsp_exc": 2, "rsp_rdata": x, "lcofip": 1,
        "mcounteren": 32, "scounteren": 32, "hcounteren": 32,
        "rvfi_valid": 1, "rvfi_insn": 32, "rvfi_pc_rdata": 32, "rvfi_pc_wdata": 32,
        "mem_valid": 1, "mem_instr": 1, "mem_ready": 1,
        "mmio_we": 1, "mmio_addr": 8, "mmio_data": 32, "trap": 1,
    })


PICORV32_PARAMS = {  # docs/integration.md explains each
    "ENABLE_COUNTERS": 0, "ENABLE_COUNTERS64": 0, "ENABLE_PCPI": 1, "ENABLE_MUL": 1,
    "ENABLE_DIV": 1, "ENABLE_IRQ": 1, "ENABLE_IRQ_QREGS": 1, "ENABLE_IRQ_TIMER": 0,
    "CATCH_ILLINSN": 1, "CATCH_MISALIGN": 1, "COMPRESSED_ISA": 0, "BARREL_SHIFTER": 1,
}


class SoC(wiring.Component):
    """``image``: the RAM's initial words (bitstreams); ``swap_events``: two event names
    whose inputs are exchanged, a deliberate wiring mistake the checks must catch."""

    def __init__(self, cfg: PMUConfig = soc.SOC_CONFIG, *, image: list[int] | None = None,
                 ram_bytes: int = soc.RAM_BYTES, swap_events: tuple[str, str] | None = None,
                 uart_divisor: int | None = None):
        self.cfg = cfg
        self.uart_divisor = uart_divisor
        self.image = image or []
        self.depth = ram_bytes // 4
        self.swap_events = swap_events
        self.layout = mon_layout(cfg)
        super().__init__({
            "load_en": In(1), "load_addr": In(range(self.depth)), "load_data": In(32),
            "mmio_we": Out(1), "mmio_addr": Out(8), "mmio_data": Out(32),
            "trap": Out(1),
            "uart_tx": Out(1, init=1),  # with uart_divisor: the console as an 8N1 serial line
            "mon": Out(self.layout.size),
        })

    def elaborate(self, platform):
        m = Module()
        cfg = self.cfg
        m.submodules.pmu = pmu = PMU(cfg)
        m.submodules.adapter = adapter = PCPIAdapter(cfg.xlen)
        names = tuple(e.name for e in cfg.events)
        m.submodules.events = ev = CoreEvents(names)
        m.submodules.ram = ram = Memory(shape=32, depth=self.depth, init=self.image)
        rp = ram.read_port()
        wp = ram.write_port(granularity=8)

        s = {n: Signal(w, name=n) for n, w in (
            ("mem_valid", 1), ("mem_instr", 1), ("mem_addr", 32), ("mem_wdata", 32),
            ("mem_wstrb", 4), ("pcpi_valid", 1), ("pcpi_insn", 32), ("pcpi_rs1", 32),
            ("rvfi_valid", 1), ("rvfi_insn", 32), ("rvfi_pc_rdata", 32),
            ("rvfi_pc_wdata", 32), ("trap", 1))}
        mem_ready = Signal()
        mem_rdata = Signal(32)
        irq = Signal(32)
        m.submodules.cpu = Instance(
            "picorv32",
            **{f"p_{k}": C(v, 1) for k, v in PICORV32_PARAMS.items()},
            p_LATCHED_IRQ=C(0xFFFF_FFFF & ~(1 << soc.IRQ_LCOFI), 32),  # LCOFIP is a level
            p_PROGADDR_RESET=C(soc.PROGADDR_RESET, 32), p_PROGADDR_IRQ=C(soc.PROGADDR_IRQ, 32),
            p_STACKADDR=C(soc.STACK_TOP, 32),
            i_clk=ClockSignal(), i_resetn=~ResetSignal(), o_trap=s["trap"],
            o_mem_valid=s["mem_valid"], o_mem_instr=s["mem_instr"], i_mem_ready=mem_ready,
            o_mem_addr=s["mem_addr"], o_mem_wdata=s["mem_wdata"], o_mem_wstrb=s["mem_wstrb"],
            i_mem_rdata=mem_rdata,
            o_pcpi_valid=s["pcpi_valid"], o_pcpi_insn=s["pcpi_insn"], o_pcpi_rs1=s["pcpi_rs1"],
            i_pcpi_wr=adapter.pcpi_wr, i_pcpi_rd=adapter.pcpi_rd, i_pcpi_wait=adapter.pcpi_wait,
            i_pcpi_ready=adapter.pcpi_ready,
            i_irq=irq,
            o_rvfi_valid=s["rvfi_valid"], o_rvfi_insn=s["rvfi_insn"],
            o_rvfi_pc_rdata=s["rvfi_pc_rdata"], o_rvfi_pc_wdata=s["rvfi_pc_wdata"],
        )
        m.d.comb += irq.eq(pmu.lcofip << soc.IRQ_LCOFI)

        # -- memory: RAM at 0, MMIO at MMIO_BASE; every access answered one cycle later ----
        addr = s["mem_addr"]
        access = s["mem_valid"] & ~mem_ready
        is_ram = addr < soc.RAM_BASE + self.depth * 4
        is_mmio = addr[28:32] == (soc.MMIO_BASE >> 28)
        was_ram = Signal()
        # With a UART, a console write waits until the transmitter takes the byte.
        uart_wait = Signal()
        if self.uart_divisor:
            from rvpmu.boards.gateware.uart import UARTTx

            m.submodules.uart = uart = UARTTx(self.uart_divisor)
            to_uart = access & (addr == soc.MMIO["UART_TX"]) & s["mem_wstrb"].any()
            m.d.comb += [uart.stream.valid.eq(to_uart),
                         uart.stream.payload.eq(s["mem_wdata"][0:8]),
                         uart_wait.eq(to_uart & ~uart.stream.ready),
                         self.uart_tx.eq(uart.tx)]
        m.d.sync += [mem_ready.eq(access & ~uart_wait), was_ram.eq(is_ram)]
        m.d.comb += [
            rp.addr.eq(addr[2:]), rp.en.eq(1),
            mem_rdata.eq(Mux(was_ram, rp.data, 0)),
            wp.addr.eq(Mux(self.load_en, self.load_addr, addr[2:])),
            wp.data.eq(Mux(self.load_en, self.load_data, s["mem_wdata"])),
            wp.en.eq(Mux(self.load_en, 0b1111,
                         Mux(access & is_ram, s["mem_wstrb"], 0))),
        ]
        m.d.comb += [
            self.mmio_we.eq(access & is_mmio & s["mem_wstrb"].any() & ~uart_wait),
            self.mmio_addr.eq(addr[0:8]),
            self.mmio_data.eq(s["mem_wdata"]),
            self.trap.eq(s["trap"]),
        ]

        # -- adapter, events, PMU ---------------------------------------------------------------
        m.d.comb += [
            adapter.pcpi_valid.eq(s["pcpi_valid"]), adapter.pcpi_insn.eq(s["pcpi_insn"]),
            adapter.pcpi_rs1.eq(s["pcpi_rs1"]),
        ]
        wiring.connect(m, adapter.csr_req, pmu.csr_req)
        wiring.connect(m, pmu.csr_rsp, adapter.csr_rsp)
        for n in ("rvfi_valid", "rvfi_insn", "rvfi_pc_rdata", "rvfi_pc_wdata", "mem_valid",
                  "mem_instr"):
            m.d.comb += getattr(ev, n).eq(s[n])
        m.d.comb += [ev.mem_ready.eq(mem_ready), ev.refused.eq(adapter.refused)]
        wired = {n: n for n in names}
        if self.swap_events:
            a, b = self.swap_events
            wired[a], wired[b] = b, a
        for n in names:
            m.d.comb += getattr(pmu.events, n).eq(getattr(ev, wired[n]))
        m.d.comb += [pmu.retired.eq(ev.retired), pmu.halt.eq(0)]  # mode: M (its reset value)

        # -- the monitor bus -------------------------------------------------------------------
        mon = Signal(self.layout)
        req, rsp = pmu.csr_req, pmu.csr_rsp
        m.d.comb += [
            mon.req_valid.eq(req.valid), mon.req_op.eq(req.op), mon.req_addr.eq(req.addr),
            mon.req_wdata.eq(req.wdata), mon.req_mode.eq(req.mode),
            mon.events.eq(Cat(*(getattr(pmu.events, n) for n in names))),
            mon.retired.eq(pmu.retired), mon.mode.eq(pmu.mode), mon.halt.eq(pmu.halt),
            mon.rsp_valid.eq(rsp.valid), mon.rsp_hit.eq(rsp.hit), mon.rsp_exc.eq(rsp.exc),
            mon.rsp_rdata.eq(rsp.rdata), mon.lcofip.eq(pmu.lcofip),
            mon.mcounteren.eq(pmu.mcounteren), mon.scounteren.eq(pmu.scounteren),
            mon.hcounteren.eq(pmu.hcounteren),
            mon.rvfi_valid.eq(s["rvfi_valid"]), mon.rvfi_insn.eq(s["rvfi_insn"]),
            mon.rvfi_pc_rdata.eq(s["rvfi_pc_rdata"]), mon.rvfi_pc_wdata.eq(s["rvfi_pc_wdata"]),
            mon.mem_valid.eq(s["mem_valid"]), mon.mem_instr.eq(s["mem_instr"]),
            mon.mem_ready.eq(mem_ready),
            mon.mmio_we.eq(self.mmio_we), mon.mmio_addr.eq(self.mmio_addr),
            mon.mmio_data.eq(self.mmio_data), mon.trap.eq(s["trap"]),
            self.mon.eq(mon.as_value()),
        ]
        return m
