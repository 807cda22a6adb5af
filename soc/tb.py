"""The cocotb test that runs one program on the SoC (started by ``rvpmu.soc.runner``).

It loads the program's words through the SoC's load port with the core in reset, releases
reset and samples the ``mon`` pins every cycle at the falling edge (between two rising edges,
where every registered value is settled) into ``rvpmu.soc.monitor.Monitor``, until the program
writes its exit code, the core halts, the model disagrees, or the cycle bound is hit. The
report (JSON) holds everything the host prints and checks.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from rvpmu.config import PMUConfig
from rvpmu.sim.clocktop import CLOCK_NS

from .check import cross_check
from .monitor import Monitor

DRAIN_CYCLES = 8  # after the exit write: responses and increments in flight are still checked


@cocotb.test()
async def run_program(dut):
    params = json.loads(os.environ["RVPMU_SOC_PARAMS"])
    cfg = PMUConfig.from_toml(params["config"])
    image = {int(k): v for k, v in json.loads(Path(params["image"]).read_text()).items()}
    max_cycles = params["max_cycles"]
    cocotb.start_soon(Clock(dut.clk, CLOCK_NS, unit="ns").start())
    dut.rst.value = 1
    dut.load_en.value = 1
    for addr, word in sorted(image.items()):
        dut.load_addr.value = addr
        dut.load_data.value = word
        await RisingEdge(dut.clk)
    dut.load_en.value = 0
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst.value = 0
    mon = Monitor(cfg)
    uart = UARTLine(params["uart_divisor"]) if params["uart_divisor"] else None
    t0 = time.perf_counter()
    stop = None
    # The cycle between this falling edge and the first rising edge out of reset is the
    # first one the PMU counts: sample it (nothing in ``mon`` depends on rst combinationally).
    while stop is None:
        mon.sample(*_value(dut.mon.value))
        if uart:
            uart.sample(int(dut.uart_tx.value))
        await FallingEdge(dut.clk)
        if mon.mismatch:
            stop = "mismatch"
        elif mon.exit_code is not None:
            for _ in range(DRAIN_CYCLES + (12 * uart.divisor if uart else 0)):
                await FallingEdge(dut.clk)
                mon.sample(*_value(dut.mon.value))
                if uart:
                    uart.sample(int(dut.uart_tx.value))
            stop = "mismatch" if mon.mismatch else "exit"
        elif mon.trapped_core:
            stop = "core_trap"
        elif mon.cycle >= max_cycles:
            stop = "max_cycles"
    seconds = time.perf_counter() - t0
    passed, failed = cross_check(cfg, mon.marks, mon.results, mon.requests)
    report = {
        "stop": stop, "exit_code": mon.exit_code, "cycles": mon.cycle,
        "seconds": round(seconds, 3), "accesses": mon.accesses,
        "reads_checked": mon.reads_checked, "mismatch": mon.mismatch,
        "output": mon.output.decode("latin-1"), "samples": mon.samples,
        "lcofip_rises": mon.lcofip_rises, "refusals": mon.refusals,
        "instret": mon.totals["instret"],
        "cross_check": {"passed": passed, "failed": failed},
        "accesses_by_op": _by_op(mon.requests),
    }
    if uart:
        report["uart_output"] = uart.received.decode("latin-1")
        report["uart_errors"] = uart.errors
    Path(params["report"]).write_text(json.dumps(report, indent=1))
    assert stop == "exit", f"run stopped: {stop}"


class UARTLine:
    """Decodes the ``uart_tx`` pin (8N1, ``divisor`` cycles per bit), sampled every cycle:
    what a terminal on the board's serial port would read."""

    def __init__(self, divisor: int):
        self.divisor = divisor
        self.received = bytearray()
        self.errors = 0
        self.wait = None  # cycles to the middle of the next bit, or None when idle
        self.bits: list[int] = []

    def sample(self, level: int) -> None:
        if self.wait is None:
            if level == 0:  # a start bit begins: the middle of data bit 0 is 1.5 bits on
                self.wait, self.bits = self.divisor + self.divisor // 2 - 1, []
            return
        if self.wait:
            self.wait -= 1
            return
        if len(self.bits) < 8:
            self.bits.append(level)
            self.wait = self.divisor - 1
            return
        if level == 1:  # stop bit
            self.received.append(sum(b << i for i, b in enumerate(self.bits)))
        else:
            self.errors += 1
        self.wait = None


_ZERO_X = str.maketrans("xXzZuUwW-", "000000000")
_MASK_X = str.maketrans("01xXzZuUwW-", "001111111111"[:11])


def _value(v) -> tuple[int, int]:
    """(value with X/Z as 0, mask of the X/Z bits): picorv32 leaves some registers
    uninitialised on Icarus (bus data before the first store, RVFI fields before the first
    retirement); the monitor fails if one of them reaches a pin it checks."""
    try:
        return int(v), 0
    except ValueError:
        s = str(v)
        return int(s.translate(_ZERO_X), 2), int(s.translate(_MASK_X), 2)


def _by_op(requests) -> dict[str, int]:
    from rvpmu import csr

    out: dict[str, int] = {}
    for _c, _a, op, _t, _w in requests:
        name = csr.CSROp(op).name
        out[name] = out.get(name, 0) + 1
    return out
