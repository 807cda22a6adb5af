"""The exception an access takes, as logic (docs/access.md; model/access.py is the oracle).

The checks are specialised per address at elaboration time: what depends only on the address
and the configuration (existence, read-only, privilege level, counter index) is Python; what
depends on the request (op, mode) and on the counter-enable registers is gateware.
"""

from __future__ import annotations

from amaranth.hdl import C, Const, Module, Signal, Value

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import CSRInfo, Kind

M = csr.Mode
ILLEGAL = csr.Exc.ILLEGAL_INSTRUCTION
VIRTUAL = csr.Exc.VIRTUAL_INSTRUCTION


def mode_decoder(m: Module, mode: Value, prefix: str = "req") -> dict[csr.Mode, Value]:
    """One signal per mode, decoded once and shared by every address's checks."""
    out = {}
    for md in csr.Mode:
        sig = out[md] = Signal(name=f"{prefix}_mode_{md.name.lower()}")
        m.d.comb += sig.eq(mode == C(md, csr.MODE_WIDTH))
    return out


def drive_exception(m: Module, exc: Value, info: CSRInfo, config: PMUConfig, is_write: Value,
                    mode_is: dict[csr.Mode, Value], mcounteren: Value | None,
                    scounteren: Value | None, hcounteren: Value | None,
                    shadow: Value | None = None) -> None:
    """Drive ``exc`` (comb, default NONE) for an access to ``info``, in the order of
    model/access.py: existence, read-only write, M-mode, privilege level, counter enables.

    With ``shadow`` (and no counter-enable registers) the last step is left to the caller:
    ``shadow`` is driven to 1 for a below-M read of a user-level counter that passed the other
    checks (see ``counter_enable_exception``)."""
    if not info.exists:
        m.d.comb += exc.eq(ILLEGAL)
        return
    chain = m.If(is_write) if info.read_only else None
    if chain is not None:
        with chain:
            m.d.comb += exc.eq(ILLEGAL)
    cond = m.Elif if chain is not None else m.If
    with cond(mode_is[M.M]):
        pass
    with m.Else():
        level = info.min_priv
        if level == 3:
            m.d.comb += exc.eq(ILLEGAL)
        elif level == 2:
            with m.If(mode_is[M.U]):
                m.d.comb += exc.eq(ILLEGAL)
            with m.Elif(mode_is[M.VS] | mode_is[M.VU]):
                m.d.comb += exc.eq(VIRTUAL)
        elif level == 1:
            with m.If(mode_is[M.U]):
                m.d.comb += exc.eq(ILLEGAL)
            with m.Elif(mode_is[M.VU]):
                m.d.comb += exc.eq(VIRTUAL)
        else:
            assert info.kind == Kind.SHADOW
            if shadow is not None:
                m.d.comb += shadow.eq(1)
                return
            i = info.index
            _enable_checks(m, exc, config, C(i, 5), mode_is, mcounteren, scounteren,
                           hcounteren)


def _enable_checks(m: Module, exc: Value, config: PMUConfig, index: Value,
                   mode_is: dict[csr.Mode, Value], mcounteren: Value, scounteren: Value,
                   hcounteren: Value) -> None:
    """Rules 12-15: a below-M read of user-level counter ``index`` against the enables."""
    men = mcounteren.bit_select(index, 1)
    sen = scounteren.bit_select(index, 1) if config.has_s else Const(1, 1)
    hen = hcounteren.bit_select(index, 1) if config.has_h else Const(1, 1)
    with m.If(~men):
        m.d.comb += exc.eq(ILLEGAL)
    with m.Elif(mode_is[M.U] & ~sen):
        m.d.comb += exc.eq(ILLEGAL)
    with m.Elif(mode_is[M.VS] & ~hen):
        m.d.comb += exc.eq(VIRTUAL)
    with m.Elif(mode_is[M.VU] & ~(hen & sen)):
        m.d.comb += exc.eq(VIRTUAL)


def counter_enable_exception(m: Module, config: PMUConfig, index: Value,
                             mode_is: dict[csr.Mode, Value], mcounteren: Value,
                             scounteren: Value, hcounteren: Value) -> Signal:
    """Rules 12-15 for a below-M read of user-level counter ``index``: the one check that
    depends on the counter-enable registers (the pipelined PMU makes it in the access cycle)."""
    exc = Signal(csr.EXC_WIDTH, name="counteren_exc")
    _enable_checks(m, exc, config, index, mode_is, mcounteren, scounteren, hcounteren)
    return exc
