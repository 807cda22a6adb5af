"""The cycle-level port model: the contract the gateware implements (docs/timing.md).

One call to ``PMUPorts.clock()`` is one rising clock edge. Its argument holds the input ports as
sampled at that edge; its result holds the registered outputs as they read during the next
cycle. The ports themselves (names, widths, meaning) are defined once in ``rvpmu.ports``; the
gateware's signature, the testbenches' drivers and monitors and docs/timing.md derive from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rvpmu import csr
from rvpmu.config import PMUConfig

from . import rules
from .errors import CSRAccessFault, NotPMUCSR
from .hart import HartPMU

CSR_RESPONSE_LATENCY = 3  # a request presented in cycle t has its response in cycle t + 3


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
    """The hart model driven through the gateware's ports, edge by edge.

    The gateware of hdl/pmu.py performs a request in the cycle after it is presented and
    answers two cycles later, and adds a cycle's increments at the end of the next cycle
    (docs/timing.md). (The one-cycle contract of the FPGA benchmark's plain reference design
    is bench/reference/plain_ports.py.)
    """

    latency = CSR_RESPONSE_LATENCY

    def __init__(self, config: PMUConfig | None = None):
        self.hart = HartPMU(config)
        self.config = self.hart.config
        self.reset()

    def reset(self) -> PortOutputs:
        self.hart.reset()
        self.outputs = PortOutputs()
        self._request: CSRRequest | None = None  # presented last cycle, performed this cycle
        self._response = CSRResponse()  # performed last cycle, on the port next cycle
        self._increments: dict[int, int] = {}  # from last cycle's inputs
        self._lcofi = False  # an overflow at the last edge: LCOFIP is set at this one
        self.performed: tuple[CSRRequest, CSRResponse] | None = None  # by the latest clock()
        return self.outputs

    @property
    def csr_idle(self) -> bool:
        """No request is waiting to be performed and no response to be shown."""
        return self._request is None and not self._response.valid

    def _edge(self, applied: dict[int, int]) -> None:
        """The rest of a pipelined edge, after its access: the LCOFIP set an overflow at the
        previous edge recorded, then this edge's increments (rules 31-34)."""
        if self._lcofi:
            self.hart.raise_lcofi()
        self._lcofi = self.hart.step_increments(applied, defer_lcofi=True)

    @property
    def in_flight(self) -> dict[int, int]:
        """The increments selected from the last clocked inputs, added at the next edge."""
        return dict(self._increments)

    def lcofi_set(self) -> bool:
        """The gateware's ``lcofi_set``: the increments in flight set LCOFIP at the next edge
        (if that edge performs no CSR write), so a run can stop exactly at an overflow; or an
        overflow at the last edge still has to set it."""
        if not self.config.sscofpmf:
            return False
        h = self.hart
        return self._lcofi or any(
            idx not in (csr.CY, csr.IR)
            and rules.overflows(self.config, h.counters[idx] + inc, h._hpm_mask, h.mhpmevent[idx])
            for idx, inc in self._increments.items())

    def _perform(self, req: CSRRequest | None) -> CSRResponse:
        if req is None:
            return CSRResponse()
        wdata = req.wdata & ((1 << self.config.xlen) - 1)
        try:
            old = self.hart.access(req.addr, csr.CSROp(req.op), wdata, csr.Mode(req.mode))
            return CSRResponse(True, True, old, csr.Exc.NONE)
        except CSRAccessFault as fault:
            return CSRResponse(True, True, 0, fault.exc)
        except NotPMUCSR:
            return CSRResponse(True, False, 0, csr.Exc.NONE)

    def cycle_increments(self, inputs: PortInputs) -> dict[int, int]:
        """What each counter adds for the cycle ``inputs`` describes, with the configuration
        as it stands before this edge's write."""
        return self.hart.increments(counts=inputs.events, retired=inputs.retired,
                                    mode=csr.Mode(inputs.mode), halted=bool(inputs.halt))

    def _show(self, rsp: CSRResponse) -> PortOutputs:
        en = self.hart.counteren
        self.outputs = PortOutputs(rsp, self.hart.lcofip, en["mcounteren"], en["scounteren"],
                                   en["hcounteren"])
        return self.outputs

    def clock(self, inputs: PortInputs) -> PortOutputs:
        incs = self.cycle_increments(inputs)
        performed, self._request = self._request, inputs.csr_req
        now = self._perform(performed)
        rsp, self._response = self._response, now
        applied, self._increments = self._increments, incs
        self._edge(applied)
        self.performed = (performed, now) if performed is not None else None
        return self._show(rsp)

    def run(self, cycles: int, totals: Callable[[int, int], tuple[tuple[int, ...], int]],
            at: Callable[[int], tuple[tuple[int, ...], int]], mode: csr.Mode,
            halt: bool) -> PortOutputs:
        """``cycles`` cycles without CSR access, in closed form (``HartPMU.advance``).

        ``totals(k, n)`` gives (event totals, retired total) over cycles k .. k+n-1 of the run
        and ``at(k)`` the (events, retired) of cycle k: the pipeline's last two edges are
        stepped one by one (the last cycle's increments are still in flight at the end, and
        an overflow at the last edge sets LCOFIP one edge later). Needs no access in flight.
        """
        if not self.csr_idle:
            raise ValueError("a CSR access is in flight: clock() until it is answered")
        if cycles <= 0:
            return self.outputs
        mode = csr.Mode(mode)
        h = self.hart

        def incs(k: int) -> dict[int, int]:
            events, retired = at(k)
            return h.increments(counts=events, retired=retired, mode=mode, halted=halt)

        self._edge(self._increments)  # edge 1 adds the increments of the cycle before
        if cycles >= 3:  # edges 2 .. cycles-1; their LCOFIP sets are all visible at the end
            if self._lcofi:
                h.raise_lcofi()
                self._lcofi = False
            events, retired = totals(0, cycles - 2)
            h.advance(cycles - 2, events, retired, mode, halt)
        if cycles >= 2:
            self._edge(incs(cycles - 2))
        self._increments = incs(cycles - 1)
        self.performed = None
        return self._show(CSRResponse())
