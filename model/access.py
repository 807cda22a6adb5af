"""Which CSR access traps, in which mode, with which exception (hardware-pmu.md rules 4, 11-19).

Kept apart from the counter state so the rules read as a list, in the order the checks apply.
"""

from __future__ import annotations

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import CSRInfo, Kind

from .errors import IllegalInstruction, VirtualInstruction

Mode = csr.Mode


def check_access(config: PMUConfig, info: CSRInfo, op: csr.CSROp, mode: Mode,
                 counteren: dict[str, int]) -> None:
    """Raise the exception an access must take; return if it is allowed.

    ``counteren`` holds the current mcounteren/scounteren/hcounteren values.
    """
    is_write = op != csr.CSROp.READ

    def illegal(reason: str) -> IllegalInstruction:
        return IllegalInstruction(info.addr, mode, op, reason)

    def virtual(reason: str) -> VirtualInstruction:
        return VirtualInstruction(info.addr, mode, op, reason)

    # Rules 3, 4, 7: addresses this configuration does not have trap in every mode, M included.
    if not info.exists:
        raise illegal(f"{info.name} does not exist in this configuration")
    # Rule 11 (and 19 for scountovf): a write to a read-only CSR is illegal in every mode,
    # before any privilege question (VS/VU get IIE, since HS could not write it either).
    if is_write and info.read_only:
        raise illegal(f"{info.name} is read-only")
    if mode == Mode.M:
        return  # rule 1: nothing the PMU decodes traps in M-mode beyond the two checks above

    level = info.min_priv
    if level == 3:  # machine-level CSR from any lower mode, V=1 included
        raise illegal(f"{info.name} is a machine-level CSR")
    if level == 2:  # hypervisor CSR (hcounteren): HS only
        if mode == Mode.U:
            raise illegal(f"{info.name} is a hypervisor CSR")
        if mode.virtual:
            raise virtual(f"{info.name} is a hypervisor CSR accessed with V=1")
        return
    if level == 1:  # supervisor CSR (scounteren, scountovf)
        if mode == Mode.U:
            raise illegal(f"{info.name} is a supervisor CSR")
        if mode == Mode.VU:
            raise virtual(f"{info.name} is a supervisor CSR accessed from VU-mode")
        return

    # User-level counter shadows (rules 12-15); only reads get here.
    assert info.kind == Kind.SHADOW and info.index is not None
    bit = info.index
    men = counteren["mcounteren"] >> bit & 1
    sen = counteren["scounteren"] >> bit & 1 if config.has_s else 1
    hen = counteren["hcounteren"] >> bit & 1 if config.has_h else 1
    if not men:  # rules 12-15: mcounteren gates every lower mode with an illegal instruction
        raise illegal(f"mcounteren[{bit}] is 0")
    if mode == Mode.U and not sen:  # rule 13: OR of the two revocations, not AND
        raise illegal(f"scounteren[{bit}] is 0")
    if mode == Mode.VS and not hen:  # rule 14
        raise virtual(f"hcounteren[{bit}] is 0")
    if mode == Mode.VU and not (hen and sen):  # rule 15
        raise virtual(f"hcounteren[{bit}] or scounteren[{bit}] is 0")


def scountovf_mask(config: PMUConfig, mode: Mode, counteren: dict[str, int]) -> int:
    """Which OF bits a read of scountovf shows in ``mode`` (rule 19)."""
    if mode == Mode.M:
        return (1 << 32) - 1  # all OF bits, unmasked (norm:scountovf_mmode_read_access)
    mask = counteren["mcounteren"]
    if mode == Mode.VS:
        mask &= counteren["hcounteren"]
    return mask
