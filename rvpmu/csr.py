"""The PMU's CSR map: the single source of truth for addresses, fields, encodings.

Everything that names a CSR number, a field position, a privilege mode, an exception kind or an
event selector value imports it from here: the golden model, the gateware, the testbenches, the
board protocol and the generated documentation. Plain Python on purpose (no Amaranth import), so
the model and host-side tools stay light; ``rvpmu.hdl`` builds its ``amaranth.lib.data`` layouts
from the field tables below.

Sources: ``hardware-pmu.md`` section (a) (the CSR map) and the privileged specification's CSR
address conventions (bits [11:10] = 0b11 read-only, bits [9:8] = lowest privilege level).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# --------------------------------------------------------------------------------------------
# Privilege modes, CSR operations, exception kinds (the port encodings of the gateware too)
# --------------------------------------------------------------------------------------------


class Mode(enum.IntEnum):
    """Privilege mode of a CSR access or of the counted cycle/instruction.

    Encoding: bits [1:0] are the privilege level (0 U, 1 S, 3 M) and bit 2 is V (virtualised),
    so a core can drive ``{V, priv}`` straight onto the port.
    """

    U = 0b000
    S = 0b001
    M = 0b011
    VU = 0b100
    VS = 0b101

    @property
    def priv(self) -> int:
        return self.value & 0b11

    @property
    def virtual(self) -> bool:
        return bool(self.value & 0b100)


MODE_WIDTH = 3


class CSROp(enum.IntEnum):
    """CSR access kind. A core maps CSRRS/CSRRC with rs1=x0 (uimm=0) to READ (rule 11)."""

    READ = 0
    WRITE = 1  # CSRRW/CSRRWI, even with rd=x0
    SET = 2  # CSRRS/CSRRSI with a non-zero source
    CLEAR = 3  # CSRRC/CSRRCI with a non-zero source


CSR_OP_WIDTH = 2


class Exc(enum.IntEnum):
    """Outcome of a CSR access (the ``csr_rsp.exc`` port)."""

    NONE = 0
    ILLEGAL_INSTRUCTION = 1  # cause 2
    VIRTUAL_INSTRUCTION = 2  # cause 22


EXC_WIDTH = 2

CAUSE_ILLEGAL_INSTRUCTION = 2
CAUSE_VIRTUAL_INSTRUCTION = 22
IRQ_LCOFI = 13  # interrupt cause of the local counter-overflow interrupt


# --------------------------------------------------------------------------------------------
# Counter indices
# --------------------------------------------------------------------------------------------

CY, TM, IR = 0, 1, 2  # counter index bits in m/s/hcounteren, mcountinhibit, scountovf
HPM_FIRST = 3
HPM_LAST = 31
HPM_MAX = HPM_LAST - HPM_FIRST + 1  # 29 programmable counters at most
COUNTER_INDICES = range(32)

# --------------------------------------------------------------------------------------------
# CSR addresses
# --------------------------------------------------------------------------------------------

CSR_ADDR_WIDTH = 12

# Machine counters and their RV32 high halves.
MCYCLE = 0xB00
MINSTRET = 0xB02
MHPMCOUNTER_BASE = 0xB00  # mhpmcounterN = 0xB00 + N
MCYCLEH = 0xB80
MINSTRETH = 0xB82
MHPMCOUNTERH_BASE = 0xB80

# User-level read-only shadows.
CYCLE = 0xC00
TIME = 0xC01  # not the PMU's: mtime lives in the platform timer
INSTRET = 0xC02
HPMCOUNTER_BASE = 0xC00
CYCLEH = 0xC80
TIMEH = 0xC81
INSTRETH = 0xC82
HPMCOUNTERH_BASE = 0xC80

# Configuration.
MCOUNTINHIBIT = 0x320
MCYCLECFG = 0x321  # Smcntrpmf
MINSTRETCFG = 0x322  # Smcntrpmf
MHPMEVENT_BASE = 0x320  # mhpmeventN = 0x320 + N
MCYCLECFGH = 0x721
MINSTRETCFGH = 0x722
MHPMEVENTH_BASE = 0x720  # RV32 and Sscofpmf only

MCOUNTEREN = 0x306
SCOUNTEREN = 0x106
HCOUNTEREN = 0x606
SCOUNTOVF = 0xDA0  # Sscofpmf

# The PMU owns bit 13 (LCOFIP) of mip; the core merges the other bits (see docs/csr-map.md).
MIP = 0x344
MIP_LCOFIP_BIT = IRQ_LCOFI


def _hpm_address(name: str, base: int):
    """The address function of the ``name``N registers: ``base`` + N, N in HPM_FIRST..HPM_LAST."""
    def address(n: int) -> int:
        _check_hpm(n)
        return base + n
    address.__name__ = address.__qualname__ = name
    address.__doc__ = f"The address of {name}N (N = {HPM_FIRST}..{HPM_LAST})."
    return address


mhpmcounter = _hpm_address("mhpmcounter", MHPMCOUNTER_BASE)
mhpmcounterh = _hpm_address("mhpmcounterh", MHPMCOUNTERH_BASE)
hpmcounter = _hpm_address("hpmcounter", HPMCOUNTER_BASE)
hpmcounterh = _hpm_address("hpmcounterh", HPMCOUNTERH_BASE)
mhpmevent = _hpm_address("mhpmevent", MHPMEVENT_BASE)
mhpmeventh = _hpm_address("mhpmeventh", MHPMEVENTH_BASE)


def _check_hpm(n: int) -> None:
    if not isinstance(n, int) or not HPM_FIRST <= n <= HPM_LAST:
        raise ValueError(f"hpm counter index must be {HPM_FIRST}..{HPM_LAST}, got {n!r}")


def csr_is_read_only(addr: int) -> bool:
    """Address bits [11:10] = 0b11 mark a read-only CSR (``norm:Zicsr_illegal_acc``)."""
    return (addr >> 10) & 0b11 == 0b11


def csr_min_priv(addr: int) -> int:
    """Address bits [9:8]: the lowest privilege level that may access the CSR (0 U, 1 S, 2 H, 3 M)."""
    return (addr >> 8) & 0b11


# --------------------------------------------------------------------------------------------
# Field layouts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A field of a 64-bit register: ``name``, least significant bit, width, access."""

    name: str
    lsb: int
    width: int
    access: str  # "RW", "RO0" (read-only zero), "WARL", "RW1" (sticky, written by software)
    doc: str

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb


# mhpmeventN (64-bit view; on RV32 bits 63:32 are mhpmeventNh). Sscofpmf adds bits 63:58.
MHPMEVENT_OF = 63
MHPMEVENT_MINH = 62
MHPMEVENT_SINH = 61
MHPMEVENT_UINH = 60
MHPMEVENT_VSINH = 59
MHPMEVENT_VUINH = 58
EVENT_SEL_WIDTH = 56  # bits 55:0 hold the event selector
EVENT_SEL_MASK = (1 << EVENT_SEL_WIDTH) - 1


def _inh_fields(extension: str | None = None) -> tuple[Field, ...]:
    """The five xINH bits (62..58) of mhpmeventN and mcyclecfg/minstretcfg."""
    modes = (("MINH", MHPMEVENT_MINH, "M-mode", None),
             ("SINH", MHPMEVENT_SINH, "S/HS-mode", "S-mode only"),
             ("UINH", MHPMEVENT_UINH, "U-mode", "U-mode only"),
             ("VSINH", MHPMEVENT_VSINH, "VS-mode", "H only"),
             ("VUINH", MHPMEVENT_VUINH, "VU-mode", "H only"))
    out = []
    for name, bit, mode, needs in modes:
        notes = ", ".join(n for n in (extension, needs) if n)
        out.append(Field(name, bit, 1, "RW",
                         f"do not count in {mode}" + (f" ({notes})" if notes else "")))
    return tuple(out)


MHPMEVENT_FIELDS = (
    Field("OF", 63, 1, "RW", "overflow: set by hardware on a counter overflow while 0 (Sscofpmf)"),
    *_inh_fields("Sscofpmf"),
    Field("WPRI", 56, 2, "RO0", "reserved, read-only 0"),
    Field("EVENT", 0, 56, "WARL", "event selector; unsupported values read back as 0"),
)

# mcyclecfg / minstretcfg (Smcntrpmf). Bit 63 is read-only 0: no overflow for cycle/instret.
CFG_FIELDS = (
    Field("ZERO", 63, 1, "RO0", "read-only 0 (no overflow interrupt for mcycle/minstret)"),
    *_inh_fields(),
    Field("WPRI", 0, 58, "RO0", "reserved, read-only 0"),
)

# The xINH bit that filters each mode (rule 26: M->MINH, S/HS->SINH, U->UINH, VS->VSINH, VU->VUINH).
INH_BIT = {
    Mode.M: MHPMEVENT_MINH,
    Mode.S: MHPMEVENT_SINH,
    Mode.U: MHPMEVENT_UINH,
    Mode.VS: MHPMEVENT_VSINH,
    Mode.VU: MHPMEVENT_VUINH,
}

# --------------------------------------------------------------------------------------------
# Event selectors (the value in mhpmeventN[55:0])
# --------------------------------------------------------------------------------------------

EVENT_NONE = 0  # "no event": never counts (rule 10)
EVENT_CYCLES = 1  # every non-halted cycle, so any counter can sample on cycles
EVENT_INSTRET = 2  # instructions retired (the ``retired`` input)
EVENT_EXTERNAL_BASE = 3  # external event input i has selector 3 + i


def event_selector(external_index: int) -> int:
    return EVENT_EXTERNAL_BASE + external_index
