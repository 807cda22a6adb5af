"""The PMU's port contract, defined once (docs/timing.md).

Every consumer derives from ``PORTS``: the Amaranth signatures (``rvpmu.hdl.layouts``), the
cocotb driver and monitor (``rvpmu.sim.drivers``), the Amaranth-simulator lock-step adapter
(tests/hdl/lockstep.py) and the port table of docs/timing.md (``markdown_table``, kept current
by a test). Adding a port is one row here plus its meaning in the model's ``PortInputs`` /
``PortOutputs`` (a field of the same name).

A port's ``name`` is its path in the Amaranth signature (``csr_req.addr``); its *pin* is the
flattened name of the emitted Verilog (``csr_req__addr``). ``events.*`` stands for one member
per event input, named after it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from . import csr
from .config import PMUConfig

IN, OUT = "in", "out"


@dataclass(frozen=True)
class Port:
    name: str
    dir: str
    width: int | str  # bits, or "XLEN" / "retire" / "event" (from the configuration)
    meaning: str
    kind: type | None = None  # the value's type in the model (enum or bool); None: int
    run_status: bool = False  # only on tops built with run_status (simulation, boards)
    init: int = 0

    @property
    def group(self) -> str | None:
        return self.name.partition(".")[0] if "." in self.name else None

    @property
    def field(self) -> str:
        return self.name.rpartition(".")[2]


PORTS: tuple[Port, ...] = (
    Port("csr_req.valid", IN, 1, "a CSR access is presented this cycle", bool),
    Port("csr_req.addr", IN, csr.CSR_ADDR_WIDTH, "CSR number"),
    Port("csr_req.op", IN, csr.CSR_OP_WIDTH,
         "0 READ, 1 WRITE, 2 SET, 3 CLEAR (`rvpmu.csr.CSROp`)", csr.CSROp),
    Port("csr_req.wdata", IN, "XLEN", "source operand of WRITE/SET/CLEAR"),
    Port("csr_req.mode", IN, csr.MODE_WIDTH, "mode of the accessing instruction: `{V, "
         "priv[1:0]}`, U=0, S=1, M=3, VU=4, VS=5", csr.Mode),
    Port("events.*", IN, "event", "occurrences of event input i in this cycle"),
    Port("retired", IN, "retire", "instructions retired in this cycle"),
    Port("mode", IN, csr.MODE_WIDTH, "mode this cycle and its retiring instructions count in",
         csr.Mode, init=csr.Mode.M),
    Port("halt", IN, 1, "debug mode with `dcsr.stopcount`: no counter moves", bool),
    Port("csr_rsp.valid", OUT, 1, "response to the request presented three cycles earlier",
         bool),
    Port("csr_rsp.hit", OUT, 1, "1: the PMU decodes this address; 0: the core must handle it",
         bool),
    Port("csr_rsp.rdata", OUT, "XLEN", "old value of the CSR (0 on an exception or a miss)"),
    Port("csr_rsp.exc", OUT, csr.EXC_WIDTH, "0 none, 1 illegal instruction (cause 2), 2 "
         "virtual instruction (cause 22)", csr.Exc),
    Port("lcofip", OUT, 1, "the LCOFIP latch (mip bit 13): the counter-overflow interrupt "
         "request", bool),
    Port("mcounteren", OUT, 32, "current value, for the core's own check of `time` (bit 1)"),
    Port("scounteren", OUT, 32, "current value, for the core's own check of `time` (bit 1)"),
    Port("hcounteren", OUT, 32, "current value, for the core's own check of `time` (bit 1)"),
    Port("lcofi_set", OUT, 1, "simulation and board tops only: an overflow sets LCOFIP at the "
         "end of this cycle", bool, run_status=True),
)

_WIDTH_DOC = {"XLEN": "XLEN", "retire": "bits(retire_width)", "event": "bits(max_per_cycle)"}


def width(port: Port, config: PMUConfig, event: int | None = None) -> int:
    if isinstance(port.width, int):
        return port.width
    if port.width == "XLEN":
        return config.xlen
    if port.width == "retire":
        return max(1, config.retire_width.bit_length())
    return config.events[event].count_width


def ports(config: PMUConfig, *, run_status: bool = False, direction: str | None = None):
    """(pin, port, width, event index) for every pin of a PMU built for ``config``.

    Cached: the cocotb drivers and monitors ask for it every cycle."""
    return _ports(config, run_status, direction)


@functools.lru_cache(maxsize=64)
def _ports(config: PMUConfig, run_status: bool, direction: str | None) -> tuple:
    return tuple(_each_port(config, run_status, direction))


def _each_port(config: PMUConfig, run_status: bool, direction: str | None):
    for p in PORTS:
        if (p.run_status and not run_status) or (direction and p.dir != direction):
            continue
        if p.name == "events.*":
            for i, e in enumerate(config.events):
                yield f"events__{e.name}", p, width(p, config, i), i
        else:
            yield p.name.replace(".", "__"), p, width(p, config), None


def _value(port: Port, raw: int):
    if port.kind is bool:
        return bool(raw)
    return port.kind(raw) if port.kind else raw


def input_pins(config: PMUConfig, inp, *, events: bool = True) -> dict[str, int]:
    """Pin values that present ``inp`` (a ``PortInputs``). Without a request only
    ``csr_req.valid`` is driven: the other request pins keep what they had (the PMU must
    ignore them). ``events=False`` leaves the event and retire pins alone."""
    req = inp.csr_req
    counts = inp.events or (0,) * len(config.events)
    out: dict[str, int] = {}
    for pin, p, w, i in ports(config, direction=IN):
        if p.group == "csr_req":
            if p.field == "valid":
                out[pin] = int(req is not None)
            elif req is not None:
                out[pin] = int(getattr(req, p.field)) & ((1 << w) - 1)
        elif p.name == "events.*":
            if events:
                out[pin] = counts[i]
        elif p.name == "retired":
            if events:
                out[pin] = inp.retired
        else:
            out[pin] = int(getattr(inp, p.name))
    return out


def observed_inputs(config: PMUConfig, pins: dict[str, int]):
    """The ``PortInputs`` the pins show (the passive monitor's view)."""
    from .model.cycle import CSRRequest, PortInputs

    req: dict[str, object] = {}
    flat: dict[str, object] = {}
    counts: list[int] = []
    for pin, p, _w, _i in ports(config, direction=IN):
        if p.name == "events.*":
            counts.append(pins[pin])
        elif p.group == "csr_req":
            req[p.field] = _value(p, pins[pin])
        else:
            flat[p.name] = _value(p, pins[pin])
    valid = req.pop("valid")
    request = CSRRequest(**req) if valid else None
    return PortInputs(request, tuple(counts), **flat)


def outputs(config: PMUConfig, pins: dict[str, int]):
    """The ``PortOutputs`` the output pins show (``lcofi_set`` is not part of it)."""
    from .model.cycle import CSRResponse, PortOutputs

    rsp: dict[str, object] = {}
    flat: dict[str, object] = {}
    for pin, p, _w, _i in ports(config, direction=OUT):
        if p.group == "csr_rsp":
            rsp[p.field] = _value(p, pins[pin])
        else:
            flat[p.name] = _value(p, pins[pin])
    return PortOutputs(CSRResponse(**rsp), **flat)


def markdown_table() -> str:
    """The port table of docs/timing.md."""
    lines = ["| port | dir | width | meaning |", "|---|---|---|---|"]
    for p in PORTS:
        name = "events[i]" if p.name == "events.*" else p.name
        w = p.width if isinstance(p.width, int) else _WIDTH_DOC[p.width]
        lines.append(f"| `{name}` | {p.dir} | {w} | {p.meaning} |")
    return "\n".join(lines) + "\n"
