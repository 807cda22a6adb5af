"""Shared helpers of the hart PMU conformance tests (tests/model).

Addresses and bit positions are written out literally from hardware-pmu.md section (a), not
imported from ``rvpmu.csr``, so that a wrong constant in the package is caught by the tests
instead of being copied into them. Expected values are always computed in the tests.
"""

from __future__ import annotations

from rvpmu.config import EventInput, PMUConfig
from rvpmu.model import HartPMU

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1

# ---- CSR addresses (hardware-pmu.md (a)) -----------------------------------------------------
MCYCLE, MINSTRET = 0xB00, 0xB02
MCYCLEH, MINSTRETH = 0xB80, 0xB82
CYCLE, INSTRET = 0xC00, 0xC02
CYCLEH, INSTRETH = 0xC80, 0xC82
TIME, TIMEH = 0xC01, 0xC81
MCOUNTINHIBIT = 0x320
MCYCLECFG, MINSTRETCFG = 0x321, 0x322
MCYCLECFGH, MINSTRETCFGH = 0x721, 0x722
MCOUNTEREN, SCOUNTEREN, HCOUNTEREN = 0x306, 0x106, 0x606
SCOUNTOVF = 0xDA0
MIP = 0x344
LCOFIP = 1 << 13


def _plus(base: int):
    return lambda n: base + n


# hpm register n's address: mhpmcounter(n), ...
mhpmcounter, mhpmcounterh, hpmcounter, hpmcounterh, mhpmevent, mhpmeventh = (
    _plus(base) for base in (0xB00, 0xB80, 0xC00, 0xC80, 0x320, 0x720))


# Counter index i (0 cycle, 2 instret, 3..31 hpm): machine and user address of each half.
def m_counter_addrs(i: int) -> tuple[int, int]:
    return 0xB00 + i, 0xB80 + i


def u_counter_addrs(i: int) -> tuple[int, int]:
    return 0xC00 + i, 0xC80 + i


HPM = range(3, 32)
COUNTER_IDX = (0, 2, *HPM)  # counters the PMU owns (1 = time is the platform's)

# ---- mhpmevent / cfg fields (64-bit view) ------------------------------------------------------
OF = 1 << 63
MINH, SINH, UINH, VSINH, VUINH = (1 << 62), (1 << 61), (1 << 60), (1 << 59), (1 << 58)
INH = {"M": MINH, "S": SINH, "U": UINH, "VS": VSINH, "VU": VUINH}
ALL_INH = MINH | SINH | UINH | VSINH | VUINH
WPRI_EVENT = 0b11 << 56
SEL_MASK = (1 << 56) - 1
SEL_NONE, SEL_CYCLES, SEL_INSTRET = 0, 1, 2


def sel_ext(i: int) -> int:
    return 3 + i


# ---- configurations ------------------------------------------------------------------------
# Mode sets: has_u=False forces no S and no H; has_s=False forces no H.
MODESETS = {
    "MSU_H": dict(has_s=True, has_u=True, has_h=True),
    "MSU": dict(has_s=True, has_u=True, has_h=False),
    "MU": dict(has_s=False, has_u=True, has_h=False),
    "M": dict(has_s=False, has_u=False, has_h=False),
}
MODESET_NAMES = tuple(MODESETS)
XLENS = (32, 64)
WIDTHS = (1, 40, 64)
NUMS = (0, 1, 29)
ALL_MODES = ("M", "S", "U", "VS", "VU")

# Event inputs of the tests: ev_a one per cycle, ev_b up to 3, ev_c up to 255.
TEST_EVENTS = (EventInput("ev_a"), EventInput("ev_b", max_per_cycle=3),
               EventInput("ev_c", max_per_cycle=255))
EV_A, EV_B, EV_C = sel_ext(0), sel_ext(1), sel_ext(2)


def config(xlen: int = 64, num_counters: int = 29, counter_width: int = 64,
           modeset: str = "MSU_H", sscofpmf: bool = True, smcntrpmf: bool = True,
           events=TEST_EVENTS, retire_width: int = 4) -> PMUConfig:
    return PMUConfig(xlen=xlen, num_counters=num_counters, counter_width=counter_width,
                     events=events, retire_width=retire_width, sscofpmf=sscofpmf,
                     smcntrpmf=smcntrpmf, **MODESETS[modeset])


def make(**kw) -> HartPMU:
    return HartPMU(config(**kw))


def modes_of(cfg: PMUConfig) -> list[str]:
    out = ["M"]
    if cfg.has_s:
        out.append("S")
    if cfg.has_u:
        out.append("U")
    if cfg.has_h:
        out += ["VS", "VU"]
    return out


def xmax(pmu: HartPMU) -> int:
    return (1 << pmu.config.xlen) - 1


# ---- 64-bit register access over either XLEN ----------------------------------------------------


def write64(pmu: HartPMU, lo: int, hi: int, value: int, hi_exists: bool = True) -> None:
    """Write a 64-bit register in M-mode: one CSR on RV64, the two halves on RV32."""
    if pmu.config.xlen == 64:
        pmu.csr_write(lo, value)
    else:
        pmu.csr_write(lo, value & M32)
        if hi_exists:
            pmu.csr_write(hi, value >> 32)
        else:
            assert value >> 32 == 0, "high half does not exist in this configuration"


def read64(pmu: HartPMU, lo: int, hi: int, mode: str = "M", hi_exists: bool = True) -> int:
    if pmu.config.xlen == 64:
        return pmu.csr_read(lo, mode)
    low = pmu.csr_read(lo, mode)
    assert 0 <= low <= M32
    high = pmu.csr_read(hi, mode) if hi_exists else 0
    assert 0 <= high <= M32
    return low | high << 32


def set_counter(pmu: HartPMU, i: int, value: int) -> None:
    write64(pmu, *m_counter_addrs(i), value)


def get_counter(pmu: HartPMU, i: int, mode: str = "M") -> int:
    if mode == "M":
        return read64(pmu, *m_counter_addrs(i))
    return read64(pmu, *u_counter_addrs(i), mode=mode)


def set_event(pmu: HartPMU, n: int, value: int) -> None:
    write64(pmu, mhpmevent(n), mhpmeventh(n), value, hi_exists=pmu.config.sscofpmf)


def get_event(pmu: HartPMU, n: int) -> int:
    return read64(pmu, mhpmevent(n), mhpmeventh(n), hi_exists=pmu.config.sscofpmf)


def set_cfg(pmu: HartPMU, which: int, value: int) -> None:
    """which = 0 (mcyclecfg) or 2 (minstretcfg)."""
    lo, hi = (MCYCLECFG, MCYCLECFGH) if which == 0 else (MINSTRETCFG, MINSTRETCFGH)
    write64(pmu, lo, hi, value)


def get_cfg(pmu: HartPMU, which: int) -> int:
    lo, hi = (MCYCLECFG, MCYCLECFGH) if which == 0 else (MINSTRETCFG, MINSTRETCFGH)
    return read64(pmu, lo, hi)


def of_bit(pmu: HartPMU, n: int) -> bool:
    return bool(get_event(pmu, n) & OF)


def mip_lcofip(pmu: HartPMU) -> bool:
    return bool(pmu.csr_read(MIP) & LCOFIP)


def enable_all_counteren(pmu: HartPMU) -> None:
    """Write all-ones to every counter-enable register the configuration has (M-mode)."""
    cfg = pmu.config
    for addr, exists in ((MCOUNTEREN, cfg.has_u), (SCOUNTEREN, cfg.has_s),
                         (HCOUNTEREN, cfg.has_h)):
        if exists:
            pmu.csr_write(addr, M32)


def set_counteren(pmu: HartPMU, m: int | None = None, s: int | None = None,
                  h: int | None = None) -> None:
    cfg = pmu.config
    if m is not None and cfg.has_u:
        pmu.csr_write(MCOUNTEREN, m)
    if s is not None and cfg.has_s:
        pmu.csr_write(SCOUNTEREN, s)
    if h is not None and cfg.has_h:
        pmu.csr_write(HCOUNTEREN, h)


def arm(pmu: HartPMU, n: int, event: int, start: int | None = None) -> None:
    """Program counter n (event value, optional start value) and close one idle M-mode cycle,
    so the configuration applies from the next step (rule 23). With ``start`` given, the idle
    cycle leaves n at ``start`` (a written counter skips its increment, rule 21); without it, n
    counts in the idle cycle only if its previous selector counted (e.g. cycles)."""
    set_event(pmu, n, event)
    if start is not None:
        set_counter(pmu, n, start)
    pmu.step()
