"""What every property group of the formal harness shares (docs/formal.md, "The harness").

``Spec`` is built once per elaboration of ``PMUFormal``. It drives the PMU's inputs with free
values, makes the two assumptions, registers the request of the access cycle (docs/timing.md)
and holds:

* the emitters every group states its properties with: ``check`` (an assertion about the
  previous cycle, optionally about one counter), ``prop`` (a plain assertion, for the ``fields``
  invariants), ``cover``, ``sig``, ``past``/``past2``;
* the harness's own model of the CSRs, independent of the gateware: a register's 64-bit value
  (``reg64``), its RV32 halves (``view``), which writes reach it (``writes_of``, ``wr_at``) and
  the value a write leaves under the ``rvpmu.csrmap`` writable masks (``written_value``,
  ``after_writes``, ``sel_warl`` for rule 9);
* what the groups hand on: ``access`` (the expected exception of the access, from
  ``access.expect``), ``reads`` (the expected read data) and the counters' carries (from
  ``counting.check``, for ``overflow.check``).

Nothing here asserts anything; the groups do (see ``harness.py`` for the list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from amaranth.asserts import AnySeq
from amaranth.hdl import C, Assert, Assume, Cat, Cover, Module, Mux, Signal, Value

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import M64, CSRInfo, Kind, csr_map

from ..pmu import PMU

Mode = csr.Mode
NONE, IIE, VIE = csr.Exc.NONE, csr.Exc.ILLEGAL_INSTRUCTION, csr.Exc.VIRTUAL_INSTRUCTION
OF_BIT = csr.MHPMEVENT_OF
LCOFIP_BIT = csr.MIP_LCOFIP_BIT
HELPERS = "fields"  # asserted in every prove/bmc task as induction invariants


@dataclass(frozen=True)
class Access:
    """The access cycle's request as the access rules see it (built by ``access.expect``)."""

    is_write: Signal
    decoded: Signal  # the address is one of the PMU's
    level: Value  # address bits 9:8, the lowest privilege level allowed
    men: Value  # the counter-enable bits of the addressed counter (1 without the mode)
    sen: Value
    hen: Value
    r_m: Value  # the request's mode
    r_u: Value
    r_vs: Value
    r_vu: Value
    exc: Signal  # the expected exception
    hit: Signal  # valid and decoded
    ok: Signal  # hit without an exception
    wr: Signal  # a legal write


@dataclass(frozen=True)
class Reads:
    """What a successful read returns (built by ``access.expect``)."""

    of_bits: Signal  # every counter's OF bit, at its index
    ovf_mask: Value  # scountovf's mask in the request's mode (rule 19)
    value: Signal  # the addressed CSR's value (its RV32 half)
    mask: Signal  # the bits of that CSR that may read 1


class Spec:
    """The shared context of the property groups: see the module docstring."""

    def __init__(self, m: Module, config: PMUConfig, pmu: PMU, properties: Iterable[str],
                 asserting: bool, counters: tuple[int, ...] | None):
        self.m = m
        self.cfg = config
        self.xlen = config.xlen
        self.cmap = csr_map(config)
        self.pmu = pmu
        self.st = pmu.state  # the PMU's architectural state (PMU.state)
        self.selected = set(properties)
        self.asserting = asserting  # False: the covers are emitted instead
        self.counters = counters  # the counters whose assertions are kept (None: all)
        self.asserts = 0  # assertions of the selected properties (helpers aside)
        self.covers = 0
        self.access: Access | None = None
        self.reads: Reads | None = None
        self._p_ok: Signal | None = None
        self.carries: dict[int, Signal] = {}  # carry out of the width by this cycle's increment
        self.would_carry: dict[int, Signal] = {}  # the same, were the counter not written
        self.hpm = list(config.hpm_indices)
        # The counters given covers: mcycle, minstret, the first and last programmable one.
        self.show = sorted({csr.CY, csr.IR, *self.hpm[:1], *self.hpm[-1:]})

        self.past_valid = Signal(name="past_valid")
        m.d.sync += self.past_valid.eq(1)

        # -- free inputs and the environment ----------------------------------------------------
        req = pmu.csr_req
        for s in (req.valid, req.addr, req.op, req.wdata, req.mode, pmu.retired, pmu.mode,
                  pmu.halt):
            m.d.comb += s.eq(AnySeq(len(s)))
        self.events = [getattr(pmu.events, e.name) for e in config.events]
        for s in self.events:
            m.d.comb += s.eq(AnySeq(len(s)))
        # The core drives only modes the hart has (docs/timing.md); everything else is free.
        m.d.comb += [Assume(self.legal_mode(pmu.mode)),
                     Assume(~req.valid | self.legal_mode(req.mode))]

        # The pipelined contract (docs/timing.md): a request presented in cycle t is performed
        # in cycle t + 1 (the access cycle, where every group states its properties) and
        # answered in cycle t + 3; a cycle's increments are added at the end of the next cycle.
        self.q_valid, self.q_op = self.past(req.valid, "q_valid"), self.past(req.op, "q_op")
        self.q_wdata = self.past(req.wdata, "q_wdata")
        self.q_mode = self.past(req.mode, "q_mode")
        self.q_addr = self.past(req.addr, "q_addr")

    # -- emitting ---------------------------------------------------------------------------------

    def prop(self, name: str, cond: Value, *, helper: bool = False) -> None:
        """Assert ``cond`` in every cycle if ``name``'s property is checked."""
        if self.asserting and (name in self.selected or (helper and name == HELPERS)):
            self.m.d.comb += Assert(cond, name, src_loc_at=1)
            self.asserts += name in self.selected

    def check(self, name: str, cond: Value, when: Value = C(1, 1), at: int | None = None) -> None:
        """Assert ``cond`` from the second cycle on, in cycles where ``when`` holds (``cond``
        and ``when`` compare the state with ``past`` values); ``at``: the counter it is about,
        left out when the task checks other counters."""
        if at is not None and self.counters is not None and at not in self.counters:
            return
        if self.asserting and name in self.selected:
            with self.m.If(self.past_valid & when):
                self.m.d.comb += Assert(cond, name, src_loc_at=1)
            self.asserts += 1

    def cover(self, name: str, cond: Value) -> None:
        if not self.asserting and name in self.selected:
            self.m.d.comb += Cover(cond, name, src_loc_at=1)
            self.covers += 1

    def sig(self, value: Value, name: str) -> Signal:
        s = Signal(len(value), name=name)
        self.m.d.comb += s.eq(value)
        return s

    def past(self, value: Value, name: str) -> Signal:
        """``value`` as it was in the previous cycle (meaningful when ``past_valid``).
        Called outside any ``m.If``: the register samples every cycle."""
        r = Signal(len(value), name=f"past_{name}")
        self.m.d.sync += r.eq(value)
        return r

    def past2(self, value: Value, name: str) -> Signal:
        return self.past(self.past(value, name + "_1"), name)

    @property
    def p_ok(self) -> Signal:
        """Whether the access answered in this cycle succeeded (``fields`` and ``access`` use
        it; made on first use, so once)."""
        if self._p_ok is None:
            self._p_ok = self.past2(self.access.ok, "acc_ok")
        return self._p_ok

    # -- modes -------------------------------------------------------------------------------------

    @staticmethod
    def mode_is(mode_sig: Value, md: Mode) -> Value:
        return mode_sig == C(md, csr.MODE_WIDTH)

    def legal_mode(self, mode_sig: Value) -> Value:
        return Cat(*(self.mode_is(mode_sig, md) for md in self.cfg.modes)).any()

    def inh_of(self, reg: Value) -> Value:
        """The xINH bit of ``reg`` for the cycle's mode (rule 26 mapping)."""
        return Cat(*(self.mode_is(self.pmu.mode, md) & reg[csr.INH_BIT[md]]
                     for md in self.cfg.modes)).any()

    # -- the harness's model of the CSRs ----------------------------------------------------------

    def reg64(self, info: CSRInfo) -> Value:
        """The register ``info`` names, zero-extended to 64 bits (0 when absent)."""
        st, k = self.st, info.kind
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
            v = self.reads.of_bits & self.reads.ovf_mask
        elif k == Kind.MIP:
            v = st.lcofip << LCOFIP_BIT
        else:
            raise AssertionError(k)
        return C(0, 64) if v is None else Cat(v, C(0, 64))[:64]

    def view(self, info: CSRInfo, v: Value) -> Value:
        """The part of the 64-bit ``v`` that ``info`` accesses (its RV32 half)."""
        v = Cat(v, C(0, 64))[:64]
        return v[32:64] if info.half == "hi" else v[0:32] if info.half == "lo" \
            else v[0:self.xlen]

    def view_int(self, info: CSRInfo, v: int) -> int:
        return (v >> 32) & 0xFFFF_FFFF if info.half == "hi" else \
            v & 0xFFFF_FFFF if info.half == "lo" else v & ((1 << self.xlen) - 1)

    def readable(self, info: CSRInfo) -> int:
        """Bits of the 64-bit register that may read 1 (all others are read-only 0)."""
        if info.kind == Kind.SHADOW:
            return self.cmap[csr.MHPMCOUNTER_BASE + info.index].writable
        if info.kind == Kind.SCOUNTOVF:
            return sum(1 << i for i in self.cfg.hpm_indices) if self.cfg.sscofpmf else 0
        return info.writable

    def wr_at(self, info: CSRInfo) -> Value:
        """A legal write of ``info`` in the access cycle."""
        return self.access.wr & (self.q_addr == C(info.addr, csr.CSR_ADDR_WIDTH))

    def written_value(self, info: CSRInfo) -> Value:
        """The 64-bit register after this cycle's write of ``info`` (before rule 9)."""
        q_op, q_wdata = self.q_op, self.q_wdata
        old = self.reg64(info)
        old_view = self.view(info, old)
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

    def writes_of(self, kind: Kind, index: int | None = None,
                  reg: str | None = None) -> list[CSRInfo]:
        """The existing, writable CSRs of ``kind`` (of one counter ``index``, one ``reg``)."""
        return [info for info in self.cmap.values()
                if info.kind == kind and info.exists and info.writable
                and (index is None or info.index == index) and (reg is None or info.reg == reg)]

    def after_writes(self, infos: Sequence[CSRInfo], old: Value, name: str,
                     warl: Callable[[Value], Value] = lambda v: v) -> tuple[Value, Value]:
        """(written this cycle, the value the write leaves) for the register of ``infos``."""
        written = self.sig(Cat(*(self.wr_at(x) for x in infos)).any() if infos else C(0, 1),
                           f"f_{name}_written")
        value = Cat(old, C(0, 64))[:64]
        for x in infos:
            value = Mux(self.wr_at(x), warl(self.written_value(x)), value)
        return written, self.sig(value, f"f_{name}_wval")

    def sel_warl(self, v: Value) -> Value:
        """Rule 9 (docs/decisions.md item 3): an unsupported event selector is written as 0."""
        legal = v[0:csr.EVENT_SEL_WIDTH] < self.cfg.num_selectors
        return Mux(legal, v, v & C(M64 ^ csr.EVENT_SEL_MASK, 64))
