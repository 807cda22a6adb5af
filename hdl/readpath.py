"""The pipelined CSR read path of the PMU (hdl/pmu.py, stages A and R).

Reading is where a wide PMU loses its clock (reference section (d): a one-stage 62-way read mux
limits a 29-counter block to about 100 MHz). Little here decodes the request in its own cycle:
the CSR map puts every counter at ``page + N`` and every event/config register at
``0x320 + N``, so the five low address bits *are* the read index and the request only needs
registering (stage D). Each address maps, at elaboration time, to a *source* in one of three
groups: counters (64 bits wide), event/config registers (indexed the same way) and the few
small registers (compared in full in stage D). In the access cycle (A) each group samples its source into
a register, straight from the registered address bits; the group a request belongs to and its
access check are registered beside them. Stage R merges the groups into the response (adding a
generic split counter's pending carry) and zeroes it on a miss or an exception.
"""

from __future__ import annotations

from amaranth.hdl import C, Cat, Module, Mux, Signal, Value

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import CSRInfo, Kind

GROUPS = ("counters", "registers", "small")
INDEX_BITS = 5  # addr[4:0]: N of mhpmcounterN / hpmcounterN / mhpmeventN (and the cfg registers)
# The RV32 high half of a group's CSRs differs in one address bit: its index takes that bit too.
HALF_BIT = {"counters": 7, "registers": 10}  # 0xB80/0xC80 vs 0xB00/0xC00; 0x720 vs 0x320


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


def register_copy(m: Module, value: Value, variant: int, name: str) -> Value:
    """A registered copy of ``value`` that synthesis keeps apart from copies of other variants
    (1-3; 0 is a plain register): Yosys merges registers with the same input and power-up
    value (even with ``keep``), so a copy powers up to all ones (``variant`` bit 0) and/or
    stores the complement (bit 1), whose inversions fold into the LUTs on either side."""
    n = len(value)
    q = Signal(n, name=name, init=(1 << n) - 1 if variant & 1 else 0)
    inverted = bool(variant & 2)
    m.d.sync += q.eq(~value if inverted else value)
    return ~q if inverted else q


def group_of(info: CSRInfo, config: PMUConfig) -> str:
    """The read group of an existing address."""
    if info.kind in (Kind.COUNTER, Kind.SHADOW):
        return "counters"
    if info.kind in (Kind.EVENT, Kind.CFG):
        return "registers"
    return "small"


class ReadPath:
    """Adds the read path to a module: ``register`` in stage D, ``build`` once."""

    def __init__(self, config: PMUConfig, cmap: dict[int, CSRInfo]):
        self.config = config
        rv32 = config.xlen == 32
        self.index_bits = {g: list(range(INDEX_BITS)) + ([HALF_BIT[g]] if rv32 else [])
                           for g in HALF_BIT}
        # Every existing address: (group, index) from its own address bits, checked here to
        # name one source each, so a change of the CSR map cannot silently alias two CSRs.
        self.sources: dict[str, dict[int, CSRInfo]] = {g: {} for g in GROUPS}
        self.pages: dict[str, set[int]] = {g: set() for g in GROUPS}
        for addr, info in cmap.items():
            if not info.exists:
                continue
            g = group_of(info, config)
            if g == "small":
                key = addr
            else:
                key = sum((addr >> b & 1) << n for n, b in enumerate(self.index_bits[g]))
                self.pages[g].add(addr >> INDEX_BITS)
            owner = self.sources[g].setdefault(key, info)
            assert owner.reg == info.reg and owner.half == info.half, (owner, info)
        # Stage D: the registered request address, and copies of the index for the muxes and
        # the counter-enable check, so that no register drives all of them (the counters' mux
        # alone is 64 bits of 32 sources spread over the whole PMU: one copy per data half).
        self.d_addr = Signal(csr.CSR_ADDR_WIDTH, name="d_rd_addr")
        self.d_mode = Signal(csr.MODE_WIDTH, name="d_rd_mode")
        # The few small registers sit at scattered addresses: their selects are decoded here.
        self.d_small = {a: Signal(name=f"d_rd_{info.name}") for a, info in
                        self.sources["small"].items()}

    def register(self, m: Module, addr: Value, mode: Value) -> None:
        """Stage D: register the request address (no decoding), its index copies and mode."""
        m.d.sync += [self.d_addr.eq(addr), self.d_mode.eq(mode),
                     *(sel.eq(addr == a) for a, sel in self.d_small.items())]
        idx = {g: Cat(*(addr[b] for b in bits)) for g, bits in self.index_bits.items()}
        self.d_ctr_idx = [register_copy(m, idx["counters"], 1 + h, f"d_rd_index_h{h}")
                          for h in range(2)]
        self.d_reg_idx = register_copy(m, idx["registers"], 3, "d_rd_index_reg")
        self.d_en_idx = self.d_reg_idx[:INDEX_BITS]  # the counter index of hpmcounterN

    def build(self, m: Module, *, counters: dict, regs: dict[str, Value], of_bits: Value,
              lcofip: Value) -> Value:
        """Stage A, and the merge of stage R: returns the read value (combinational, from the
        A registers) that the response register samples unless the access failed."""
        cfg = self.config
        xlen = cfg.xlen
        addr = self.d_addr

        def view(v: Value, half: str | None) -> Value:
            v = Cat(v, C(0, 64))[:64]
            return v[32:] if half == "hi" else v[:32] if half == "lo" else v[:xlen]

        # A split counter's pending carry enters the high half; a narrow one must then wrap.
        pc_pos = 32 if xlen == 64 else 0
        narrow_width = cfg.counter_width - (32 if xlen == 32 else 0)
        narrow = 0 < narrow_width < xlen and cfg.counter_width > 32
        men, hen = regs["mcounteren"][:32], regs["hcounteren"][:32]
        mode = self.d_mode

        def value(g: str, info: CSRInfo) -> Value:
            name, half = info.reg, info.half
            if g == "counters":
                if info.index not in counters:  # not implemented: reads 0
                    return C(0, 1)
                ctr = counters[info.index]
                has_hi = half != "lo" and ctr.split
                nar = narrow and has_hi and info.index not in (csr.CY, csr.IR)
                return Cat(view(ctr.raw, half), ctr.pc if has_hi else C(0, 1), C(int(nar), 1))
            if info.kind == Kind.SCOUNTOVF:
                return Mux(mode == csr.Mode.M, of_bits,
                           Mux(mode == csr.Mode.VS, of_bits & men & hen, of_bits & men))
            if info.kind == Kind.MIP:
                return lcofip << csr.MIP_LCOFIP_BIT
            if info.kind in (Kind.INHIBIT, Kind.COUNTEREN):  # 32-bit registers
                return view(regs[name][:32], half)
            if name not in regs:  # an event register of a counter not implemented: reads 0
                return C(0, 1)
            return view(regs[name], half)

        def page_is(pages: set[int]) -> Value:
            return Cat(*(addr[INDEX_BITS:] == p for p in sorted(pages))).any() if pages \
                else C(0, 1)

        # -- A: one register per group, sampled from the registered address bits --------------
        rd = {}
        for g in GROUPS:
            width = xlen + 2 if g == "counters" else xlen
            reg = rd[g] = Signal(width, name=f"rd_{g}")
            if g == "small":
                tree = C(0, width)
                for a, info in self.sources[g].items():
                    tree = tree | Mux(self.d_small[a], value(g, info), 0)
                m.d.sync += reg.eq(tree)
                continue
            n = 1 << len(self.index_bits[g])
            values = [value(g, self.sources[g][k]) if k in self.sources[g] else C(0, width)
                      for k in range(n)]
            if g == "counters":
                half = width // 2
                tree = Cat(*(mux_tree([v[lo:hi] for v in values], self.d_ctr_idx[h], hi - lo)
                             for h, (lo, hi) in enumerate(((0, half), (half, width)))))
            else:
                tree = mux_tree(values, self.d_reg_idx, width)
            m.d.sync += reg.eq(tree)
        sel = {g: Signal(name=f"rd_sel_{g}") for g in ("counters", "registers")}
        m.d.sync += [sel[g].eq(page_is(self.pages[g])) for g in sel]

        # -- R: merge and add a pending carry --------------------------------------------------
        ctr = rd["counters"]
        merged = Mux(sel["counters"], ctr[:xlen], 0) | Mux(sel["registers"], rd["registers"], 0) \
            | rd["small"]
        pc, nar = ctr[xlen] & sel["counters"], ctr[xlen + 1]
        total = Cat(merged[:pc_pos], merged[pc_pos:] + pc)[:xlen] if pc_pos else \
            (merged + pc)[:xlen]
        if narrow:
            total = Mux(nar & sel["counters"], total[:narrow_width], total)
        return total
