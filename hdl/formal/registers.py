"""The ``registers`` property (rules 5-9, 23): docs/formal.md's row ``registers``.

``mhpmevent`` (every bit but OF, which is ``overflow``'s), ``mcyclecfg``/``minstretcfg``,
``mcountinhibit`` and ``m/s/hcounteren`` change only by a legal CSR write, to the written
value under the WARL rules: the ``rvpmu.csrmap`` writable masks and, for event selectors,
rule 9 (``Spec.sel_warl``). ``overflow.check`` calls ``event`` and ``event_covers`` from its
loop over the ``mhpmevent`` registers; ``check`` states the other registers.
"""

from __future__ import annotations

from amaranth.hdl import C, Mux, Value

from rvpmu import csr
from rvpmu.csrmap import M64, Kind

from . import half
from .spec import OF_BIT, Spec


def event(spec: Spec, i: int, ev: Value, p_ev: Value, p_written: Value,
          p_wval: Value) -> None:
    """``mhpmevent`` ``i`` but OF: the written value after a write (``p_written``,
    ``p_wval``), else its value before (``p_ev``)."""
    rest = C(M64 ^ (1 << OF_BIT), 64)
    spec.check("registers", (ev & rest) == (p_wval & rest), when=p_written, at=i)
    spec.check("registers", (ev & rest) == (p_ev & rest), when=~p_written, at=i)


def event_covers(spec: Spec, i: int, written: Value, wval: Value) -> None:
    """An unsupported selector written (rule 9), and a write of the instret selector."""
    first = spec.writes_of(Kind.EVENT, index=i)[0]
    spec.cover("registers", spec.wr_at(first) & (
        spec.written_value(first)[0:csr.EVENT_SEL_WIDTH] >= spec.cfg.num_selectors))
    spec.cover("registers", written & (wval[0:csr.EVENT_SEL_WIDTH] == csr.EVENT_INSTRET))


def check(spec: Spec) -> None:
    """``mcyclecfg``/``minstretcfg``, ``mcountinhibit`` and the counter-enable registers."""
    st = spec.st
    others = [(f"cfg{i}", st.cfg[i], spec.writes_of(Kind.CFG, index=i)) for i in st.cfg]
    others.append(("mcountinhibit", st.mcountinhibit, spec.writes_of(Kind.INHIBIT)))
    for reg, value in st.counteren.items():
        others.append((reg, value, spec.writes_of(Kind.COUNTEREN, reg=reg)))
    for name, value, infos in others:
        written, wval = spec.after_writes(infos, value, name)
        p_value = spec.past(value, name)
        p_expect = spec.past(Mux(written, wval[:len(value)], value), f"{name}_expect")
        spec.check("registers", value == p_expect)
        half.register(spec, name, value, p_value, infos)
        for x in infos:
            if spec.view_int(x, x.writable):  # this half has writable bits
                spec.cover("registers", spec.wr_at(x) & (wval[:len(value)] != value))
