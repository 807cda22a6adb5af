"""The ``half`` property (RV32 only; rules 3, 22): docs/formal.md's last row, docs/timing.md
"Cycle semantics" step 4.

A write of one half of a 64-bit register leaves the other half as it was: a counter, a
``mcyclecfg``/``minstretcfg``, or a ``mhpmevent`` when its selector stays supported (rule 9 may
clear a whole illegal selector) and apart from OF, which the hardware may set (``overflow``).
The groups that own those registers call these functions from their loop over the registers
(``counting``, ``overflow``, ``registers``); on RV64 they state nothing.
"""

from __future__ import annotations

from amaranth.hdl import C, Cat, Value

from rvpmu import csr
from rvpmu.csrmap import CSRInfo, Kind

from .spec import OF_BIT, Spec


def counter(spec: Spec, i: int, name: str, value: Value, p_value: Value) -> None:
    """Counter ``i`` (``name``), now ``value`` and ``p_value`` one cycle before."""
    if spec.xlen != 32:
        return
    v64, o64 = Cat(value, C(0, 64))[:64], Cat(p_value, C(0, 64))[:64]
    for x in spec.writes_of(Kind.COUNTER, index=i):
        p_x = spec.past(spec.wr_at(x), f"{name}_{x.half}")
        if x.half == "lo":
            spec.check("half", v64[32:] == o64[32:], when=p_x, at=i)
        else:
            spec.check("half", v64[:32] == o64[:32], when=p_x, at=i)


def counter_covers(spec: Spec, i: int, value: Value, counts: Value) -> None:
    """A half write of counter ``i`` while the other half is not 0 and the counter counts."""
    if spec.xlen != 32:
        return
    for x in spec.writes_of(Kind.COUNTER, index=i):
        other = value[32:] if x.half == "lo" else value[:32]
        if len(other):
            spec.cover("half", spec.wr_at(x) & (other != 0) & counts)


def event(spec: Spec, i: int, name: str, ev: Value, p_ev: Value) -> None:
    """``mhpmevent`` ``i`` (``name``): the other half but OF, if the written selector is
    supported."""
    if spec.xlen != 32:
        return
    for x in spec.writes_of(Kind.EVENT, index=i):
        keep = slice(32, OF_BIT) if x.half == "lo" else slice(0, 32)
        p_x = spec.past(spec.wr_at(x), f"{name}_{x.half}")
        p_legal = spec.past(spec.written_value(x)[0:csr.EVENT_SEL_WIDTH]
                            < spec.cfg.num_selectors, f"{name}_{x.half}_legal")
        spec.check("half", ev[keep] == p_ev[keep], when=p_x & p_legal, at=i)


def register(spec: Spec, name: str, value: Value, p_value: Value,
             infos: list[CSRInfo]) -> None:
    """A 64-bit register about no single counter (``mcyclecfg``/``minstretcfg``), written
    through ``infos``."""
    if spec.xlen != 32 or len(value) != 64:
        return
    for x in infos:
        keep = slice(32, 64) if x.half == "lo" else slice(0, 32)
        spec.check("half", value[keep] == p_value[keep],
                   when=spec.past(spec.wr_at(x), f"{name}_{x.half}"))
