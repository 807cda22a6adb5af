"""The plain reference PMU of the FPGA benchmark (bench/fpga.py): a frozen copy of the
earlier ``rvpmu.hdl.pmu.PMU``, kept unoptimised on purpose as the baseline.

It implements the same CSR behaviour and the same ports as the project PMU under the
latency-1 contract of docs/timing.md (the response comes one cycle after the request), in
the most direct way: flat counters, full-width address decode, and one combinational read mux
on the request that also feeds the read-modify-write data. Do not optimise it: the benchmark
measures the project PMU against exactly this. Registers hold their value as it stands during
a cycle; the edge that ends the cycle applies, in order of priority: the explicit CSR write,
then the hardware update (increment, OF set, LCOFIP set) computed from the pre-edge state.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import C, Cat, Module, Mux, Signal, Value
from amaranth.lib import wiring

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import CSRInfo, Kind, csr_map

from rvpmu.hdl.access import drive_exception, mode_decoder
from rvpmu.hdl.layouts import CFG_LAYOUT, MHPMEVENT_LAYOUT, pmu_members

from .counter import Counter

CY, IR = csr.CY, csr.IR


@dataclass(frozen=True)
class PMUState:
    """References to the architectural state of an elaborated ``PlainPMU`` (kept from the
    original, for a testbench to observe). Nothing in the PMU or the benchmark reads it."""

    counters: dict[int, Value]  # counter index -> its value (mcycle, minstret, mhpmcounterN)
    mhpmevent: dict[int, Value]  # hpm index -> the 64-bit register
    cfg: dict[int, Value]  # CY/IR -> mcyclecfg/minstretcfg (64-bit)
    mcountinhibit: Value
    counteren: dict[str, Value]  # "mcounteren", "scounteren", "hcounteren"
    lcofip: Value


class PlainPMU(wiring.Component):
    """The plain reference PMU for one hart, parameterised by a ``PMUConfig``.

    Ports (docs/timing.md): ``csr_req`` / ``csr_rsp`` (one access per cycle, response one cycle
    later), ``events`` (one count per event input), ``retired``, ``mode``, ``halt``, ``lcofip``,
    and the counter-enable registers for the core's own ``time`` check.

    ``counter_class`` builds each counter (``reference.counter.Counter``).
    ``elaborate`` records the architectural state in ``self.state``.
    """

    counter_class = Counter

    def __init__(self, config: PMUConfig | None = None):
        self.config = config if config is not None else PMUConfig()
        super().__init__(pmu_members(self.config))  # the same ports as the PMU (rvpmu.ports)

    def _mode_bit(self, m: Module, reg: Value, name: str) -> Signal:
        """The xINH bit of ``reg`` (a 64-bit mhpmevent/cfg value) for the current mode."""
        bit = Signal(name=name)
        with m.Switch(self.mode):
            for md in self.config.modes:
                with m.Case(md):
                    m.d.comb += bit.eq(reg[csr.INH_BIT[md]])
            with m.Default():  # a mode this hart does not have: never driven by the core
                m.d.comb += bit.eq(0)
        return bit

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        xlen = cfg.xlen
        cmap = csr_map(cfg)
        req, rsp = self.csr_req, self.csr_rsp

        # -- architectural state ------------------------------------------------------------
        inc_width = max([1, self.retired.shape().width] + [e.count_width for e in cfg.events])
        counters: dict[int, Counter] = {}
        ctr_name = {i: {CY: "mcycle", IR: "minstret"}.get(i, f"mhpmcounter{i}")
                    for i in (CY, IR, *cfg.hpm_indices)}
        for i, name in ctr_name.items():
            width = 64 if i in (CY, IR) else cfg.counter_width
            counters[i] = m.submodules[name] = self.counter_class(width, inc_width)
        mhpmevent = {i: Signal(MHPMEVENT_LAYOUT, name=f"mhpmevent{i}") for i in cfg.hpm_indices}
        cntcfg = {CY: Signal(CFG_LAYOUT, name="mcyclecfg"),
                  IR: Signal(CFG_LAYOUT, name="minstretcfg")}
        mcountinhibit = Signal(32)
        counteren = {"mcounteren": Signal(32), "scounteren": Signal(32),
                     "hcounteren": Signal(32)}
        lcofip = Signal()
        m.d.comb += [
            self.lcofip.eq(lcofip),
            self.mcounteren.eq(counteren["mcounteren"]),
            self.scounteren.eq(counteren["scounteren"]),
            self.hcounteren.eq(counteren["hcounteren"]),
        ]

        of_bits = Signal(32)
        for i, ev in mhpmevent.items():
            m.d.comb += of_bits[i].eq(ev.OF)

        def reg64(info: CSRInfo) -> Value:
            k = info.kind
            if k in (Kind.COUNTER, Kind.SHADOW):
                return counters[info.index].value if info.index in counters else C(0, 64)
            if k == Kind.EVENT:
                return mhpmevent[info.index].as_value() if info.index in mhpmevent else C(0, 64)
            if k == Kind.CFG:
                return cntcfg[info.index].as_value()
            if k == Kind.INHIBIT:
                return mcountinhibit
            if k == Kind.COUNTEREN:
                return counteren[info.reg]
            if k == Kind.SCOUNTOVF:
                men, hen = counteren["mcounteren"], counteren["hcounteren"]
                return Mux(mode_is[csr.Mode.M], of_bits,
                           Mux(mode_is[csr.Mode.VS], of_bits & men & hen, of_bits & men))
            if k == Kind.MIP:
                return lcofip << csr.MIP_LCOFIP_BIT
            raise AssertionError(k)

        def view(info: CSRInfo, v: Value) -> Value:
            v = v.as_unsigned() if v.shape().signed else v
            v = Cat(v, C(0, 64))[:64]
            return v[32:] if info.half == "hi" else v[:32] if info.half == "lo" else v[:xlen]

        # -- decode, access check, read (combinational on the request) ----------------------
        hit = Signal()
        exc = Signal(csr.EXC_WIDTH)
        rdata = Signal(xlen)
        is_write = req.op != C(csr.CSROp.READ, csr.CSR_OP_WIDTH)
        mode_is = mode_decoder(m, req.mode)
        with m.Switch(req.addr):
            for addr, info in cmap.items():
                with m.Case(addr):
                    m.d.comb += hit.eq(1)
                    drive_exception(m, exc, info, cfg, is_write, mode_is,
                                    counteren["mcounteren"], counteren["scounteren"],
                                    counteren["hcounteren"])
                    if info.exists:
                        m.d.comb += rdata.eq(view(info, reg64(info)))
            with m.Default():
                m.d.comb += [hit.eq(0), exc.eq(csr.Exc.NONE), rdata.eq(0)]
        ok = req.valid & hit & ~exc.any()
        do_write = ok & is_write
        wval = Signal(xlen)
        with m.Switch(req.op):
            with m.Case(csr.CSROp.SET):
                m.d.comb += wval.eq(rdata | req.wdata)
            with m.Case(csr.CSROp.CLEAR):
                m.d.comb += wval.eq(rdata & ~req.wdata)
            with m.Default():
                m.d.comb += wval.eq(req.wdata)

        m.d.sync += [
            rsp.valid.eq(req.valid),
            rsp.hit.eq(req.valid & hit),
            rsp.rdata.eq(Mux(ok, rdata, 0)),
            rsp.exc.eq(Mux(req.valid & hit, exc, csr.Exc.NONE)),
        ]

        def we(info: CSRInfo) -> Value:
            return do_write & (req.addr == C(info.addr, csr.CSR_ADDR_WIDTH))

        def merged(info: CSRInfo, old: Value) -> Value:
            """The 64-bit register after writing ``wval`` to ``info``'s half, WARL-masked."""
            if info.half == "lo":
                new = Cat(wval, old[32:64])
            elif info.half == "hi":
                new = Cat(old[:32], wval)
            else:
                new = wval
            return (new & info.writable)[:64]

        writes_by_reg: dict[str, list[CSRInfo]] = {}
        for info in cmap.values():
            if info.exists and info.writable and info.kind != Kind.SHADOW:
                writes_by_reg.setdefault(info.reg, []).append(info)

        # -- counting -------------------------------------------------------------------------
        running = ~self.halt  # rule 25: stopcount stops every counter
        lcofi_set = Signal()
        overflow_new = []
        of_set: dict[int, Signal] = {}
        for i, ctr in counters.items():
            if i in (CY, IR):
                inh = self._mode_bit(m, cntcfg[i].as_value(), f"cfg_inh{i}") \
                    if cfg.smcntrpmf else C(0, 1)
                m.d.comb += [
                    ctr.inc.eq(1 if i == CY else self.retired),
                    ctr.inc_en.eq(running & ~mcountinhibit[i] & ~inh),
                ]
            else:
                ev = mhpmevent[i]
                sel_width = max(1, (cfg.num_selectors - 1).bit_length())
                sel = ev.EVENT[:sel_width]
                inh = self._mode_bit(m, ev.as_value(), f"inh{i}") if cfg.sscofpmf else C(0, 1)
                with m.Switch(sel):
                    with m.Case(csr.EVENT_CYCLES):
                        m.d.comb += ctr.inc.eq(1)
                    with m.Case(csr.EVENT_INSTRET):
                        m.d.comb += ctr.inc.eq(self.retired)
                    for k, e in enumerate(cfg.events):
                        with m.Case(csr.event_selector(k)):
                            m.d.comb += ctr.inc.eq(getattr(self.events, e.name))
                    with m.Default():
                        m.d.comb += ctr.inc.eq(0)
                m.d.comb += ctr.inc_en.eq(running & (sel != csr.EVENT_NONE) &
                                          ~mcountinhibit[i] & ~inh)
                if cfg.sscofpmf:  # rules 29-32: OF and LCOFIP only from a carry while OF = 0
                    new_of = Signal(name=f"of_set{i}")
                    m.d.comb += new_of.eq(ctr.overflow & ~ev.OF)
                    overflow_new.append(new_of)
                    of_set[i] = new_of
                    with m.If(new_of):
                        m.d.sync += ev.OF.eq(1)
            # The explicit write (rule 21): the Counter drops its increment when written.
            for info in writes_by_reg.get(ctr_name[i], []):
                mask = 0b01 if info.half == "lo" else 0b10 if info.half == "hi" else 0b11
                with m.If(we(info)):
                    m.d.comb += ctr.wmask.eq(mask)
            m.d.comb += ctr.wdata.eq(Cat(wval[:32], wval[:32]) if xlen == 32 else wval)
        if overflow_new:
            m.d.comb += lcofi_set.eq(Cat(*overflow_new).any())

        # -- register writes (after the hardware updates above: the write wins) ----------------
        for i, ev in mhpmevent.items():
            for info in writes_by_reg.get(f"mhpmevent{i}", []):
                with m.If(we(info)):
                    new = Signal(64, name=f"mhpmevent{i}_{info.half or 'w'}_new")
                    m.d.comb += new.eq(merged(info, ev.as_value()))
                    if info.half == "lo" and i in of_set:
                        # RV32: a write of the low half leaves OF (bit 63) to the hardware set.
                        new_of = Signal(64, name=f"mhpmevent{i}_lo_of")
                        m.d.comb += new_of.eq(of_set[i] << csr.MHPMEVENT_OF)
                        new = new | new_of
                    legal = new[:csr.EVENT_SEL_WIDTH] < C(cfg.num_selectors,
                                                          csr.EVENT_SEL_WIDTH)  # rule 9
                    m.d.sync += ev.eq(Mux(legal, new, new & ~csr.EVENT_SEL_MASK))
        for i, reg in cntcfg.items():
            for info in writes_by_reg.get("mcyclecfg" if i == CY else "minstretcfg", []):
                with m.If(we(info)):
                    m.d.sync += reg.eq(merged(info, reg.as_value()))
        for info in writes_by_reg.get("mcountinhibit", []):
            with m.If(we(info)):
                m.d.sync += mcountinhibit.eq(merged(info, mcountinhibit))
        for name, reg in counteren.items():
            for info in writes_by_reg.get(name, []):
                with m.If(we(info)):
                    m.d.sync += reg.eq(merged(info, reg))
        mip_writes = writes_by_reg.get("mip", [])
        with m.If(lcofi_set):
            m.d.sync += lcofip.eq(1)
        for info in mip_writes:  # rule 34: a coincident hardware set is never lost
            with m.If(we(info)):
                m.d.sync += lcofip.eq(wval[csr.MIP_LCOFIP_BIT] | lcofi_set)

        self.state = PMUState(
            counters={i: c.value for i, c in counters.items()},
            mhpmevent={i: ev.as_value() for i, ev in mhpmevent.items()},
            cfg={i: reg.as_value() for i, reg in cntcfg.items()},
            mcountinhibit=mcountinhibit, counteren=dict(counteren), lcofip=lcofip)
        return m
