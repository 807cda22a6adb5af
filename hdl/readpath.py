"""The pipelined CSR read path of the PMU (hdl/pmu.py, stages D, A and R).

Reading is where a wide PMU loses its clock (reference section (d): a one-stage 62-way read mux
limits a 29-counter block to about 100 MHz). Here every address maps, at elaboration time, to a
*source* in one of three groups: counters (64 bits wide), event/config registers (a few bits
wide), and the small registers. Stage D registers the group and the index within it; in the
access cycle each group's binary mux tree samples its sources into a register (zero unless
selected); stage R OR-s the groups into the response, adding a split counter's pending carry.
"""

from __future__ import annotations

from amaranth.hdl import C, Cat, Module, Mux, Signal, Value

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import CSRInfo, Kind

GROUPS = ("counters", "registers", "small")


def mux_tree(sources: list[Value], idx: Value, width: int) -> Value:
    """A balanced binary mux over ``sources`` (padded with zeros) selected by ``idx``."""
    level = [Cat(s, C(0, width))[:width] for s in sources]
    bit = 0
    while len(level) > 1:
        if len(level) % 2:
            level.append(C(0, width))
        level = [Mux(idx[bit], b, a) for a, b in zip(level[0::2], level[1::2])]
        bit += 1
    return level[0] if level else C(0, width)


class ReadPath:
    """Adds the read path to a module: ``decode`` per address in stage D, ``build`` once."""

    def __init__(self, config: PMUConfig, cmap: dict[int, CSRInfo]):
        self.config = config
        counters = {csr.CY, csr.IR, *config.hpm_indices}
        keys: dict[int, tuple] = {}
        for addr, info in cmap.items():
            if not info.exists:
                continue
            k = info.kind
            if k in (Kind.COUNTER, Kind.SHADOW):
                key = ("counters", info.index, info.half) if info.index in counters else None
            elif k == Kind.EVENT:
                key = ("registers", info.reg, info.half) \
                    if info.index in config.hpm_indices else None
            elif k == Kind.CFG:
                key = ("registers", info.reg, info.half)
            elif k in (Kind.INHIBIT, Kind.COUNTEREN):
                key = ("small", info.reg, info.half)
            elif k in (Kind.SCOUNTOVF, Kind.MIP):
                key = ("small", k.value, None)
            else:
                raise AssertionError(k)
            keys[addr] = key
        self.keys = keys
        self.sources = {g: sorted({k for k in keys.values() if k and k[0] == g}, key=str)
                        for g in GROUPS}
        n = max([1] + [len(s) for s in self.sources.values()])
        self.sel = Signal(len(GROUPS), name="rd_group")  # stage D, comb: one-hot
        self.idx = Signal(max(1, (n - 1).bit_length()), name="rd_index")
        self.d_sel = Signal(len(GROUPS), name="d_rd_group")  # registered
        self.d_ok = Signal(name="d_rd_ok")  # no exception (but the counter-enable checks)
        self.d_idx = Signal.like(self.idx, name="d_rd_index")
        # The counter group's mux is the widest net fan-out of the PMU: its upper half gets a
        # copy of the index, powered up different so synthesis keeps both.
        self.d_idx_b = Signal(len(self.idx), name="d_rd_index_b",
                              init=(1 << len(self.idx)) - 1)
        self.d_mode = Signal(csr.MODE_WIDTH, name="d_rd_mode")

    def decode(self, m: Module, addr: int | None) -> None:
        """Stage D, inside the request's address case: select this address's source."""
        key = self.keys.get(addr)
        if key is None:  # a miss, or an unimplemented counter or event register: reads 0
            m.d.comb += [self.sel.eq(0), self.idx.eq(0)]
            return
        g = GROUPS.index(key[0])
        m.d.comb += [self.sel.eq(1 << g), self.idx.eq(self.sources[key[0]].index(key))]

    def register(self, m: Module, ok: Value, mode: Value) -> None:
        """Stage D: register the selection (gated: a faulting access or a miss reads 0)."""
        m.d.sync += [self.d_sel.eq(self.sel), self.d_ok.eq(ok), self.d_idx.eq(self.idx),
                     self.d_idx_b.eq(self.idx), self.d_mode.eq(mode)]

    def build(self, m: Module, *, counters: dict, regs: dict[str, Value], of_bits: Value,
              lcofip: Value, d_meta: tuple[Value, Value, Value]) -> tuple[Value, ...]:
        """Stages A and R. Returns the registered (valid, hit, rdata, exc) of the response."""
        cfg = self.config
        xlen = cfg.xlen

        def view(v: Value, half: str | None) -> Value:
            v = Cat(v, C(0, 64))[:64]
            return v[32:] if half == "hi" else v[:32] if half == "lo" else v[:xlen]

        # A split counter's pending carry enters the high half; a narrow one must then wrap.
        pc_pos = 32 if xlen == 64 else 0
        narrow_width = cfg.counter_width - (32 if xlen == 32 else 0)
        narrow = 0 < narrow_width < xlen and cfg.counter_width > 32
        men, hen = regs["mcounteren"][:32], regs["hcounteren"][:32]
        mode = self.d_mode

        def value(key: tuple) -> Value:
            g, name, half = key
            if g == "counters":
                ctr = counters[name]
                has_hi = half != "lo" and ctr.split
                nar = narrow and has_hi and name not in (csr.CY, csr.IR)
                return Cat(view(ctr.raw, half), ctr.pc if has_hi else C(0, 1), C(int(nar), 1))
            if name == Kind.SCOUNTOVF.value:
                return Mux(mode == csr.Mode.M, of_bits,
                           Mux(mode == csr.Mode.VS, of_bits & men & hen, of_bits & men))
            if name == Kind.MIP.value:
                return lcofip << csr.MIP_LCOFIP_BIT
            if g == "small":  # 32-bit registers (the upper half of the signal never sets)
                return view(regs[name][:32], half)
            return view(regs[name], half)

        groups = []
        for g, sources in self.sources.items():
            width = xlen + 2 if g == "counters" else xlen
            reg = Signal(width, name=f"rd_{g}")
            values = [value(k) for k in sources]
            if g == "counters" and width > 16:
                half = width // 2
                tree = Cat(mux_tree([v[:half] for v in values], self.d_idx, half),
                           mux_tree([v[half:] for v in values], self.d_idx_b, width - half))
            else:
                tree = mux_tree(values, self.d_idx, width)
            m.d.sync += reg.eq(Mux(self.d_sel[GROUPS.index(g)] & self.d_ok, tree, 0))
            groups.append(reg)
        ctr = groups[0]
        merged = groups[0][:xlen] | groups[1] | groups[2]
        pc, nar = ctr[xlen], ctr[xlen + 1]
        total = Cat(merged[:pc_pos], merged[pc_pos:] + pc)[:xlen] if pc_pos else \
            (merged + pc)[:xlen]
        if narrow:
            total = Mux(nar, total[:narrow_width], total)

        a_valid, a_hit, a_exc = Signal(), Signal(), Signal(csr.EXC_WIDTH)
        d_valid, d_hit, d_exc = d_meta
        m.d.sync += [a_valid.eq(d_valid), a_hit.eq(d_hit), a_exc.eq(d_exc)]
        rsp = Signal(1, name="rsp_valid"), Signal(1, name="rsp_hit"), \
            Signal(xlen, name="rsp_rdata"), Signal(csr.EXC_WIDTH, name="rsp_exc")
        # A read that faulted in the access cycle (a counter-enable check) answers 0.
        m.d.sync += [rsp[0].eq(a_valid), rsp[1].eq(a_hit), rsp[2].eq(Mux(a_exc.any(), 0, total)),
                     rsp[3].eq(a_exc)]
        return rsp
