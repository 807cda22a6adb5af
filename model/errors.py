"""Exceptions of the hart PMU model.

``IllegalInstruction`` and ``VirtualInstruction`` are architectural outcomes of a CSR access
(the trap the core takes), not programming errors; ``NotPMUCSR`` and plain ``ValueError`` are.
"""

from __future__ import annotations

from rvpmu import csr


class CSRAccessFault(Exception):
    """A CSR access that traps. ``cause`` is the exception code the core writes to xcause."""

    exc: csr.Exc = csr.Exc.NONE
    cause: int = -1

    def __init__(self, addr: int, mode: csr.Mode, op: csr.CSROp, reason: str):
        self.addr, self.mode, self.op, self.reason = addr, mode, op, reason
        super().__init__(f"{type(self).__name__}: {op.name.lower()} of CSR 0x{addr:03X} in "
                         f"{mode.name}-mode: {reason}")


class IllegalInstruction(CSRAccessFault):
    exc = csr.Exc.ILLEGAL_INSTRUCTION
    cause = csr.CAUSE_ILLEGAL_INSTRUCTION


class VirtualInstruction(CSRAccessFault):
    exc = csr.Exc.VIRTUAL_INSTRUCTION
    cause = csr.CAUSE_VIRTUAL_INSTRUCTION


class NotPMUCSR(ValueError):
    """The address is not one the PMU decodes; the core must handle it (``csr_rsp.hit`` = 0)."""

    def __init__(self, addr: int):
        self.addr = addr
        super().__init__(f"CSR 0x{addr:03X} is not a PMU CSR (the core handles it)")
