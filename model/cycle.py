"""The cycle-level port model: the contract the gateware implements (docs/timing.md).

One call to ``PMUPorts.clock()`` is one rising clock edge. Its argument holds the input ports as
sampled at that edge; its result holds the registered outputs as they read during the next
cycle. The gateware's ports carry the same names:

=================  =====  ==========================================================
port               dir    meaning
=================  =====  ==========================================================
csr_req.valid      in     a CSR access is presented this cycle
csr_req.addr       in     12-bit CSR number
csr_req.op         in     ``CSROp``: READ, WRITE, SET, CLEAR
csr_req.wdata      in     XLEN-bit source operand
csr_req.mode       in     ``Mode`` of the accessing instruction
events[i]          in     occurrences of external event i this cycle (0..max_per_cycle)
retired            in     instructions retired this cycle (0..retire_width)
mode               in     ``Mode`` the cycle and its retiring instructions count in
halt               in     debug mode with dcsr.stopcount: no counter moves
csr_rsp.valid      out    response to the request of the previous cycle
csr_rsp.hit        out    the address is the PMU's (0: the core decodes it)
csr_rsp.rdata      out    old value of the CSR (0 on an exception or a miss)
csr_rsp.exc        out    ``Exc``: NONE, ILLEGAL_INSTRUCTION, VIRTUAL_INSTRUCTION
lcofip             out    the LCOFIP latch (mip bit 13), the interrupt request
mcounteren ...     out    m/s/hcounteren, for the core's own check of ``time``
=================  =====  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from rvpmu import csr
from rvpmu.config import PMUConfig

from .errors import CSRAccessFault, NotPMUCSR
from .hart import HartPMU

CSR_RESPONSE_LATENCY = 1  # cycles from the edge that samples a request to its response


@dataclass(frozen=True)
class CSRRequest:
    addr: int
    op: csr.CSROp
    wdata: int = 0
    mode: csr.Mode = csr.Mode.M


@dataclass(frozen=True)
class CSRResponse:
    valid: bool = False
    hit: bool = False
    rdata: int = 0
    exc: csr.Exc = csr.Exc.NONE


@dataclass(frozen=True)
class PortInputs:
    csr_req: CSRRequest | None = None
    events: tuple[int, ...] = ()  # per external input: occurrences this cycle
    retired: int = 0
    mode: csr.Mode = csr.Mode.M
    halt: bool = False


@dataclass(frozen=True)
class PortOutputs:
    csr_rsp: CSRResponse = CSRResponse()
    lcofip: bool = False
    mcounteren: int = 0
    scounteren: int = 0
    hcounteren: int = 0


class PMUPorts:
    """The hart model driven through the gateware's ports, edge by edge."""

    def __init__(self, config: PMUConfig | None = None):
        self.hart = HartPMU(config)
        self.config = self.hart.config
        self.outputs = PortOutputs()

    def reset(self) -> PortOutputs:
        self.hart.reset()
        self.outputs = PortOutputs()
        return self.outputs

    def clock(self, inputs: PortInputs) -> PortOutputs:
        cfg = self.config
        if len(inputs.events) not in (0, len(cfg.events)):
            raise ValueError(f"events must give one count per event input ({len(cfg.events)}), "
                             f"got {len(inputs.events)}")
        rsp = CSRResponse()
        req = inputs.csr_req
        if req is not None:
            wdata = req.wdata & ((1 << cfg.xlen) - 1)
            try:
                old = self.hart.access(req.addr, csr.CSROp(req.op), wdata, csr.Mode(req.mode))
                rsp = CSRResponse(True, True, old, csr.Exc.NONE)
            except CSRAccessFault as fault:
                rsp = CSRResponse(True, True, 0, fault.exc)
            except NotPMUCSR:
                rsp = CSRResponse(True, False, 0, csr.Exc.NONE)
        selectors: list[int] = []
        for i, n in enumerate(inputs.events):
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"events[{i}] must be an occurrence count 0.."
                                 f"{cfg.events[i].max_per_cycle}, got {n!r}")
            selectors += [csr.event_selector(i)] * n
        self.hart.step(events=selectors, retired=inputs.retired, mode=csr.Mode(inputs.mode),
                       halted=bool(inputs.halt))
        en = self.hart.counteren
        self.outputs = PortOutputs(rsp, self.hart.lcofip, en["mcounteren"], en["scounteren"],
                                   en["hcounteren"])
        return self.outputs
