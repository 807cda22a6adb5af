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

The specification is split into one module per property group, so that each can be read beside
its section of the docs; what the groups share (the free inputs, the request of the access
cycle, the emitters and the harness's model of the CSRs) is ``spec.Spec``. ``PMUFormal``
calls the groups in this order, which is the order of docs/timing.md's "Cycle semantics"
(check the access, count, write, overflow) and of the table in docs/formal.md, but for the
response, which comes out last:

* ``access.expect``: the expected exception (docs/access.md) and read data;
* ``counting``: ``count``, ``write``, ``halt``, ``sel0``, ``inhibit``;
* ``overflow``: ``overflow``, ``lcofip``;
* ``registers``: ``registers`` (its ``mhpmevent`` part is called from ``overflow``);
* ``fields``: the invariants and the read-only-zero bits of a read;
* ``access.check``: ``access``, ``read`` (the response, two cycles after the access cycle);
* ``half`` (RV32): called from the loops of ``counting``, ``overflow`` and ``registers``.

That order is also the order in which the groups add their statements, which the generated
RTLIL follows; changing it changes the RTLIL (not what it means).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from amaranth.hdl import ClockDomain, Elaboratable, Fragment, Module

from rvpmu import csr
from rvpmu.config import PMUConfig

from ..pmu import PMU
from . import access, counting, fields, overflow, registers
from .spec import HELPERS, Spec  # noqa: F401  (HELPERS: rvpmu.hdl.formal exports it from here)


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
        pmu = self.pmu_class(self.config)
        # Elaborated here, not by the caller: the properties need the state it records.
        m.submodules.pmu = Fragment.get(pmu, platform)
        spec = Spec(m, self.config, pmu, self.properties, asserting=self.mode == "prove",
                    counters=self.counters)
        access.expect(spec)
        counting.check(spec)
        overflow.check(spec)
        registers.check(spec)
        fields.check(spec)
        access.check(spec)
        self.covers = spec.covers  # how many Cover statements the last elaboration emitted
        self.asserts = spec.asserts  # and how many assertions of the selected properties
        return m
