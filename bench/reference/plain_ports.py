"""The one-cycle port contract of the plain reference design (bench/reference/plain_pmu.py).

The earlier, unpipelined PMU performed a request in the cycle it was presented and answered at
the next edge; a cycle's increments were added at that same edge. Only the FPGA benchmark's
reference design has this contract; the shipped gateware's is ``rvpmu.model.PMUPorts``
(docs/timing.md), whose input checks and increments this shares.
"""

from __future__ import annotations

from collections.abc import Callable

from rvpmu import csr
from rvpmu.model.cycle import PMUPorts, PortInputs, PortOutputs, CSRResponse

PLAIN_CSR_RESPONSE_LATENCY = 1  # the response is in the outputs of the edge that sampled it


class PlainPMUPorts(PMUPorts):
    """``PMUPorts`` with the one-cycle contract: one ``clock()`` performs the request it
    samples, answers it in the outputs it returns and adds the cycle's increments."""

    latency = PLAIN_CSR_RESPONSE_LATENCY

    def clock(self, inputs: PortInputs) -> PortOutputs:
        incs = self.cycle_increments(inputs)
        rsp = self._perform(inputs.csr_req)
        self.hart.step_increments(incs)
        self.performed = (inputs.csr_req, rsp) if inputs.csr_req is not None else None
        return self._show(rsp)

    def lcofi_set(self) -> bool:
        return False  # the plain design has no run control to stop

    def run(self, cycles: int, totals: Callable[[int, int], tuple[tuple[int, ...], int]],
            at: Callable[[int], tuple[tuple[int, ...], int]], mode: csr.Mode,
            halt: bool) -> PortOutputs:
        """``cycles`` access-free cycles in closed form (``totals`` as for ``PMUPorts.run``)."""
        if cycles > 0:
            events, retired = totals(0, cycles)
            self.hart.advance(cycles, events, retired, csr.Mode(mode), halt)
        self.performed = None
        return self._show(CSRResponse())
