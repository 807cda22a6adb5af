"""The read path (hdl/readpath.py) on its own: every readable CSR, in every mode that may read
it, returns what the hart model reads, two cycles after the request, back to back.

The state the read path samples is the model's, set by CSR writes with random data (so WARL
fields are legal); a split counter's value is offered as the raw halves plus a pending carry.
"""

import random

import pytest
from amaranth.sim import Simulator

from rvpmu import csr
from rvpmu.csrmap import csr_map
from rvpmu.hdl.readpath import ReadPath, counter_widths, readable_registers
from rvpmu.model import HartPMU, PMUConfig
from rvpmu.model.errors import CSRAccessFault

CONFIGS = {
    "default": (PMUConfig(), False),
    "default-split": (PMUConfig(), True),
    "rv32-split": (PMUConfig(xlen=32), True),
    "rv32-w40-noh-split": (PMUConfig(xlen=32, counter_width=40, has_h=False), True),
    "rv64-w40-split": (PMUConfig(counter_width=40), True),
    "rv64-noext-5ctr": (PMUConfig(num_counters=5, sscofpmf=False, smcntrpmf=False), False),
    "rv64-0ctr": (PMUConfig(num_counters=0), False),
}


def random_state(cfg: PMUConfig, rng: random.Random) -> HartPMU:
    hart = HartPMU(cfg)
    for addr, info in csr_map(cfg).items():
        if info.exists and info.writable and not info.read_only:
            hart.csr_write(addr, rng.getrandbits(cfg.xlen), "M")
    for i in hart.counters:  # values near a half boundary too, where a pending carry matters
        w = counter_widths(cfg)[i]
        hart.counters[i] = rng.choice([rng.getrandbits(w), (0xFFFF_FFFF + rng.randrange(3))
                                       & ((1 << w) - 1)])
    return hart


def requests(cfg: PMUConfig, hart: HartPMU, rng: random.Random):
    """(valid, addr, mode, expected read or None) in a shuffled order, with idle cycles (a
    random address and mode, not valid) between some of them."""
    out = []
    for addr, info in csr_map(cfg).items():
        for mode in cfg.modes:
            try:
                out.append((1, addr, mode, hart.csr_read(addr, mode)))
            except CSRAccessFault:
                pass
    rng.shuffle(out)
    mixed = []
    for req in out:
        if rng.random() < 0.2:
            mixed.append((0, rng.getrandbits(12), rng.choice(cfg.modes), None))
        mixed.append(req)
    return mixed


@pytest.mark.parametrize("name", CONFIGS)
def test_reads_match_model(name):
    cfg, split = CONFIGS[name]
    rng = random.Random(name)
    hart = random_state(cfg, rng)
    widths = counter_widths(cfg)
    split_idx = [i for i, w in widths.items() if w > 32] if split else []
    dut = ReadPath(cfg, split=split_idx)
    reqs = requests(cfg, hart, rng)
    assert sum(1 for r in reqs if r[0]) > 20
    checked = []

    async def bench(ctx):
        for i, w in widths.items():
            value = hart.counters[i]
            if i in split_idx:  # raw = value with the pending carry not yet in the high half
                pc = rng.randrange(2)
                ctx.set(getattr(dut, f"pc{i}"), pc)
                value = (value - (pc << 32)) % (1 << w)
            ctx.set(getattr(dut, f"counter{i}"), value)
        for name_, width in readable_registers(cfg).items():
            if name_.startswith("mhpmevent"):
                value = hart.mhpmevent[int(name_[9:])]
            elif name_ in ("mcyclecfg", "minstretcfg"):
                value = hart.cfg[csr.CY if name_ == "mcyclecfg" else csr.IR]
            elif name_ == "mcountinhibit":
                value = hart.mcountinhibit
            else:
                value = hart.counteren[name_]
            ctx.set(getattr(dut, name_), value & ((1 << width) - 1))
        ctx.set(dut.of_bits, hart.scountovf())
        ctx.set(dut.lcofip, hart.lcofip)
        pipe = []
        for req in reqs + [(0, 0, csr.Mode.M, None)]:
            valid, addr, mode, _ = req
            ctx.set(dut.valid, valid)
            ctx.set(dut.addr, addr)
            ctx.set(dut.mode, mode)
            await ctx.tick()
            pipe.append(req)
            if valid:  # this request, registered (stage D)
                assert ctx.get(dut.req_addr) == addr and ctx.get(dut.req_mode) == mode
                assert ctx.get(dut.req_index) == addr & 0x1F
            if len(pipe) >= 2 and pipe[-2][0]:  # the previous request, sampled (stage A)
                _, a, md, want = pipe[-2]
                got = ctx.get(dut.rdata)
                assert got == want, f"{name}: read of 0x{a:03X} in {md.name}: " \
                    f"0x{got:X}, model 0x{want:X}"
                checked.append(a)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    assert len(checked) == sum(1 for r in reqs if r[0])

