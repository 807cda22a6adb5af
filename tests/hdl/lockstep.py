"""Drive the PMU component in the Amaranth simulator and compare every cycle with the model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from amaranth.sim import Simulator

from rvpmu.hdl import PMU
from rvpmu.model import PMUConfig, PMUPorts, PortInputs
from rvpmu.model.cycle import PortOutputs


def _drive(ctx, dut: PMU, cfg: PMUConfig, inp: PortInputs) -> None:
    req = inp.csr_req
    ctx.set(dut.csr_req.valid, req is not None)
    if req is not None:
        ctx.set(dut.csr_req.addr, req.addr)
        ctx.set(dut.csr_req.op, int(req.op))
        ctx.set(dut.csr_req.wdata, req.wdata)
        ctx.set(dut.csr_req.mode, int(req.mode))
    counts = inp.events or (0,) * len(cfg.events)
    for e, n in zip(cfg.events, counts):
        ctx.set(getattr(dut.events, e.name), n)
    ctx.set(dut.retired, inp.retired)
    ctx.set(dut.mode, int(inp.mode))
    ctx.set(dut.halt, inp.halt)


def _sample(ctx, dut: PMU) -> dict:
    return {
        "csr_rsp.valid": ctx.get(dut.csr_rsp.valid),
        "csr_rsp.hit": ctx.get(dut.csr_rsp.hit),
        "csr_rsp.rdata": ctx.get(dut.csr_rsp.rdata),
        "csr_rsp.exc": ctx.get(dut.csr_rsp.exc),
        "lcofip": ctx.get(dut.lcofip),
        "mcounteren": ctx.get(dut.mcounteren),
        "scounteren": ctx.get(dut.scounteren),
        "hcounteren": ctx.get(dut.hcounteren),
    }


def _expected(out: PortOutputs) -> dict:
    r = out.csr_rsp
    return {
        "csr_rsp.valid": int(r.valid), "csr_rsp.hit": int(r.hit), "csr_rsp.rdata": r.rdata,
        "csr_rsp.exc": int(r.exc), "lcofip": int(out.lcofip), "mcounteren": out.mcounteren,
        "scounteren": out.scounteren, "hcounteren": out.hcounteren,
    }


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
            got = _sample(ctx, dut)
            want = _expected(model.clock(inp))
            if got != want:
                diff = {k: (hex(want[k]), hex(got[k])) for k in want if want[k] != got[k]}
                recent = "\n".join(f"  cycle {j}: {s}" for j, s in
                                   enumerate(seq[max(0, n - 4):n + 1], max(0, n - 4)))
                raise AssertionError(f"{label} cycle {n}: (model, gateware) differ: {diff}\n"
                                     f"last inputs:\n{recent}")
            done["cycles"] += 1
            if want["csr_rsp.valid"]:
                done["exc" + str(want["csr_rsp.exc"]) if want["csr_rsp.hit"] else "miss"] += 1
            if want["lcofip"] and not prev_lcofip[0]:
                done["lcofip_rise"] += 1
            prev_lcofip[0] = want["lcofip"]

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    if vcd:
        with sim.write_vcd(vcd):
            sim.run()
    else:
        sim.run()
    return done
