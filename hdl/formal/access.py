"""The ``access`` and ``read`` properties (rules 1-4, 11-19, 37): docs/access.md.

``expect`` states what the access rules expect of the access cycle's request, computed from
the address bits (bits 11:10 read-only, bits 9:8 the privilege level, bits 4:0 the counter
index), the existence flags of ``rvpmu.csrmap`` and the counter-enable registers; not from
``hdl/access.py``. Its checks follow docs/access.md's list in order. It also states the
expected read data. Every other group uses its result (a write counts only when it is legal).

``check`` asserts the response, two cycles after the access cycle (docs/timing.md): ``valid``,
``hit``, the exception (``access``) and the read data (``read``).
"""

from __future__ import annotations

from amaranth.hdl import C, Mux, Signal

from rvpmu import csr

from .spec import IIE, NONE, OF_BIT, VIE, Access, Mode, Reads, Spec


def expect(spec: Spec) -> None:
    """Set ``spec.access`` (the expected exception) and ``spec.reads`` (the expected data)."""
    m, st, cfg, cmap = spec.m, spec.st, spec.cfg, spec.cmap
    addr, rmode = spec.q_addr, spec.q_mode
    is_write = spec.sig(spec.q_op != C(csr.CSROp.READ, csr.CSR_OP_WIDTH), "f_is_write")
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
    r_m, r_u = spec.mode_is(rmode, Mode.M), spec.mode_is(rmode, Mode.U)
    r_vs, r_vu = spec.mode_is(rmode, Mode.VS), spec.mode_is(rmode, Mode.VU)
    exc = Signal(csr.EXC_WIDTH, name="f_exp_exc")
    with m.If(~exists):
        m.d.comb += exc.eq(IIE)  # 1. rules 3, 4: absent in this configuration
    with m.Elif(is_write & read_only):
        m.d.comb += exc.eq(IIE)  # 2. rules 11, 19: any mode, VS/VU included
    with m.Elif(r_m):
        pass  # 3. rule 1: nothing else traps in M-mode
    with m.Elif(level == 3):
        m.d.comb += exc.eq(IIE)  # 4. machine level
    with m.Elif(level == 2):  # 5. hcounteren
        with m.If(r_u):
            m.d.comb += exc.eq(IIE)
        with m.Elif(r_vs | r_vu):
            m.d.comb += exc.eq(VIE)
    with m.Elif(level == 1):  # 6. scounteren, scountovf
        with m.If(r_u):
            m.d.comb += exc.eq(IIE)
        with m.Elif(r_vu):
            m.d.comb += exc.eq(VIE)
    with m.Else():  # 7. user-level counter shadows, reads only (rules 12-15, 18)
        with m.If(~men):
            m.d.comb += exc.eq(IIE)
        with m.Elif(r_u & ~sen):
            m.d.comb += exc.eq(IIE)  # rule 13: either enable revokes
        with m.Elif(r_vs & ~hen):
            m.d.comb += exc.eq(VIE)  # rule 14
        with m.Elif(r_vu & ~(hen & sen)):
            m.d.comb += exc.eq(VIE)  # rule 15
    hit = spec.sig(spec.q_valid & decoded, "f_hit")
    ok = spec.sig(hit & (exc == NONE), "f_acc_ok")
    wr = spec.sig(ok & is_write, "f_wr")
    spec.access = Access(is_write=is_write, decoded=decoded, level=level, men=men, sen=sen,
                         hen=hen, r_m=r_m, r_u=r_u, r_vs=r_vs, r_vu=r_vu, exc=exc, hit=hit,
                         ok=ok, wr=wr)

    # The read data (rules 2, 3, 19, 37): the register's value before the cycle's update.
    of_bits = Signal(32, name="f_of_bits")
    for i, ev in st.mhpmevent.items():
        m.d.comb += of_bits[i].eq(ev[OF_BIT])
    ovf_mask = Mux(r_m, C(0xFFFF_FFFF, 32),
                   Mux(r_vs, st.counteren["mcounteren"] & st.counteren["hcounteren"],
                       st.counteren["mcounteren"]))  # rule 19
    value = Signal(spec.xlen, name="f_exp_read")
    mask = Signal(spec.xlen, name="f_read_mask")
    spec.reads = Reads(of_bits=of_bits, ovf_mask=ovf_mask, value=value, mask=mask)
    with m.Switch(addr):
        for a, info in cmap.items():
            if info.exists:
                with m.Case(a):
                    m.d.comb += [value.eq(spec.view(info, spec.reg64(info))),
                                 mask.eq(spec.view_int(info, spec.readable(info)))]


def check(spec: Spec) -> None:
    """The response two cycles after the access cycle: ``access`` and ``read``."""
    cfg, cmap, rsp = spec.cfg, spec.cmap, spec.pmu.csr_rsp
    a, reads, addr, rmode = spec.access, spec.reads, spec.q_addr, spec.q_mode
    p_ok = spec.p_ok
    p_valid, p_hit = spec.past2(spec.q_valid, "req_valid"), spec.past2(a.hit, "hit")
    p_exc = spec.past2(Mux(a.hit, a.exc, NONE), "exc")
    p_read = spec.past2(reads.value, "exp_read")
    spec.check("access", rsp.valid == p_valid)
    spec.check("access", rsp.hit == p_hit)
    spec.check("access", rsp.exc == p_exc)
    spec.check("access", rsp.rdata == 0, when=~p_ok)
    spec.check("read", rsp.rdata == p_read, when=p_ok)

    for md in cfg.modes:
        outcomes = [NONE, IIE] + ([VIE] if md.virtual else [])
        for exc in outcomes:
            spec.cover("access", a.hit & spec.mode_is(rmode, md) & (a.exc == exc))
    spec.cover("access", spec.q_valid & ~a.decoded)
    if cfg.has_s:  # rule 13: scounteren alone revokes U-mode access
        spec.cover("access", a.hit & a.r_u & (a.level == 0) & a.men & ~a.sen)
    if cfg.has_h:  # rule 15: scounteren alone revokes VU-mode access (VIE)
        spec.cover("access", a.hit & a.r_vu & (a.level == 0) & a.men & a.hen & ~a.sen)
    lowest = min(cfg.modes, key=lambda md: (md.priv, -md.virtual)) if len(cfg.modes) > 1 \
        else Mode.M
    spec.cover("read", a.ok & ~a.is_write & (a.level == 0) & spec.mode_is(rmode, lowest)
               & (reads.value != 0))
    if cmap[csr.SCOUNTOVF].exists:
        ovf_read = a.ok & (addr == csr.SCOUNTOVF) & ~a.r_m
        spec.cover("read", ovf_read & (reads.value != 0))  # an OF bit shown below M
        # an OF bit masked (rule 19)
        spec.cover("read", ovf_read & ((reads.of_bits & ~reads.ovf_mask) != 0))
