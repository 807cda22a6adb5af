"""Drive the PMU component in the Amaranth simulator and compare every cycle with the model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from amaranth.sim import Simulator

from rvpmu import ports
from rvpmu.hdl import PMU
from rvpmu.model import PMUConfig, PMUPorts, PortInputs
from rvpmu.model.cycle import PortOutputs


def _signal(dut: PMU, pin: str):
    """The signature member behind a pin name of ``rvpmu.ports`` (``csr_req__addr``)."""
    obj = dut
    for part in pin.split("__"):
        obj = getattr(obj, part)
    return obj


def _drive(ctx, dut: PMU, cfg: PMUConfig, inp: PortInputs) -> None:
    for pin, value in ports.input_pins(cfg, inp).items():
        ctx.set(_signal(dut, pin), value)


def _sample(ctx, dut: PMU, cfg: PMUConfig) -> PortOutputs:
    return ports.outputs(cfg, {pin: ctx.get(_signal(dut, pin))
                               for pin, *_ in ports.ports(cfg, direction=ports.OUT)})


def run_lockstep(cfg: PMUConfig, inputs: Iterable[PortInputs], *, label: str = "",
                 vcd: str | None = None) -> Counter:
    """Run ``inputs`` through the gateware and the model; raise on the first mismatch.

    Returns what was exercised: cycles compared, responses by outcome, LCOFIP rises.
    """
    dut = PMU(cfg)
    model = PMUPorts(cfg)
    done: Counter = Counter()
    seq = list(inputs)
    prev_lcofip = [0]

    async def bench(ctx):
        for n, inp in enumerate(seq):
            _drive(ctx, dut, cfg, inp)
            await ctx.tick()
            got = _sample(ctx, dut, cfg)
            want = model.clock(inp)
            if got != want:
                diff = f"model {want}, gateware {got}"
                recent = "\n".join(f"  cycle {j}: {s}" for j, s in
                                   enumerate(seq[max(0, n - 4):n + 1], max(0, n - 4)))
                raise AssertionError(f"{label} cycle {n}: (model, gateware) differ: {diff}\n"
                                     f"last inputs:\n{recent}")
            done["cycles"] += 1
            if want.csr_rsp.valid:
                done["exc" + str(int(want.csr_rsp.exc)) if want.csr_rsp.hit else "miss"] += 1
            if want.lcofip and not prev_lcofip[0]:
                done["lcofip_rise"] += 1
            prev_lcofip[0] = want.lcofip

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    if vcd:
        with sim.write_vcd(vcd):
            sim.run()
    else:
        sim.run()
    return done
