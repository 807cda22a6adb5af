"""Port signatures and register layouts of the gateware, built from ``rvpmu.csr``.

Nothing here defines a bit position of its own: field positions come from the field tables
of ``rvpmu.csr`` (the single source of truth shared with the golden model and the docs).
"""

from __future__ import annotations

from amaranth.hdl import unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import Out

from rvpmu import csr
from rvpmu.config import PMUConfig


def _layout(fields: tuple[csr.Field, ...]) -> data.StructLayout:
    ordered = sorted(fields, key=lambda f: f.lsb)
    pos = 0
    members = {}
    for f in ordered:
        assert f.lsb == pos, f"gap before {f.name}"
        members[f.name] = unsigned(f.width)
        pos += f.width
    assert pos == 64
    return data.StructLayout(members)


# mhpmevent and mcyclecfg/minstretcfg as 64-bit registers (on RV32: two 32-bit halves).
MHPMEVENT_LAYOUT = _layout(csr.MHPMEVENT_FIELDS)
CFG_LAYOUT = _layout(csr.CFG_FIELDS)


class CSRRequestSignature(wiring.Signature):
    """A CSR access presented by the core (written from the core's side)."""

    def __init__(self, xlen: int):
        super().__init__({
            "valid": Out(1),
            "addr": Out(csr.CSR_ADDR_WIDTH),
            "op": Out(csr.CSR_OP_WIDTH),
            "wdata": Out(xlen),
            "mode": Out(csr.MODE_WIDTH),
        })


class CSRResponseSignature(wiring.Signature):
    """The PMU's answer, CSR_RESPONSE_LATENCY cycles after the request (docs/timing.md)."""

    def __init__(self, xlen: int):
        super().__init__({
            "valid": Out(1),
            "hit": Out(1),
            "rdata": Out(xlen),
            "exc": Out(csr.EXC_WIDTH),
        })


class EventsSignature(wiring.Signature):
    """One member per event input, named after it, as wide as its per-cycle count."""

    def __init__(self, config: PMUConfig):
        super().__init__({e.name: Out(e.count_width) for e in config.events})
