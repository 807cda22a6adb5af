"""Port signatures and register layouts of the gateware, built from ``rvpmu.csr``.

Nothing here defines a bit position of its own: field positions come from the field tables
of ``rvpmu.csr`` (the single source of truth shared with the golden model and the docs).
"""

from __future__ import annotations

from amaranth.hdl import unsigned
from amaranth.lib import data, wiring
from amaranth.lib import enum as hw_enum
from amaranth.lib.wiring import In, Out

from rvpmu import csr, ports
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
# The xINH field that filters each mode (rule 26), by its name in both layouts.
INH_FIELD = {md: next(f.name for f in csr.MHPMEVENT_FIELDS if f.lsb == bit)
             for md, bit in csr.INH_BIT.items()}
assert all(next(f.name for f in csr.CFG_FIELDS if f.lsb == csr.INH_BIT[md]) == name
           for md, name in INH_FIELD.items())


def hardware_enum(py_enum: type, width: int) -> type:
    """An ``amaranth.lib.enum.Enum`` with the members of ``py_enum`` (one of ``rvpmu.csr``'s),
    so that signals of it show member names in waveforms; the encoding stays ``rvpmu.csr``'s."""
    ns = hw_enum.EnumType.__prepare__(py_enum.__name__, (hw_enum.Enum,), shape=unsigned(width))
    for member in py_enum:
        ns[member.name] = member.value
    return hw_enum.EnumType(py_enum.__name__, (hw_enum.Enum,), ns, shape=unsigned(width))


Mode = hardware_enum(csr.Mode, csr.MODE_WIDTH)
CSROp = hardware_enum(csr.CSROp, csr.CSR_OP_WIDTH)
Exc = hardware_enum(csr.Exc, csr.EXC_WIDTH)


def _group(name: str, xlen: int) -> dict:
    """The members of one port group of ``rvpmu.ports`` (written from the driving side)."""
    cfg = PMUConfig(xlen=xlen)
    return {p.field: Out(ports.width(p, cfg)) for p in ports.PORTS if p.group == name}


class CSRRequestSignature(wiring.Signature):
    """A CSR access presented by the core (written from the core's side)."""

    def __init__(self, xlen: int):
        super().__init__(_group("csr_req", xlen))


class CSRResponseSignature(wiring.Signature):
    """The PMU's answer, CSR_RESPONSE_LATENCY cycles after the request (docs/timing.md)."""

    def __init__(self, xlen: int):
        super().__init__(_group("csr_rsp", xlen))


class EventsSignature(wiring.Signature):
    """One member per event input, named after it, as wide as its per-cycle count."""

    def __init__(self, config: PMUConfig):
        super().__init__({e.name: Out(e.count_width) for e in config.events})


def pmu_members(config: PMUConfig, *, run_status: bool = False) -> dict:
    """The PMU's signature members, in the order of ``rvpmu.ports.PORTS``."""
    members = {}
    for p in ports.PORTS:
        if p.run_status and not run_status:
            continue
        flow = In if p.dir == ports.IN else Out
        if p.group == "csr_req":
            members.setdefault("csr_req", In(CSRRequestSignature(config.xlen)))
        elif p.group == "csr_rsp":
            members.setdefault("csr_rsp", Out(CSRResponseSignature(config.xlen)))
        elif p.name == "events.*":
            if config.events:
                members["events"] = In(EventsSignature(config))
        else:
            members[p.name] = flow(ports.width(p, config), init=p.init)
    return members


def event_lines(iface, config: PMUConfig) -> list:
    """The per-cycle count members of ``iface`` in event-generator line order
    (``rvpmu.model.eventgen``): every event input of ``config``, then ``retired``."""
    return [getattr(iface.events, e.name) for e in config.events] + [iface.retired]


def prefixed(prefix: str, signature: wiring.Signature) -> dict:
    """The members of ``signature`` as plain members of a component, each named
    ``prefix + name`` (for a top whose pins spell an interface flat: ``ctl_start``)."""
    return {prefix + name: member for name, member in signature.members.items()}


class Members:
    """The members of ``component`` that ``signature`` names (each spelt ``prefix + name``
    there), as one interface for ``wiring.connect``: for a component that has them as plain
    members of its own rather than as one interface member."""

    def __init__(self, signature: wiring.Signature, component, prefix: str = ""):
        self.signature = signature
        for name in signature.members:
            setattr(self, name, getattr(component, prefix + name))


def members_of(component, names) -> Members:
    """``component``'s own members ``names`` (as its signature has them), as one interface."""
    return Members(wiring.Signature({n: component.signature.members[n] for n in names}),
                   component)
