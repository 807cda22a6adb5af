"""The ``fields`` property (rules 1, 2, 5-9, 36): docs/formal.md's row ``fields``.

``mcountinhibit`` bit 1 and every unimplemented field (bits beyond a counter's width, WPRI,
xINH of absent modes, OF without Sscofpmf, the registers of absent counters) hold and read 0,
and event selectors hold supported values. The invariants about the state (``Spec.prop`` with
``helper=True``) are asserted in every prove/bmc task, whatever its property: k-induction needs
them to rule out unreachable states (docs/formal.md, "The harness"). The read checks are
``fields``' own.
"""

from __future__ import annotations

from amaranth.hdl import C, Cat, Value

from rvpmu import csr
from rvpmu.csrmap import M64, CSRInfo

from .spec import LCOFIP_BIT, Spec


def zero_outside(value: Value, info: CSRInfo) -> Value:
    """The bits of ``value`` outside ``info``'s writable mask are 0."""
    return (Cat(value, C(0, 64))[:64] & C(M64 ^ info.writable, 64)) == 0


def check(spec: Spec) -> None:
    st, cfg, cmap, xlen = spec.st, spec.cfg, spec.cmap, spec.xlen
    prop = spec.prop
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
    prop("fields", zero_outside(st.lcofip << LCOFIP_BIT, cmap[csr.MIP]), helper=True)

    # What the response two cycles after an access reads (docs/timing.md).
    a, addr, rsp = spec.access, spec.q_addr, spec.pmu.csr_rsp
    p_ok, p_mask = spec.p_ok, spec.past2(spec.reads.mask, "read_mask")
    p_inhibit_rd = spec.past2(a.ok & (addr == csr.MCOUNTINHIBIT), "inhibit_read")
    spec.check("fields", (rsp.rdata & ~p_mask) == 0, when=p_ok)
    spec.check("fields", ~rsp.rdata[csr.TM], when=p_inhibit_rd)

    spec.cover("fields", a.ok & ~a.is_write & (addr == csr.MCOUNTINHIBIT)
               & (st.mcountinhibit == cmap[csr.MCOUNTINHIBIT].writable))
    spec.cover("fields", spec.wr_at(cmap[csr.MCOUNTINHIBIT])
               & (spec.q_op == csr.CSROp.WRITE) & (spec.q_wdata == (1 << xlen) - 1))
    absent = [i for i in range(csr.HPM_FIRST, csr.HPM_LAST + 1) if i not in st.counters]
    if absent:
        spec.cover("fields", spec.wr_at(cmap[csr.MHPMCOUNTER_BASE + absent[0]])
                   & (spec.q_wdata != 0))
