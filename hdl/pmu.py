"""The PMU component: counters, event selection, filters, overflow and the CSR port.

Implements the cycle-level contract of docs/timing.md, checked cycle by cycle against
``rvpmu.model.PMUPorts`` by the tests. The design is pipelined for Fmax (issue: 200 MHz on
ECP5-6, reference section (d)):

* **D** (the request's cycle): address decode and the access check, registered: the op of a
  legal write per writable address, the write data, a read group and index, the response
  status. Only the counter-enable checks of user-level counter reads wait for the access
  cycle, where they see the enables as they are then.
* **A** (the next cycle, the *access cycle*): reads sample the registers into one register per
  read group; a write applies its op and data to the written register's own value, so no
  read mux sits in a write path; counters add the increment registered in the previous cycle.
* **R**: the read groups are OR-ed into the response register (plus a split counter's pending
  carry), three cycles after the request.

Increments are selected and gated (mhpmevent, mcountinhibit, xINH, halt) in the cycle of the
events, registered, and added at the end of the next cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import C, Cat, Const, Module, Mux, Signal, Value
from amaranth.lib import data, wiring

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import CSRInfo, Kind, csr_map

from .access import counter_enable_exception, drive_exception, mode_decoder
from .counter import PipelinedCounter, write_bits
from .ecp5 import ECP5Counter
from .layouts import CFG_LAYOUT, INH_FIELD, MHPMEVENT_LAYOUT, CSROp, pmu_members
from .readpath import ReadPath, mux_tree, readable_registers

CY, IR = csr.CY, csr.IR
TARGETS = ("generic", "ecp5")  # ecp5: counters fused into the carry cells (hdl/ecp5.py)
M64 = (1 << 64) - 1


@dataclass(frozen=True)
class PMUState:
    """References to the architectural state of an elaborated ``PMU``, for the formal harness
    (hdl/formal) to observe. Nothing in the PMU reads it."""

    counters: dict[int, Value]  # counter index -> its value (mcycle, minstret, mhpmcounterN)
    mhpmevent: dict[int, Value]  # hpm index -> the 64-bit register
    cfg: dict[int, Value]  # CY/IR -> mcyclecfg/minstretcfg (64-bit)
    mcountinhibit: Value
    counteren: dict[str, Value]  # "mcounteren", "scounteren", "hcounteren"
    lcofip: Value
    # hpm index -> "an overflow sets OF at this edge" (rules 29-31; empty without Sscofpmf):
    # lets the lcofip property be proved a group of counters at a time (docs/formal.md).
    of_set: dict[int, Value]


class PMU(wiring.Component):
    """A RISC-V hardware PMU for one hart, parameterised by a ``PMUConfig``.

    Ports (docs/timing.md): ``csr_req`` / ``csr_rsp`` (one access per cycle, response
    ``CSR_RESPONSE_LATENCY`` cycles later), ``events`` (one count per event input), ``retired``,
    ``mode``, ``halt``, ``lcofip``, and the counter-enable registers for the core's own ``time``
    check. With ``run_status``, ``lcofi_set`` (combinational, behind the counters' carry chains)
    says an overflow sets OF at the end of this cycle, or did at the last edge (LCOFIP follows
    one edge later): the run control of the simulation and board tops uses it to stop exactly
    at an overflow despite the pipeline. A core does not need it.

    ``counter_class`` builds each counter (a subclass may replace it, e.g. a deliberately broken
    one in the formal tests). ``elaborate`` records the architectural state in ``self.state``.
    """

    counter_class = PipelinedCounter

    def __init__(self, config: PMUConfig | None = None, *, run_status: bool = False,
                 target: str = "generic"):
        if target not in TARGETS:
            raise ValueError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")
        self.config = config if config is not None else PMUConfig()
        self.run_status = run_status
        self.target = target
        super().__init__(pmu_members(self.config, run_status=run_status))

    def _mode_bit(self, m: Module, reg: data.View, name: str) -> Signal:
        """The xINH bit of ``reg`` (an mhpmevent/cfg view) for the current mode."""
        bit = Signal(name=name)
        with m.Switch(self.mode):
            for md in self.config.modes:
                with m.Case(md):
                    m.d.comb += bit.eq(reg[INH_FIELD[md]])
            with m.Default():  # a mode this hart does not have: never driven by the core
                m.d.comb += bit.eq(0)
        return bit

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        xlen = cfg.xlen
        cmap = csr_map(cfg)
        req, rsp = self.csr_req, self.csr_rsp
        sel_width = max(1, (cfg.num_selectors - 1).bit_length())

        # -- architectural state ------------------------------------------------------------
        inc_width = max([1, self.retired.shape().width] + [e.count_width for e in cfg.events])
        counter_class = self.counter_class
        if self.target == "ecp5" and inc_width == 1 and counter_class is PipelinedCounter:
            counter_class = ECP5Counter
        counters: dict[int, PipelinedCounter] = {}
        ctr_name = {i: {CY: "mcycle", IR: "minstret"}.get(i, f"mhpmcounter{i}")
                    for i in (CY, IR, *cfg.hpm_indices)}
        for i, name in ctr_name.items():
            width = 64 if i in (CY, IR) else cfg.counter_width
            extra = {"shared_op": xlen == 64} if counter_class is ECP5Counter else {}
            counters[i] = m.submodules[name] = counter_class(width, inc_width, **extra)
        # 64-bit registers; bits no write can set stay constant 0 and synthesis drops them.
        # mhpmevent and the cfg registers are views of their layouts (rvpmu.csr's field
        # tables); ``regs`` holds every register as a plain 64-bit value, by CSR name.
        mhpmevent = {i: Signal(MHPMEVENT_LAYOUT, name=f"mhpmevent{i}") for i in cfg.hpm_indices}
        cntcfg = {CY: Signal(CFG_LAYOUT, name="mcyclecfg"),
                  IR: Signal(CFG_LAYOUT, name="minstretcfg")}
        regs: dict[str, Value] = {f"mhpmevent{i}": v.as_value() for i, v in mhpmevent.items()}
        regs["mcyclecfg"], regs["minstretcfg"] = cntcfg[CY].as_value(), cntcfg[IR].as_value()
        for name in ("mcountinhibit", "mcounteren", "scounteren", "hcounteren"):
            regs[name] = Signal(64, name=name)
        lcofip = Signal()
        mcountinhibit = regs["mcountinhibit"]
        m.d.comb += [
            self.lcofip.eq(lcofip),
            self.mcounteren.eq(regs["mcounteren"][:32]),
            self.scounteren.eq(regs["scounteren"][:32]),
            self.hcounteren.eq(regs["hcounteren"][:32]),
        ]

        writes: dict[str, list[CSRInfo]] = {}
        for info in cmap.values():
            if info.exists and info.writable and info.kind != Kind.SHADOW:
                writes.setdefault(info.reg, []).append(info)

        # -- D: register the request, decode the writes------------------------------------------------
        nxt = {name: Signal(64, name=f"{name}_next") for name in regs}  # the A-stage results
        # Per writable address, the op of a legal write of it (0: none), decoded here: the
        # access cycle's writes are then one 4-input function per bit of the op and the data.
        d_wop = {info.addr: Signal(csr.CSR_OP_WIDTH, name=f"wop_{info.name}")
                 for infos in writes.values() for info in infos}
        d_wdata = Signal(xlen)
        sel_hi_set = {"lo": Signal(name="d_sel_hi_lo"), "hi": Signal(name="d_sel_hi_hi")}
        d_valid = Signal()
        d_op = Signal(CSROp)
        mode_is = mode_decoder(m, req.mode)
        m.submodules.read = read = ReadPath(
            cfg, cmap, split=[i for i, c in counters.items() if c.split])
        # Only writes act in the access cycle, so only their enables are decoded here; the
        # access check that the response reports is made in the access cycle, from the
        # registered request (below).
        m.d.sync += [d_valid.eq(req.valid), d_op.eq(req.op)]
        m.d.comb += [read.addr.eq(req.addr), read.mode.eq(req.mode), read.valid.eq(req.valid)]
        # A second copy of the write data drives half of the counters: it goes to every
        # writable bit of the PMU, and one register per bit would be a net spanning the whole
        # device. The copy powers up different (a value no write uses: the ops are 0), so
        # synthesis keeps it rather than merging the two.
        d_wdata_b = Signal(xlen, name="d_wdata_b", init=(1 << xlen) - 1)
        m.d.sync += [d_wdata.eq(req.wdata), d_wdata_b.eq(req.wdata)]
        # Rule 9 (WARL selector): selector bits above ``sel_width`` are only ever set by the
        # write data (the register holds 0 there), so a write setting any of them is illegal.
        sets = req.op != C(csr.CSROp.CLEAR, csr.CSR_OP_WIDTH)
        for half, lo_bit in (("lo", 0), ("hi", 32 if xlen == 32 else 0)):
            hi = req.wdata[max(0, sel_width - lo_bit):max(0, csr.EVENT_SEL_WIDTH - lo_bit)]
            m.d.sync += sel_hi_set[half].eq(sets & hi.any() if hi.shape().width else 0)
        # Each write enable from its own address match and privilege check (a function of the
        # mode alone): a short path to every enable.
        for addr, wop in d_wop.items():
            denied = Signal(csr.EXC_WIDTH, name=f"denied_{cmap[addr].name}")
            drive_exception(m, denied, cmap[addr], cfg, C(1, 1), mode_is, None, None, None,
                            shadow=Signal())
            m.d.sync += wop.eq(Mux(req.valid & (req.addr == C(addr, csr.CSR_ADDR_WIDTH))
                                   & ~denied.any(), req.op, 0))

        # -- A: writes in place -------------------------------------------------------------------
        def placed(v: Value, info: CSRInfo) -> Value:
            return Cat(C(0, 32), v) if info.half == "hi" else Cat(v, C(0, 64 - xlen))

        def written(old: Value, info: CSRInfo) -> Value:
            """The 64-bit register ``old`` after this cycle's write of ``info`` (WARL masks
            aside from rule 9); ``old`` itself when ``info`` is not written."""
            half = {"lo": 0xFFFF_FFFF, "hi": 0xFFFF_FFFF << 32}.get(info.half, M64)
            w = Const(info.writable & half, 64)
            return (old & ~w) | (write_bits(d_wop[info.addr], old, placed(d_wdata, info)) & w)

        for name, reg in regs.items():
            new = reg
            for info in writes.get(name, []):
                val = written(reg, info)
                if info.kind == Kind.EVENT:
                    sel = MHPMEVENT_LAYOUT(val).EVENT[:sel_width]
                    legal = ~sel_hi_set["hi" if info.half == "hi" else "lo"] & \
                        (sel < cfg.num_selectors)
                    val = Cat(Mux(legal, sel, 0), C(0, csr.EVENT_SEL_WIDTH - sel_width),
                              val[csr.EVENT_SEL_WIDTH:])
                new = Mux(d_wop[info.addr].any(), val, new)
            m.d.comb += nxt[name].eq(new)

        # -- I: increments, selected and gated in the cycle of the events -----------------------
        running = ~self.halt  # rule 25: stopcount stops every counter
        inc_sources: list[Value] = [C(0, 1)] * cfg.num_selectors  # selector -> increment
        inc_sources[csr.EVENT_CYCLES] = C(1, 1)
        inc_sources[csr.EVENT_INSTRET] = self.retired
        for k, e in enumerate(cfg.events):
            inc_sources[csr.event_selector(k)] = getattr(self.events, e.name)
        for i, ctr in counters.items():
            inc = Signal(inc_width, name=f"inc{i}")
            if i in (CY, IR):
                inh = self._mode_bit(m, cntcfg[i], f"cfg_inh{i}") if cfg.smcntrpmf else C(0, 1)
                en = running & ~mcountinhibit[i] & ~inh
                m.d.sync += inc.eq(Mux(en, 1 if i == CY else self.retired, 0))
            else:
                ev = mhpmevent[i]
                sel = ev.EVENT[:sel_width]
                inh = self._mode_bit(m, ev, f"inh{i}") if cfg.sscofpmf else C(0, 1)
                picked = Signal(inc_width, name=f"picked{i}")
                m.d.comb += picked.eq(mux_tree(inc_sources, sel, inc_width))
                en = running & ~mcountinhibit[i] & ~inh  # rules 10, 20, 26
                m.d.sync += inc.eq(Mux(en, picked, 0))
            m.d.comb += ctr.inc.eq(inc)

        # -- A: counters, overflow, LCOFIP ----------------------------------------------------
        of_set: dict[int, Signal] = {}
        for i, ctr in counters.items():
            wd = d_wdata if i < 16 else d_wdata_b
            m.d.comb += ctr.wdata.eq(Cat(wd, wd) if xlen == 32 else wd)
            for info in writes.get(ctr_name[i], []):
                if info.half != "hi":
                    m.d.comb += ctr.wop_lo.eq(d_wop[info.addr])
                if info.half != "lo":
                    m.d.comb += ctr.wop_hi.eq(d_wop[info.addr])
            if i not in (CY, IR) and cfg.sscofpmf:  # rules 29-32: a carry while OF = 0
                of_set[i] = Signal(name=f"of_set{i}")
                m.d.comb += of_set[i].eq(ctr.overflow & ~mhpmevent[i].OF)
        for name, reg in regs.items():
            m.d.sync += reg.eq(nxt[name])
        for i, of_set_i in of_set.items():  # the hardware's OF set, unless software writes OF
            name = f"mhpmevent{i}"
            # RV32: only mhpmeventNh writes OF; the low half leaves it to the hardware.
            of_written = Cat(*(d_wop[x.addr] for x in writes.get(name, [])
                               if x.half != "lo")).any()
            ev = mhpmevent[i]
            m.d.sync += ev.OF.eq(Mux(of_written, MHPMEVENT_LAYOUT(nxt[name]).OF,
                                     ev.OF | of_set_i))
        # Rule 33 (bounded latency): the OF sets are OR-ed in groups into registers and set
        # LCOFIP at the next edge, so no path runs from every counter's carry chain to one
        # flip-flop (docs/timing.md).
        lcofi_set = Cat(*of_set.values()).any() if of_set else C(0, 1)
        sets = list(of_set.values())
        pending = []
        for g in range(0, len(sets), 8):
            reg = Signal(name=f"lcofi_pending{g // 8}")
            m.d.sync += reg.eq(Cat(*sets[g:g + 8]).any())
            pending.append(reg)
        lcofi_pending = Cat(*pending).any() if pending else C(0, 1)
        mip_new = lcofip
        for info in writes.get("mip", []):
            mip_new = Mux(d_wop[info.addr].any(),
                          written(C(0, 64) | (lcofip << csr.MIP_LCOFIP_BIT),
                                  info)[csr.MIP_LCOFIP_BIT], mip_new)
        m.d.sync += lcofip.eq(mip_new | lcofi_pending)  # rule 34: never lost
        if self.run_status:
            m.d.comb += self.lcofi_set.eq(lcofi_set | lcofi_pending)

        # -- A/R: the access check and the read path ---------------------------------------------
        # A: the access check of the registered request (rules 11-19, docs/access.md), the
        # counter enables as they are in this cycle; registered beside the read groups.
        a_mode_is = mode_decoder(m, read.req_mode, "a")
        d_addr = read.req_addr
        hit = Signal()
        exc = Signal(csr.EXC_WIDTH)  # every check but the counter enables
        shadow = Signal()  # a below-M read of a user-level counter: the enables decide
        is_write = d_op.as_value() != CSROp.READ  # (the comparison located here, not in lib)
        with m.Switch(d_addr):
            for addr, info in cmap.items():
                with m.Case(addr):
                    m.d.comb += hit.eq(1)
                    drive_exception(m, exc, info, cfg, is_write, a_mode_is, None, None, None,
                                    shadow=shadow)
            with m.Default():
                m.d.comb += [hit.eq(0), exc.eq(csr.Exc.NONE), shadow.eq(0)]
        en_exc = counter_enable_exception(m, cfg, read.req_index, a_mode_is, regs["mcounteren"],
                                          regs["scounteren"], regs["hcounteren"])
        a_valid, a_hit, a_shadow = Signal(), Signal(), Signal()
        a_exc, a_en_exc = Signal(csr.EXC_WIDTH), Signal(csr.EXC_WIDTH)
        m.d.sync += [
            a_valid.eq(d_valid), a_hit.eq(d_valid & hit),
            a_exc.eq(Mux(d_valid & hit, exc, csr.Exc.NONE)),
            a_shadow.eq(d_valid & hit & ~exc.any() & shadow), a_en_exc.eq(en_exc),
        ]
        for i, ev in mhpmevent.items():
            m.d.comb += read.of_bits[i].eq(ev.OF)
        for i, ctr in counters.items():
            m.d.comb += getattr(read, f"counter{i}").eq(ctr.raw)
            if ctr.split:
                m.d.comb += getattr(read, f"pc{i}").eq(ctr.pc)
        for name in readable_registers(cfg):
            m.d.comb += getattr(read, name).eq(regs[name])
        m.d.comb += read.lcofip.eq(lcofip)
        total = read.rdata
        # R: the response; a miss or a failed access answers 0.
        r_exc = Signal(csr.EXC_WIDTH)
        m.d.comb += r_exc.eq(Mux(a_shadow, a_en_exc, a_exc))
        m.d.sync += [rsp.valid.eq(a_valid), rsp.hit.eq(a_hit), rsp.exc.eq(r_exc),
                     rsp.rdata.eq(Mux(a_hit & ~r_exc.any(), total, 0))]

        self.state = PMUState(
            counters={i: c.value for i, c in counters.items()},
            mhpmevent={i: v.as_value() for i, v in mhpmevent.items()},
            cfg={i: v.as_value() for i, v in cntcfg.items()}, mcountinhibit=mcountinhibit[:32],
            counteren={k: regs[k][:32] for k in ("mcounteren", "scounteren", "hcounteren")},
            lcofip=lcofip, of_set=dict(of_set))
        return m
