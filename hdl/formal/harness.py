"""The formal property harness of the PMU (docs/formal.md); ``sby.py`` runs it.

``PMUFormal`` wraps one ``PMU`` in a property harness that exists only for the ``"formal"``
platform: the PMU itself (and so the Verilog of ``rvpmu generate``) holds no property. The
harness drives every PMU input with an unconstrained value each cycle (``AnySeq``), assumes only
that the two ``mode`` inputs name a mode the hart has, and states the behaviour of
docs/timing.md and docs/access.md as a next-state specification computed independently of the
gateware:

* the expected exception of an access is derived from the address bits (read-only, privilege
  level, counter index), the existence data of ``rvpmu.csrmap`` and the counter-enable
  registers, following rules 11-19 (not from ``hdl/access.py``);
* the expected increment of a counter is decoded from its event selector, the inhibit and
  filter bits and the inputs (not from the PMU's ``inc``/``inc_en`` wiring);
* the expected value after a write is the written value merged into its half and WARL-masked
  with the ``rvpmu.csrmap`` writable masks.

Each property (``PROPERTIES``), or for a ``per_counter`` property each group of counters, is
checked in its own SymbiYosys task: ``prove`` (k-induction,
``smtbmc yices``), ``bmc`` (bounded, for configurations where induction does not fit) and
``cover`` (each property's covers are reached: it is not vacuous). Every prove/bmc task also
asserts the ``fields`` invariants (read-only-zero fields hold 0, selectors are legal), which
k-induction needs to rule out unreachable states; they are proved on their own as ``fields``.

One class states the whole next-state specification on purpose: the properties share the
decoded request, the expected increments and the expected exception, and reading them side by
side against docs/timing.md is the point of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from amaranth.hdl import (C, Assert, Assume, Cat, ClockDomain, Cover, Elaboratable, Fragment,
                          Module, Mux, Signal, Value)
from amaranth.asserts import AnySeq

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import M64, CSRInfo, Kind, csr_map

from ..pmu import PMU

Mode = csr.Mode
NONE, IIE, VIE = csr.Exc.NONE, csr.Exc.ILLEGAL_INSTRUCTION, csr.Exc.VIRTUAL_INSTRUCTION
OF_BIT = csr.MHPMEVENT_OF
LCOFIP_BIT = csr.MIP_LCOFIP_BIT


# ----------------------------------------------------------------------------------------------
# The properties
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Property:
    name: str
    rules: str  # hardware-pmu.md section (b) rule numbers
    text: str
    rv32_only: bool = False
    per_counter: bool = False  # its assertions are about one counter each: checked in groups


PROPERTIES: tuple[Property, ...] = (
    Property("count", "10, 20, 24-27",
             "a counter not written in a cycle changes by exactly its selected event's reported "
             "count when counting is enabled (not halted, not inhibited, not filtered in the "
             "cycle's mode), else keeps its value; the count wraps at the implemented width",
             per_counter=True),
    Property("write", "21, 22",
             "an explicit CSR write of a counter (or of one RV32 half) sets it to the written "
             "value, merged into its half and cut to the implemented width; it wins over the "
             "increment of the same cycle",
             per_counter=True),
    Property("halt", "25", "with halt = 1 no counter changes except by an explicit write",
             per_counter=True),
    Property("sel0", "10", "a programmable counter whose event selector is 0 never counts",
             per_counter=True),
    Property("inhibit", "20, 26, 27",
             "a counter whose mcountinhibit bit is set, or whose xINH bit (mhpmevent or "
             "mcyclecfg/minstretcfg) matches the cycle's mode, does not count",
             per_counter=True),
    Property("overflow", "29-32, 36",
             "OF is set exactly when an increment carries out of the implemented width while "
             "OF was 0; it is never set by a write of the counter; a write of OF in the same "
             "cycle (mhpmevent on RV64, mhpmeventh on RV32) wins over the hardware set, a write "
             "of the RV32 low half does not; OF is otherwise sticky",
             per_counter=True),
    Property("lcofip", "31, 33, 34, 36",
             "LCOFIP is set exactly when some counter carries out while its OF was 0, one cycle "
             "later; a coincident software write of mip never loses that set; otherwise LCOFIP "
             "changes only by a write of mip",
             per_counter=True),
    Property("registers", "5-9, 23",
             "mhpmevent (but OF), mcyclecfg/minstretcfg, mcountinhibit and m/s/hcounteren change "
             "only by a legal CSR write, to the written value under the WARL rules (writable "
             "masks, unsupported event selector -> 0)"),
    Property("access", "1, 3, 4, 11-19",
             "every access gets the exception the access rules define, in every mode; the "
             "response follows two cycles after the access cycle with hit = decoded, rdata = 0 "
             "on a fault or a miss; a faulting access changes no state (see "
             "count/write/registers/lcofip)"),
    Property("read", "2, 3, 19, 37",
             "a successful access returns the CSR's value before the cycle's update (its RV32 "
             "half), scountovf masked by mcounteren (S) and mcounteren & hcounteren (VS)"),
    Property("fields", "1, 2, 5-9, 36",
             "mcountinhibit bit 1 and every unimplemented field (bits beyond a counter's width, "
             "WPRI, xINH of absent modes, OF without Sscofpmf, registers of absent counters) "
             "hold and read 0; event selectors hold supported values"),
    Property("half", "3, 22",
             "an RV32 write of one half of a counter or of mcyclecfg/minstretcfg (or of "
             "mhpmevent, when the selector stays supported) leaves the other half unchanged",
             rv32_only=True,
             per_counter=True),
)
PROPERTY_NAMES = tuple(p.name for p in PROPERTIES)
HELPERS = "fields"  # asserted in every prove/bmc task as induction invariants


def counter_indices(config: PMUConfig) -> tuple[int, ...]:
    """mcycle, minstret and the programmable counters of ``config``."""
    return (csr.CY, csr.IR, *config.hpm_indices)


def properties_for(config: PMUConfig) -> tuple[str, ...]:
    """The property names that apply to ``config`` (``half`` only on RV32)."""
    return tuple(p.name for p in PROPERTIES if config.xlen == 32 or not p.rv32_only)


# ----------------------------------------------------------------------------------------------
# The harness
# ----------------------------------------------------------------------------------------------


class PMUFormal(Elaboratable):
    """A ``PMU`` with free inputs and the assertions (or covers) of some ``PROPERTIES``.

    ``mode`` is ``"prove"`` (assertions, also used for bounded checks) or ``"cover"``.
    ``pmu_class`` builds the design under test: a subclass of ``PMU`` (for example with a
    broken ``counter_class``) shows that the properties catch a bug. ``counters`` (default: all)
    keeps only the assertions about those counter indices, plus every assertion that is not about
    one counter: the solver then refutes a few counters' assertions at a time, which keeps the
    induction of a large configuration quick (docs/formal.md, "Counter groups"). Elaborated
    only for the platform ``"formal"``.
    """

    def __init__(self, config: PMUConfig | None = None, properties: Iterable[str] | None = None,
                 mode: str = "prove", pmu_class: type[PMU] = PMU,
                 counters: Iterable[int] | None = None):
        self._MustUse__silence = True  # not "unused" when a check below raises
        self.config = config if config is not None else PMUConfig()
        applicable = properties_for(self.config)
        self.properties = tuple(applicable if properties is None else properties)
        for name in self.properties:
            if name not in applicable:
                raise ValueError(f"property {name!r} does not apply to this configuration; "
                                 f"choose from {', '.join(applicable)}")
        if mode not in ("prove", "cover"):
            raise ValueError(f"mode must be 'prove' or 'cover', got {mode!r}")
        self.counters = None if counters is None else tuple(sorted(set(counters)))
        for i in self.counters or ():
            if i not in counter_indices(self.config):
                raise ValueError(f"counter {i} does not exist in this configuration")
        self._MustUse__silence = False
        self.mode = mode
        self.pmu_class = pmu_class

    def elaborate(self, platform):
        if platform != "formal":
            raise ValueError("PMUFormal holds assertions: elaborate it only with "
                             "platform='formal' (rvpmu.hdl.formal.rtlil_text)")
        m = Module()
        # No reset input: every proof starts from the registers' init values (all 0, the reset
        # state of docs/decisions.md item 1), or, for induction, from any state.
        m.domains.sync = ClockDomain("sync", reset_less=True)
        cfg = self.config
        xlen = cfg.xlen
        cmap = csr_map(cfg)
        pmu = self.pmu_class(cfg)
        # Elaborated here, not by the caller: the properties need the state it records.
        m.submodules.pmu = Fragment.get(pmu, platform)
        st = pmu.state
        selected = set(self.properties)
        asserting = self.mode == "prove"
        self.covers = 0  # how many Cover statements the last elaboration emitted
        self.asserts = 0  # and how many assertions of the selected properties (helpers aside)

        def prop(name: str, cond: Value, *, helper: bool = False) -> None:
            """Assert ``cond`` in every cycle if ``name``'s property is checked."""
            if asserting and (name in selected or (helper and name == HELPERS)):
                m.d.comb += Assert(cond, name, src_loc_at=1)
                self.asserts += name in selected

        def check(name: str, cond: Value, when: Value = C(1, 1), at: int | None = None) -> None:
            """Assert ``cond`` from the second cycle on, in cycles where ``when`` holds
            (``cond`` and ``when`` compare the state with ``past`` values); ``at``: the
            counter it is about, left out when the task checks other counters."""
            if at is not None and self.counters is not None and at not in self.counters:
                return
            if asserting and name in selected:
                with m.If(past_valid & when):
                    m.d.comb += Assert(cond, name, src_loc_at=1)
                self.asserts += 1

        def cover(name: str, cond: Value) -> None:
            if not asserting and name in selected:
                m.d.comb += Cover(cond, name, src_loc_at=1)
                self.covers += 1

        def sig(value: Value, name: str) -> Signal:
            s = Signal(len(value), name=name)
            m.d.comb += s.eq(value)
            return s

        past_valid = Signal()
        m.d.sync += past_valid.eq(1)

        def past(value: Value, name: str) -> Signal:
            """``value`` as it was in the previous cycle (meaningful when ``past_valid``).
            Called outside any ``m.If``: the register samples every cycle."""
            r = Signal(len(value), name=f"past_{name}")
            m.d.sync += r.eq(value)
            return r

        # -- free inputs and the environment ----------------------------------------------------
        req, rsp = pmu.csr_req, pmu.csr_rsp
        for s in (req.valid, req.addr, req.op, req.wdata, req.mode, pmu.retired, pmu.mode,
                  pmu.halt):
            m.d.comb += s.eq(AnySeq(len(s)))
        events = [getattr(pmu.events, e.name) for e in cfg.events]
        for s in events:
            m.d.comb += s.eq(AnySeq(len(s)))

        def mode_is(mode_sig: Value, md: Mode) -> Value:
            return mode_sig == C(md, csr.MODE_WIDTH)

        def legal_mode(mode_sig: Value) -> Value:
            return Cat(*(mode_is(mode_sig, md) for md in cfg.modes)).any()

        # The core drives only modes the hart has (docs/timing.md); everything else is free.
        m.d.comb += [Assume(legal_mode(pmu.mode)), Assume(~req.valid | legal_mode(req.mode))]

        # The pipelined contract (docs/timing.md): a request presented in cycle t is performed
        # in cycle t + 1 (the access cycle, where everything below is stated) and answered in
        # cycle t + 3; a cycle's increments are added at the end of the next cycle.
        q_valid, q_op = past(req.valid, "q_valid"), past(req.op, "q_op")
        q_wdata, q_mode = past(req.wdata, "q_wdata"), past(req.mode, "q_mode")
        q_addr = past(req.addr, "q_addr")

        def past2(value: Value, name: str) -> Signal:
            return past(past(value, name + "_1"), name)

        # -- the expected exception (rules 1, 3, 4, 11-19), from address bits + csrmap -----------
        addr, rmode = q_addr, q_mode
        is_write = sig(q_op != C(csr.CSROp.READ, csr.CSR_OP_WIDTH), "f_is_write")
        decoded = Signal(name="f_decoded")
        exists = Signal(name="f_exists")
        with m.Switch(addr):
            for a, info in cmap.items():
                with m.Case(a):
                    m.d.comb += [decoded.eq(1), exists.eq(int(info.exists))]
        read_only = addr[10:12] == 0b11  # norm:Zicsr_illegal_acc
        level = addr[8:10]  # lowest privilege level allowed
        index = addr[0:5]  # counter index of cycle/instret/hpmcounterN(h)
        men = st.counteren["mcounteren"].bit_select(index, 1)
        sen = st.counteren["scounteren"].bit_select(index, 1) if cfg.has_s else C(1, 1)
        hen = st.counteren["hcounteren"].bit_select(index, 1) if cfg.has_h else C(1, 1)
        r_m, r_u = mode_is(rmode, Mode.M), mode_is(rmode, Mode.U)
        r_vs, r_vu = mode_is(rmode, Mode.VS), mode_is(rmode, Mode.VU)
        exp_exc = Signal(csr.EXC_WIDTH, name="f_exp_exc")
        with m.If(~exists):
            m.d.comb += exp_exc.eq(IIE)  # rules 3, 4: absent in this configuration
        with m.Elif(is_write & read_only):
            m.d.comb += exp_exc.eq(IIE)  # rules 11, 19: any mode, VS/VU included
        with m.Elif(r_m):
            pass  # rule 1: nothing else traps in M-mode
        with m.Elif(level == 3):
            m.d.comb += exp_exc.eq(IIE)
        with m.Elif(level == 2):  # hcounteren
            with m.If(r_u):
                m.d.comb += exp_exc.eq(IIE)
            with m.Elif(r_vs | r_vu):
                m.d.comb += exp_exc.eq(VIE)
        with m.Elif(level == 1):  # scounteren, scountovf
            with m.If(r_u):
                m.d.comb += exp_exc.eq(IIE)
            with m.Elif(r_vu):
                m.d.comb += exp_exc.eq(VIE)
        with m.Else():  # user-level counter shadows, reads only (rules 12-15, 18)
            with m.If(~men):
                m.d.comb += exp_exc.eq(IIE)
            with m.Elif(r_u & ~sen):
                m.d.comb += exp_exc.eq(IIE)  # rule 13: either enable revokes
            with m.Elif(r_vs & ~hen):
                m.d.comb += exp_exc.eq(VIE)  # rule 14
            with m.Elif(r_vu & ~(hen & sen)):
                m.d.comb += exp_exc.eq(VIE)  # rule 15
        hit = sig(q_valid & decoded, "f_hit")
        acc_ok = sig(hit & (exp_exc == NONE), "f_acc_ok")
        wr = sig(acc_ok & is_write, "f_wr")

        # -- register contents, reads and written values --------------------------------------
        of_bits = Signal(32, name="f_of_bits")
        for i, ev in st.mhpmevent.items():
            m.d.comb += of_bits[i].eq(ev[OF_BIT])
        ovf_mask = Mux(r_m, C(0xFFFF_FFFF, 32),
                       Mux(r_vs, st.counteren["mcounteren"] & st.counteren["hcounteren"],
                           st.counteren["mcounteren"]))  # rule 19

        def reg64(info: CSRInfo) -> Value:
            k = info.kind
            if k in (Kind.COUNTER, Kind.SHADOW):
                v = st.counters.get(info.index)
            elif k == Kind.EVENT:
                v = st.mhpmevent.get(info.index)
            elif k == Kind.CFG:
                v = st.cfg.get(info.index)
            elif k == Kind.INHIBIT:
                v = st.mcountinhibit
            elif k == Kind.COUNTEREN:
                v = st.counteren[info.reg]
            elif k == Kind.SCOUNTOVF:
                v = of_bits & ovf_mask
            elif k == Kind.MIP:
                v = st.lcofip << LCOFIP_BIT
            else:
                raise AssertionError(k)
            return C(0, 64) if v is None else Cat(v, C(0, 64))[:64]

        def view(info: CSRInfo, v: Value) -> Value:
            v = Cat(v, C(0, 64))[:64]
            return v[32:64] if info.half == "hi" else v[0:32] if info.half == "lo" else v[0:xlen]

        def view_int(info: CSRInfo, v: int) -> int:
            return (v >> 32) & 0xFFFF_FFFF if info.half == "hi" else \
                v & 0xFFFF_FFFF if info.half == "lo" else v & ((1 << xlen) - 1)

        def readable(info: CSRInfo) -> int:
            """Bits of the 64-bit register that may read 1 (all others are read-only 0)."""
            if info.kind == Kind.SHADOW:
                return cmap[csr.MHPMCOUNTER_BASE + info.index].writable
            if info.kind == Kind.SCOUNTOVF:
                return sum(1 << i for i in cfg.hpm_indices) if cfg.sscofpmf else 0
            return info.writable

        exp_read = Signal(xlen, name="f_exp_read")
        read_mask = Signal(xlen, name="f_read_mask")
        with m.Switch(addr):
            for a, info in cmap.items():
                if info.exists:
                    with m.Case(a):
                        m.d.comb += [exp_read.eq(view(info, reg64(info))),
                                     read_mask.eq(view_int(info, readable(info)))]

        def wr_at(info: CSRInfo) -> Value:
            return wr & (addr == C(info.addr, csr.CSR_ADDR_WIDTH))

        def written_value(info: CSRInfo) -> Value:
            """The 64-bit register after this cycle's write of ``info`` (before rule 9)."""
            old = reg64(info)
            old_view = view(info, old)
            with_op = Mux(q_op == C(csr.CSROp.WRITE, csr.CSR_OP_WIDTH), q_wdata,
                          Mux(q_op == C(csr.CSROp.SET, csr.CSR_OP_WIDTH),
                              old_view | q_wdata, old_view & ~q_wdata))
            if info.half == "lo":
                new = Cat(with_op, old[32:64])
            elif info.half == "hi":
                new = Cat(old[0:32], with_op)
            else:
                new = Cat(with_op, C(0, 64))[:64]
            return new & C(info.writable, 64)

        def writes_of(kind: Kind, index: int | None = None, reg: str | None = None):
            return [info for info in cmap.values()
                    if info.kind == kind and info.exists and info.writable
                    and (index is None or info.index == index) and (reg is None or info.reg == reg)]

        def after_writes(infos: Sequence[CSRInfo], old: Value, name: str,
                         warl: Callable[[Value], Value] = lambda v: v) -> tuple[Value, Value]:
            """(written this cycle, the value the write leaves) for the register of ``infos``."""
            written = sig(Cat(*(wr_at(x) for x in infos)).any() if infos else C(0, 1),
                          f"f_{name}_written")
            value = Cat(old, C(0, 64))[:64]
            for x in infos:
                value = Mux(wr_at(x), warl(written_value(x)), value)
            return written, sig(value, f"f_{name}_wval")

        def inh_of(reg: Value) -> Value:
            """The xINH bit of ``reg`` for the cycle's mode (rule 26 mapping)."""
            return Cat(*(mode_is(pmu.mode, md) & reg[csr.INH_BIT[md]] for md in cfg.modes)).any()

        def sel_warl(v: Value) -> Value:  # rule 9, docs/decisions.md item 3
            legal = v[0:csr.EVENT_SEL_WIDTH] < cfg.num_selectors
            return Mux(legal, v, v & C(M64 ^ csr.EVENT_SEL_MASK, 64))

        running = ~pmu.halt
        names = {csr.CY: "mcycle", csr.IR: "minstret"}
        p_halt = past2(pmu.halt, "halt")

        # -- counters -----------------------------------------------------------------------------
        carries: dict[int, Signal] = {}  # carry out of the width by this cycle's increment
        would_carry: dict[int, Signal] = {}  # the same, were the counter not written
        hpm = list(cfg.hpm_indices)
        show = sorted({csr.CY, csr.IR, *hpm[:1], *hpm[-1:]})  # counters given covers
        for i, value in st.counters.items():
            name = names.get(i, f"mhpmcounter{i}")
            w = len(value)
            written, wval = after_writes(writes_of(Kind.COUNTER, index=i), value, name)
            inhibited = st.mcountinhibit[i]
            if i in (csr.CY, csr.IR):
                filtered = inh_of(st.cfg[i]) if cfg.smcntrpmf else C(0, 1)
                inc = C(1, 1) if i == csr.CY else pmu.retired
                sel_zero = C(0, 1)
            else:
                ev = st.mhpmevent[i]
                filtered = inh_of(ev) if cfg.sscofpmf else C(0, 1)
                sel = ev[0:csr.EVENT_SEL_WIDTH]
                inc = C(0, 1)
                for k in reversed(range(len(cfg.events))):
                    inc = Mux(sel == csr.event_selector(k), events[k], inc)
                inc = Mux(sel == csr.EVENT_INSTRET, pmu.retired,
                          Mux(sel == csr.EVENT_CYCLES, 1, inc))
                sel_zero = sel == csr.EVENT_NONE
            inc = sig(inc, f"f_{name}_inc")
            enabled = sig(running & ~inhibited & ~filtered, f"f_{name}_en")
            applied = past(Mux(enabled, inc, 0), f"{name}_applied")  # last cycle's increment
            total = Signal(max(w, len(inc)) + 1, name=f"f_{name}_total")
            m.d.comb += total.eq(value + applied)
            would_carry[i] = sig(total[w:].any(), f"f_{name}_would_carry")
            carry = sig(~written & would_carry[i], f"f_{name}_carry")
            carries[i] = carry
            counts = applied != 0

            p_written, p_wval = past(written, f"{name}_written"), past(wval[:w], f"{name}_wval")
            p_value, p_total = past(value, name), past(total[:w], f"{name}_total")
            p_sel0 = past2(sel_zero, f"{name}_sel0")  # of the cycle whose increment applies
            p_inh = past2(inhibited | filtered, f"{name}_inh")
            check("count", value == p_total, when=~p_written, at=i)
            check("halt", value == p_value, when=~p_written & p_halt, at=i)
            check("sel0", value == p_value, when=~p_written & p_sel0, at=i)
            check("inhibit", value == p_value, when=~p_written & p_inh, at=i)
            check("write", value == p_wval, when=p_written, at=i)
            if xlen == 32:
                v64, o64 = Cat(value, C(0, 64))[:64], Cat(p_value, C(0, 64))[:64]
                for x in writes_of(Kind.COUNTER, index=i):
                    p_x = past(wr_at(x), f"{name}_{x.half}")
                    if x.half == "lo":
                        check("half", v64[32:] == o64[32:], when=p_x, at=i)
                    else:
                        check("half", v64[:32] == o64[:32], when=p_x, at=i)

            if i in show:
                cover("count", ~written & counts & ~mode_is(pmu.mode, Mode.M))
                cover("write", written & counts)
                cover("halt", ~running & ~written & ~inhibited & ~filtered & (inc != 0)
                      & ~sel_zero)
                if i not in (csr.CY, csr.IR):
                    cover("sel0", sel_zero & running & ~inhibited & ~filtered & ~written
                          & (pmu.retired != 0))
                cover("inhibit", inhibited & running & ~written & (inc != 0) & ~sel_zero)
                if (i in (csr.CY, csr.IR) and cfg.smcntrpmf) or (i in hpm and cfg.sscofpmf):
                    cover("inhibit", filtered & ~inhibited & running & ~written & (inc != 0)
                          & ~sel_zero & ~mode_is(pmu.mode, Mode.M))
                if xlen == 32:
                    infos = writes_of(Kind.COUNTER, index=i)
                    for x in infos:
                        other = value[32:] if x.half == "lo" else value[:32]
                        if len(other):
                            cover("half", wr_at(x) & (other != 0) & counts)
                if i in hpm and len(inc) > 1:
                    cover("count", ~written & enabled & (inc > 1))
                if hpm and i == hpm[0] and events:
                    cover("count", ~written & enabled & (sel == csr.event_selector(0))
                          & (events[0] != 0))

        # -- overflow and LCOFIP (rules 29-34) ------------------------------------------------
        new_request = []
        for i, ev in st.mhpmevent.items():
            name = f"mhpmevent{i}"
            ev_written, ev_wval = after_writes(writes_of(Kind.EVENT, index=i), ev, name,
                                               warl=sel_warl)
            of = ev[OF_BIT]
            carry = carries[i]
            of_set = carry if cfg.sscofpmf else C(0, 1)  # rule 36: no OF without Sscofpmf
            new_request.append(of_set & ~of)
            # The PMU's own OF set of this counter is the expected one. The LCOFIP checks below
            # are stated over the PMU's OF sets: with this, per counter, they are the checks
            # over the expected requests, and a group of counters is proved at a time.
            check("lcofip", st.of_set.get(i, C(0, 1)) == (of_set & ~of), at=i)
            ctr_written = sig(Cat(*(wr_at(x) for x in writes_of(Kind.COUNTER, index=i))).any(),
                              f"f_{name}_ctr_written")
            # OF is written by a full-width write or, on RV32, by a write of mhpmeventNh only: a
            # write of the low half leaves OF to the hardware (docs/decisions.md item 4).
            of_writers = [x for x in writes_of(Kind.EVENT, index=i) if x.half != "lo"]
            of_written = sig(Cat(*(wr_at(x) for x in of_writers)).any() if of_writers
                             else C(0, 1), f"f_{name}_of_written")
            rest = C(M64 ^ (1 << OF_BIT), 64)
            p_ev = past(ev, name)
            p_written, p_wval = past(ev_written, f"{name}_written"), past(ev_wval, f"{name}_wval")
            p_of_written = past(of_written, f"{name}_of_written")
            p_of_next = past(of | of_set, f"{name}_of_next")
            p_ctr_written = past(ctr_written, f"{name}_ctr_written")
            check("registers", (ev & rest) == (p_wval & rest), when=p_written, at=i)
            check("registers", (ev & rest) == (p_ev & rest), when=~p_written, at=i)
            check("overflow", of == p_wval[OF_BIT], when=p_of_written, at=i)  # the write wins
            check("overflow", of == p_of_next, when=~p_of_written, at=i)
            check("overflow", of == p_ev[OF_BIT], when=~p_of_written & p_ctr_written,
                  at=i)  # rule 30
            if xlen == 32:
                for x in writes_of(Kind.EVENT, index=i):
                    # the other half, but OF: the hardware may set it (see "overflow")
                    keep = slice(32, OF_BIT) if x.half == "lo" else slice(0, 32)
                    p_x = past(wr_at(x), f"{name}_{x.half}")
                    p_legal = past(written_value(x)[0:csr.EVENT_SEL_WIDTH] < cfg.num_selectors,
                                   f"{name}_{x.half}_legal")
                    check("half", ev[keep] == p_ev[keep], when=p_x & p_legal, at=i)
            if i in show and cfg.sscofpmf:
                cover("overflow", carry & ~of)
                cover("overflow", carry & of)
                cover("overflow", ctr_written & would_carry[i])  # the write: no overflow
                cover("overflow", of_written & carry & ~of & ~ev_wval[OF_BIT])  # write wins
                if xlen == 32:  # a selector write does not hide the overflow
                    cover("overflow", ev_written & ~of_written & carry & ~of)
            elif i in show:
                cover("overflow", carry)  # a wrap that must not set OF (rule 36)
            if i in show:
                first = writes_of(Kind.EVENT, index=i)[0]
                cover("registers", wr_at(first) & (written_value(first)[0:csr.EVENT_SEL_WIDTH]
                                                   >= cfg.num_selectors))  # rule 9
                cover("registers", ev_written & (ev_wval[0:csr.EVENT_SEL_WIDTH]
                                                 == csr.EVENT_INSTRET))

        request = sig(Cat(*new_request).any() if new_request else C(0, 1), "f_lcofi_request")
        pmu_sets = list(st.of_set.values())
        pmu_request = sig(Cat(*pmu_sets).any() if pmu_sets else C(0, 1), "f_pmu_lcofi_request")
        mip = cmap[csr.MIP]
        mip_written, mip_wval = after_writes(writes_of(Kind.MIP), st.lcofip << LCOFIP_BIT, "mip")
        # An overflow's LCOFIP set lands one edge after its OF set (rule 33, docs/timing.md).
        p_request = past(request, "lcofi_request")  # for the covers
        p_pmu_request = past(pmu_request, "pmu_lcofi_request")
        lcofip_next = Mux(mip_written, mip_wval[LCOFIP_BIT], st.lcofip) | p_pmu_request
        p_next = past(lcofip_next, "lcofip_next")
        p2_request = past(p_pmu_request, "pmu_lcofi_request2")
        check("lcofip", st.lcofip == p_next)
        check("lcofip", st.lcofip, when=p2_request)  # rule 34: never lost
        if cfg.sscofpmf:
            cover("lcofip", p_request & mip_written & ~mip_wval[LCOFIP_BIT])
            cover("lcofip", ~p_request & mip_written & ~mip_wval[LCOFIP_BIT] & st.lcofip)
            cover("lcofip", p_request & ~st.lcofip)
        else:  # rule 36: LCOFIP read-only 0, whatever software writes and counters do
            cover("lcofip", acc_ok & is_write & (addr == csr.MIP) & q_wdata[LCOFIP_BIT]
                  & Cat(*carries.values()).any())

        # -- the other registers ----------------------------------------------------------------
        others = [(f"cfg{i}", st.cfg[i], writes_of(Kind.CFG, index=i)) for i in st.cfg]
        others.append(("mcountinhibit", st.mcountinhibit, writes_of(Kind.INHIBIT)))
        for reg, value in st.counteren.items():
            others.append((reg, value, writes_of(Kind.COUNTEREN, reg=reg)))
        for name, value, infos in others:
            written, wval = after_writes(infos, value, name)
            p_value = past(value, name)
            p_expect = past(Mux(written, wval[:len(value)], value), f"{name}_expect")
            check("registers", value == p_expect)
            if xlen == 32 and len(value) == 64:
                for x in infos:
                    keep = slice(32, 64) if x.half == "lo" else slice(0, 32)
                    check("half", value[keep] == p_value[keep],
                          when=past(wr_at(x), f"{name}_{x.half}"))
            for x in infos:
                if view_int(x, x.writable):  # this half has writable bits
                    cover("registers", wr_at(x) & (wval[:len(value)] != value))

        # -- invariants: read-only-zero fields hold 0, selectors are supported ------------------
        def zero_outside(value: Value, info: CSRInfo) -> Value:
            return (Cat(value, C(0, 64))[:64] & C(M64 ^ info.writable, 64)) == 0

        prop("fields", ~st.mcountinhibit[csr.TM], helper=True)
        prop("fields", zero_outside(st.mcountinhibit, cmap[csr.MCOUNTINHIBIT]), helper=True)
        for i, ev in st.mhpmevent.items():
            prop("fields", zero_outside(ev, cmap[csr.mhpmevent(i)]), helper=True)
            prop("fields", ev[0:csr.EVENT_SEL_WIDTH] < cfg.num_selectors, helper=True)
        for i, reg in st.cfg.items():
            info = cmap[csr.MCYCLECFG if i == csr.CY else csr.MINSTRETCFG]
            prop("fields", zero_outside(reg, info), helper=True)
        for name, reg in st.counteren.items():
            info = next(x for x in cmap.values() if x.reg == name)
            prop("fields", zero_outside(reg, info), helper=True)
        prop("fields", zero_outside(st.lcofip << LCOFIP_BIT, mip), helper=True)
        p_ok, p_mask = past2(acc_ok, "acc_ok"), past2(read_mask, "read_mask")
        p_inhibit_rd = past2(acc_ok & (addr == csr.MCOUNTINHIBIT), "inhibit_read")
        check("fields", (rsp.rdata & ~p_mask) == 0, when=p_ok)
        check("fields", ~rsp.rdata[csr.TM], when=p_inhibit_rd)
        cover("fields", acc_ok & ~is_write & (addr == csr.MCOUNTINHIBIT)
              & (st.mcountinhibit == cmap[csr.MCOUNTINHIBIT].writable))
        cover("fields", wr_at(cmap[csr.MCOUNTINHIBIT]) & (q_op == csr.CSROp.WRITE)
              & (q_wdata == (1 << xlen) - 1))
        absent = [i for i in range(csr.HPM_FIRST, csr.HPM_LAST + 1) if i not in st.counters]
        if absent:
            cover("fields", wr_at(cmap[csr.MHPMCOUNTER_BASE + absent[0]]) & (q_wdata != 0))

        # -- the response (rules 11-19), two cycles after the access cycle -------------------------
        p_valid, p_hit = past2(q_valid, "req_valid"), past2(hit, "hit")
        p_exc = past2(Mux(hit, exp_exc, NONE), "exc")
        p_read = past2(exp_read, "exp_read")
        check("access", rsp.valid == p_valid)
        check("access", rsp.hit == p_hit)
        check("access", rsp.exc == p_exc)
        check("access", rsp.rdata == 0, when=~p_ok)
        check("read", rsp.rdata == p_read, when=p_ok)
        for md in cfg.modes:
            outcomes = [NONE, IIE] + ([VIE] if md.virtual else [])
            for exc in outcomes:
                cover("access", hit & mode_is(rmode, md) & (exp_exc == exc))
        cover("access", q_valid & ~decoded)
        if cfg.has_s:  # rule 13: scounteren alone revokes U-mode access
            cover("access", hit & r_u & (level == 0) & men & ~sen)
        if cfg.has_h:  # rule 15: scounteren alone revokes VU-mode access (VIE)
            cover("access", hit & r_vu & (level == 0) & men & hen & ~sen)
        lowest = min(cfg.modes, key=lambda md: (md.priv, -md.virtual)) if len(cfg.modes) > 1 \
            else Mode.M
        cover("read", acc_ok & ~is_write & (level == 0) & mode_is(rmode, lowest)
              & (exp_read != 0))
        if cmap[csr.SCOUNTOVF].exists:
            ovf_read = acc_ok & (addr == csr.SCOUNTOVF) & ~r_m
            cover("read", ovf_read & (exp_read != 0))  # an OF bit shown below M
            cover("read", ovf_read & ((of_bits & ~ovf_mask) != 0))  # an OF bit masked (rule 19)
        return m
