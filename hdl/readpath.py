"""The pipelined CSR read path of the PMU (hdl/pmu.py, stages D, A and R of docs/timing.md).

Reading is where a wide PMU loses its clock (reference section (d): a one-stage 62-way read mux
limits a 29-counter block to about 100 MHz). Little here decodes the request in its own cycle:
the CSR map puts every counter at ``page + N`` and every event/config register at
``0x320 + N``, so the five low address bits *are* the read index and the request only needs
registering (stage D). Each address maps, at elaboration time, to a *source* in one of three
groups: counters (64 bits wide), event/config registers (indexed the same way) and the few
small registers (compared in full in stage D).

In the access cycle (A) each group samples its source into a register, straight from
registered address bits. The counters, the widest group and the one spread over the whole
PMU, are sampled per *bank* of eight indices: each bank has its own copy of the index and its
own register, so no index net has to cross the PMU in the access cycle. Stage R ORs the banks,
merges the groups (adding a generic split counter's pending carry) and gives ``rdata``; the PMU
zeroes it on a miss or an exception.
"""

from __future__ import annotations

from amaranth.hdl import C, Cat, Module, Mux, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import CSRInfo, Kind, csr_map

GROUPS = ("counters", "registers", "small")
INDEX_BITS = 5  # addr[4:0]: N of mhpmcounterN / hpmcounterN / mhpmeventN (and the cfg registers)
# The RV32 high half of a group's CSRs differs in one address bit: its index takes that bit too.
HALF_BIT = {"counters": 7, "registers": 10}  # 0xB80/0xC80 vs 0xB00/0xC00; 0x720 vs 0x320
BANK_BITS = (3, 4)  # the counters' bank of a request: index bits 4:3 (eight counters a bank)
# Register-copy variants (``register_copy``), each distinct from the others bit by bit.
COPY_VARIANTS = 12


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


def register_copy(m: Module, value: Value, variant: int, name: str, valid: Value) -> Value:
    """A registered copy of ``value``, needed only while ``valid``, that synthesis keeps apart
    from the copies of other variants (0-11; variant 0 is a plain register).

    Yosys merges flip-flops with the same input, control signals and power-up value (a
    ``keep`` attribute does not stop it), bit by bit. A copy therefore differs in its power-up
    value (``variant`` bit 0), in storing the complement (bit 1; the inversions fold into the
    LUTs on either side) and in its kind (``variant // 4``): a plain register, one that loads
    only while ``valid`` (a clock enable), or one cleared while not ``valid`` (a synchronous
    reset). Twelve variants in all."""
    assert 0 <= variant < COPY_VARIANTS, variant
    n = len(value)
    init = (1 << n) - 1 if variant & 1 else 0
    q = Signal(n, name=name, init=init)
    d = ~value if variant & 2 else value
    kind = variant // 4
    if kind == 0:
        m.d.sync += q.eq(d)
    elif kind == 1:
        with m.If(valid):
            m.d.sync += q.eq(d)
    else:
        m.d.sync += q.eq(Mux(valid, d, init))
    return ~q if variant & 2 else q


def group_of(info: CSRInfo) -> str:
    """The read group of an existing address."""
    if info.kind in (Kind.COUNTER, Kind.SHADOW):
        return "counters"
    if info.kind in (Kind.EVENT, Kind.CFG):
        return "registers"
    return "small"


def counter_widths(config: PMUConfig) -> dict[int, int]:
    """Counter index -> implemented width (mcycle and minstret are always 64 bits)."""
    return {csr.CY: 64, csr.IR: 64, **{i: config.counter_width for i in config.hpm_indices}}


def readable_registers(config: PMUConfig) -> dict[str, int]:
    """The registers the read path samples beside the counters -> the width it reads."""
    regs = {f"mhpmevent{i}": 64 for i in config.hpm_indices}
    regs.update(mcyclecfg=64, minstretcfg=64)
    regs.update({name: 32 for name in ("mcountinhibit", "mcounteren", "scounteren",
                                       "hcounteren")})
    return regs


class ReadPath(wiring.Component):
    """The CSR read path: the request in, the read value out two cycles later.

    ``addr``/``mode``/``valid`` are the request as presented (stage D registers them);
    ``rdata`` is the value read, valid two cycles after the request (combinational from the
    stage A registers: the PMU's response register samples it). ``counter<i>`` (and, for a
    counter listed in ``split``, its pending carry ``pc<i>``), the registers of
    ``readable_registers``, ``of_bits`` (OF of each counter) and ``lcofip`` are the state as it
    is in the access cycle. ``req_addr``/``req_mode``/``req_index`` are the registered request,
    for the access check that the PMU makes in the same cycle (``req_index`` is the counter
    index of a user-level counter read, from a copy of its own).
    """

    def __init__(self, config: PMUConfig, cmap: dict[int, CSRInfo] | None = None, *,
                 split=()):
        self.config = config
        cmap = cmap if cmap is not None else csr_map(config)
        rv32 = config.xlen == 32
        self.split = frozenset(split)
        self.index_bits = {g: list(range(INDEX_BITS)) + ([HALF_BIT[g]] if rv32 else [])
                           for g in HALF_BIT}
        # Every existing address: (group, index) from its own address bits, checked here to
        # name one source each, so a change of the CSR map cannot silently alias two CSRs.
        self.sources: dict[str, dict[int, CSRInfo]] = {g: {} for g in GROUPS}
        self.pages: dict[str, set[int]] = {g: set() for g in GROUPS}
        for addr, info in cmap.items():
            if not info.exists:
                continue
            g = group_of(info)
            if g == "small":
                key = addr
            else:
                key = sum((addr >> b & 1) << n for n, b in enumerate(self.index_bits[g]))
                self.pages[g].add(addr >> INDEX_BITS)
            owner = self.sources[g].setdefault(key, info)
            assert owner.reg == info.reg and owner.half == info.half, (owner, info)
        members = {"addr": In(csr.CSR_ADDR_WIDTH), "mode": In(csr.MODE_WIDTH), "valid": In(1)}
        for i, width in counter_widths(config).items():
            members[f"counter{i}"] = In(width)
            if i in self.split:
                members[f"pc{i}"] = In(1)
        members.update({name: In(width) for name, width in readable_registers(config).items()})
        members.update({
            "of_bits": In(32), "lcofip": In(1),
            "rdata": Out(config.xlen),
            "req_addr": Out(csr.CSR_ADDR_WIDTH), "req_mode": Out(csr.MODE_WIDTH),
            "req_index": Out(INDEX_BITS),
        })
        super().__init__(members)
        # A counter narrower than XLEN but split: the high half wraps after adding the carry.
        narrow_width = config.counter_width - (32 if rv32 else 0)
        self._narrow = 0 < narrow_width < config.xlen and config.counter_width > 32

    def _value(self, g: str, info: CSRInfo, mode: Value) -> Value:
        """The source of ``info`` in group ``g``; a counter's carries its pending carry and a
        "narrow" flag (wrap the high half after adding it) above the data."""
        cfg = self.config
        xlen = cfg.xlen

        def view(v: Value, half: str | None) -> Value:
            v = Cat(v, C(0, 64))[:64]
            return v[32:] if half == "hi" else v[:32] if half == "lo" else v[:xlen]

        name, half = info.reg, info.half
        if g == "counters":
            if info.index not in counter_widths(cfg):  # not implemented: reads 0
                return C(0, 1)
            has_hi = half != "lo" and info.index in self.split
            nar = self._narrow and has_hi and info.index not in (csr.CY, csr.IR)
            pc = getattr(self, f"pc{info.index}") if has_hi else C(0, 1)
            return Cat(view(getattr(self, f"counter{info.index}"), half), pc, C(int(nar), 1))
        if info.kind == Kind.SCOUNTOVF:
            men, hen = self.mcounteren, self.hcounteren
            return Mux(mode == csr.Mode.M, self.of_bits,
                       Mux(mode == csr.Mode.VS, self.of_bits & men & hen, self.of_bits & men))
        if info.kind == Kind.MIP:
            return self.lcofip << csr.MIP_LCOFIP_BIT
        if name not in readable_registers(cfg):  # an event register not implemented: reads 0
            return C(0, 1)
        return view(getattr(self, name), half)

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        xlen = cfg.xlen
        # A split counter's pending carry enters the high half; a narrow one must then wrap.
        pc_pos = 32 if xlen == 64 else 0
        narrow_width = cfg.counter_width - (32 if xlen == 32 else 0)

        # -- D: register the request (no decoding but the few small registers) ---------------
        d_addr = Signal(csr.CSR_ADDR_WIDTH, name="d_rd_addr")
        d_mode = Signal(csr.MODE_WIDTH, name="d_rd_mode")
        d_small = {a: Signal(name=f"d_rd_{info.name}") for a, info in
                   self.sources["small"].items()}
        m.d.sync += [d_addr.eq(self.addr), d_mode.eq(self.mode),
                     *(sel.eq(self.addr == a) for a, sel in d_small.items())]
        idx = {g: Cat(*(self.addr[b] for b in bits)) for g, bits in self.index_bits.items()}
        # The counters' banks: the index bits that pick a counter within its bank, and the bank.
        local = [n for n, b in enumerate(self.index_bits["counters"]) if b not in BANK_BITS]
        banks: dict[int, dict[int, CSRInfo]] = {}
        for key, info in self.sources["counters"].items():
            bank = sum((key >> b & 1) << n for n, b in enumerate(BANK_BITS))
            banks.setdefault(bank, {})[sum((key >> b & 1) << n for n, b in enumerate(local))] \
                = info
        # One index copy per bank (variants 1..; variant 0 would merge with d_rd_addr) and one
        # for the registers' mux and the enable check.
        assert len(banks) + 2 <= COPY_VARIANTS
        bank_idx = {b: register_copy(m, idx["counters"], 1 + k, f"d_rd_index_bank{b}",
                                     self.valid) for k, b in enumerate(sorted(banks))}
        reg_idx = register_copy(m, idx["registers"], 1 + len(banks), "d_rd_index_reg",
                                self.valid)
        m.d.comb += [self.req_addr.eq(d_addr), self.req_mode.eq(d_mode),
                     self.req_index.eq(reg_idx[:INDEX_BITS])]

        def page_is(pages: set[int]) -> Value:
            return Cat(*(d_addr[INDEX_BITS:] == p for p in sorted(pages))).any() if pages \
                else C(0, 1)

        # -- A: one register per counters' bank and per other group ----------------------------
        width = xlen + 2
        rd_banks = []
        for b, infos in sorted(banks.items()):
            copy = bank_idx[b]
            values = [self._value("counters", infos[k], d_mode) if k in infos else C(0, width)
                      for k in range(1 << len(local))]
            hit = Cat(*(copy[n] for n in range(len(self.index_bits["counters"]))
                        if self.index_bits["counters"][n] in BANK_BITS)) == b
            reg = Signal(width, name=f"rd_counters{b}")
            m.d.sync += reg.eq(Mux(hit, mux_tree(values, Cat(*(copy[n] for n in local)),
                                                 width), 0))
            rd_banks.append(reg)
        rd_registers = Signal(xlen, name="rd_registers")
        n = 1 << len(self.index_bits["registers"])
        values = [self._value("registers", self.sources["registers"][k], d_mode)
                  if k in self.sources["registers"] else C(0, xlen) for k in range(n)]
        m.d.sync += rd_registers.eq(mux_tree(values, reg_idx, xlen))
        rd_small = Signal(xlen, name="rd_small")
        tree = C(0, xlen)
        for a, info in self.sources["small"].items():
            tree = tree | Mux(d_small[a], self._value("small", info, d_mode), 0)
        m.d.sync += rd_small.eq(tree)
        sel = {g: Signal(name=f"rd_sel_{g}") for g in ("counters", "registers")}
        m.d.sync += [sel[g].eq(page_is(self.pages[g])) for g in sel]

        # -- R: merge and add a pending carry --------------------------------------------------
        ctr = C(0, width)
        for reg in rd_banks:
            ctr = ctr | reg
        merged = Mux(sel["counters"], ctr[:xlen], 0) | Mux(sel["registers"], rd_registers, 0) \
            | rd_small
        pc, nar = ctr[xlen] & sel["counters"], ctr[xlen + 1]
        total = Cat(merged[:pc_pos], merged[pc_pos:] + pc)[:xlen] if pc_pos else \
            (merged + pc)[:xlen]
        if self._narrow:
            total = Mux(nar & sel["counters"], total[:narrow_width], total)
        m.d.comb += self.rdata.eq(total)
        return m
