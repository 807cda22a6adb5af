"""The ``overflow`` and ``lcofip`` properties (rules 29-34, 36): docs/formal.md's rows
``overflow`` and ``lcofip``, docs/timing.md "Cycle semantics" step 5.

``check`` goes over the ``mhpmevent`` registers. OF is set exactly when the counter's increment
carries out of its width (``spec.carries``, from ``counting``) while OF was 0, with Sscofpmf;
a write of the counter never sets it; a write of OF at the same edge wins, a write of the RV32
low half does not (docs/decisions.md item 4); otherwise OF is sticky. The same loop hands the
register's other bits to ``registers.event`` and its halves to ``half.event``.

LCOFIP is stated in two parts whose conjunction is rule 33/34 (docs/formal.md, "Counter
groups"): per counter, the PMU's OF-set signal (``PMU.state.of_set``) is the expected set; and
LCOFIP follows the OR of those signals one edge later, merged with ``mip`` writes.
"""

from __future__ import annotations

from amaranth.hdl import C, Cat, Mux

from rvpmu import csr
from rvpmu.csrmap import Kind

from . import half, registers
from .spec import LCOFIP_BIT, OF_BIT, Spec


def check(spec: Spec) -> None:
    cfg, st = spec.cfg, spec.st
    new_request = []
    for i, ev in st.mhpmevent.items():
        name = f"mhpmevent{i}"
        ev_written, ev_wval = spec.after_writes(spec.writes_of(Kind.EVENT, index=i), ev, name,
                                                warl=spec.sel_warl)
        of = ev[OF_BIT]
        carry = spec.carries[i]
        of_set = carry if cfg.sscofpmf else C(0, 1)  # rule 36: no OF without Sscofpmf
        new_request.append(of_set & ~of)
        # The PMU's own OF set of this counter is the expected one. The LCOFIP checks below
        # are stated over the PMU's OF sets: with this, per counter, they are the checks
        # over the expected requests, and a group of counters is proved at a time.
        spec.check("lcofip", st.of_set.get(i, C(0, 1)) == (of_set & ~of), at=i)
        ctr_written = spec.sig(
            Cat(*(spec.wr_at(x) for x in spec.writes_of(Kind.COUNTER, index=i))).any(),
            f"f_{name}_ctr_written")
        # OF is written by a full-width write or, on RV32, by a write of mhpmeventNh only: a
        # write of the low half leaves OF to the hardware (docs/decisions.md item 4).
        of_writers = [x for x in spec.writes_of(Kind.EVENT, index=i) if x.half != "lo"]
        of_written = spec.sig(Cat(*(spec.wr_at(x) for x in of_writers)).any() if of_writers
                              else C(0, 1), f"f_{name}_of_written")
        p_ev = spec.past(ev, name)
        p_written = spec.past(ev_written, f"{name}_written")
        p_wval = spec.past(ev_wval, f"{name}_wval")
        p_of_written = spec.past(of_written, f"{name}_of_written")
        p_of_next = spec.past(of | of_set, f"{name}_of_next")
        p_ctr_written = spec.past(ctr_written, f"{name}_ctr_written")
        registers.event(spec, i, ev, p_ev, p_written, p_wval)
        spec.check("overflow", of == p_wval[OF_BIT], when=p_of_written, at=i)  # the write wins
        spec.check("overflow", of == p_of_next, when=~p_of_written, at=i)
        spec.check("overflow", of == p_ev[OF_BIT], when=~p_of_written & p_ctr_written,
                   at=i)  # rule 30
        half.event(spec, i, name, ev, p_ev)

        if i in spec.show and cfg.sscofpmf:
            spec.cover("overflow", carry & ~of)
            spec.cover("overflow", carry & of)
            spec.cover("overflow", ctr_written & spec.would_carry[i])  # the write: no overflow
            spec.cover("overflow", of_written & carry & ~of & ~ev_wval[OF_BIT])  # write wins
            if spec.xlen == 32:  # a selector write does not hide the overflow
                spec.cover("overflow", ev_written & ~of_written & carry & ~of)
        elif i in spec.show:
            spec.cover("overflow", carry)  # a wrap that must not set OF (rule 36)
        if i in spec.show:
            registers.event_covers(spec, i, ev_written, ev_wval)

    # -- the LCOFIP register ------------------------------------------------------------------
    request = spec.sig(Cat(*new_request).any() if new_request else C(0, 1), "f_lcofi_request")
    pmu_sets = list(st.of_set.values())
    pmu_request = spec.sig(Cat(*pmu_sets).any() if pmu_sets else C(0, 1),
                           "f_pmu_lcofi_request")
    mip_written, mip_wval = spec.after_writes(spec.writes_of(Kind.MIP), st.lcofip << LCOFIP_BIT,
                                              "mip")
    # An overflow's LCOFIP set lands one edge after its OF set (rule 33, docs/timing.md).
    p_request = spec.past(request, "lcofi_request")  # for the covers
    p_pmu_request = spec.past(pmu_request, "pmu_lcofi_request")
    lcofip_next = Mux(mip_written, mip_wval[LCOFIP_BIT], st.lcofip) | p_pmu_request
    p_next = spec.past(lcofip_next, "lcofip_next")
    p2_request = spec.past(p_pmu_request, "pmu_lcofi_request2")
    spec.check("lcofip", st.lcofip == p_next)
    spec.check("lcofip", st.lcofip, when=p2_request)  # rule 34: never lost
    if cfg.sscofpmf:
        spec.cover("lcofip", p_request & mip_written & ~mip_wval[LCOFIP_BIT])
        spec.cover("lcofip", ~p_request & mip_written & ~mip_wval[LCOFIP_BIT] & st.lcofip)
        spec.cover("lcofip", p_request & ~st.lcofip)
    else:  # rule 36: LCOFIP read-only 0, whatever software writes and counters do
        a = spec.access
        spec.cover("lcofip", a.ok & a.is_write & (spec.q_addr == csr.MIP)
                   & spec.q_wdata[LCOFIP_BIT] & Cat(*spec.carries.values()).any())
