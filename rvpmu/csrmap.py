"""The CSR map of one configured PMU: which addresses it decodes, which exist, what is writable.

Built from ``rvpmu.csr`` (addresses and fields) and a ``PMUConfig``. The golden model takes its
existence checks and writable masks from here, the documentation and (later) the generated
register map, C header and JSON description are printed from it, so they cannot disagree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache

from . import csr
from .config import PMUConfig

M64 = (1 << 64) - 1


class Kind(enum.Enum):
    COUNTER = "counter"  # mcycle, minstret, mhpmcounterN (M read-write)
    SHADOW = "shadow"  # cycle, instret, hpmcounterN (user-level read-only)
    EVENT = "event"  # mhpmeventN
    CFG = "cfg"  # mcyclecfg, minstretcfg
    INHIBIT = "inhibit"  # mcountinhibit
    COUNTEREN = "counteren"  # mcounteren, scounteren, hcounteren
    SCOUNTOVF = "scountovf"
    MIP = "mip"  # bit 13 only


@dataclass(frozen=True)
class CSRInfo:
    """One decoded CSR address.

    ``reg`` names the 64-bit register behind it; ``half`` is ``"lo"`` or ``"hi"`` on RV32 (the
    address reads/writes that 32-bit half) and ``None`` for a full-width access. ``exists`` is
    False for addresses in the PMU's ranges that this configuration does not have (they raise an
    illegal-instruction exception in every mode). ``writable`` is the mask of software-writable
    bits of the 64-bit register (event selectors are WARL on top of it).
    """

    name: str
    addr: int
    kind: Kind
    reg: str
    index: int | None
    half: str | None
    exists: bool
    writable: int
    description: str

    @property
    def read_only(self) -> bool:
        return csr.csr_is_read_only(self.addr)

    @property
    def min_priv(self) -> int:
        return csr.csr_min_priv(self.addr)


def _counter_name(i: int, machine: bool) -> str:
    base = {csr.CY: "cycle", csr.IR: "instret"}.get(i, f"hpmcounter{i}")
    return ("m" + base) if machine else base


@lru_cache(maxsize=64)
def csr_map(config: PMUConfig) -> dict[int, CSRInfo]:
    """Every address the PMU decodes for ``config``, keyed by address, in address order."""
    rv32 = config.xlen == 32
    hpm_mask = (1 << config.counter_width) - 1
    impl = config.implemented_counters_mask
    out: dict[int, CSRInfo] = {}

    def add(info: CSRInfo) -> None:
        assert info.addr not in out, hex(info.addr)
        out[info.addr] = info

    counters = [csr.CY, csr.IR, *range(csr.HPM_FIRST, csr.HPM_LAST + 1)]
    for i in counters:
        implemented = bool(impl >> i & 1)
        width_mask = M64 if i in (csr.CY, csr.IR) else (hpm_mask if implemented else 0)
        mname, uname = _counter_name(i, True), _counter_name(i, False)
        what = {csr.CY: "cycles", csr.IR: "instructions retired"}.get(i, f"programmable counter {i}")
        if not implemented:
            what += " (not implemented: read-only 0)"
        for half in ((None,) if not rv32 else ("lo", "hi")):
            h = "h" if half == "hi" else ""
            add(CSRInfo(f"{mname}{h}", csr.MHPMCOUNTER_BASE + i + (0x80 if h else 0), Kind.COUNTER,
                        mname, i, half, True, width_mask,
                        f"{what}{', bits 63:32' if h else ''}"))
            add(CSRInfo(f"{uname}{h}", csr.HPMCOUNTER_BASE + i + (0x80 if h else 0), Kind.SHADOW,
                        mname, i, half, True, 0,
                        f"read-only shadow of {mname}{', bits 63:32' if h else ''}"))
        if not rv32:  # RV64: the high-half addresses exist in no mode (rule 4)
            for base, kind, n in ((csr.MHPMCOUNTERH_BASE, Kind.COUNTER, mname),
                                  (csr.HPMCOUNTERH_BASE, Kind.SHADOW, uname)):
                add(CSRInfo(f"{n}h", base + i, kind, mname, i, "hi", False, 0,
                            "RV32 only: illegal on RV64"))

    ev_writable = (config.inh_mask() | (1 << csr.MHPMEVENT_OF)) if config.sscofpmf else 0
    for i in range(csr.HPM_FIRST, csr.HPM_LAST + 1):
        implemented = bool(impl >> i & 1)
        w = (ev_writable | csr.EVENT_SEL_MASK) if implemented else 0
        what = f"event selector and filters of counter {i}"
        if not implemented:
            what += " (not implemented: read-only 0)"
        add(CSRInfo(f"mhpmevent{i}", csr.MHPMEVENT_BASE + i, Kind.EVENT, f"mhpmevent{i}", i,
                    "lo" if rv32 else None, True, w, what))
        add(CSRInfo(f"mhpmevent{i}h", csr.MHPMEVENTH_BASE + i, Kind.EVENT, f"mhpmevent{i}", i,
                    "hi", rv32 and config.sscofpmf, w if rv32 and config.sscofpmf else 0,
                    "bits 63:32 of mhpmevent (RV32 with Sscofpmf only)"))

    cfg_w = config.inh_mask() if config.smcntrpmf else 0
    for i, name, addr, addrh in ((csr.CY, "mcyclecfg", csr.MCYCLECFG, csr.MCYCLECFGH),
                                  (csr.IR, "minstretcfg", csr.MINSTRETCFG, csr.MINSTRETCFGH)):
        add(CSRInfo(name, addr, Kind.CFG, name, i, "lo" if rv32 else None, config.smcntrpmf,
                    cfg_w, f"mode filter of {_counter_name(i, True)} (Smcntrpmf)"))
        add(CSRInfo(name + "h", addrh, Kind.CFG, name, i, "hi", rv32 and config.smcntrpmf,
                    cfg_w if rv32 else 0, f"bits 63:32 of {name} (RV32 with Smcntrpmf only)"))

    add(CSRInfo("mcountinhibit", csr.MCOUNTINHIBIT, Kind.INHIBIT, "mcountinhibit", None, None,
                True, impl, "stop counting per counter; bit 1 (TM) read-only 0"))
    en_mask = impl | (1 << csr.TM)  # time is the platform's, but its enable bit lives here
    for name, addr, exists, doc in (
            ("mcounteren", csr.MCOUNTEREN, config.has_u, "lower-privilege counter access (U-mode only)"),
            ("scounteren", csr.SCOUNTEREN, config.has_s, "U-mode counter access (S-mode only)"),
            ("hcounteren", csr.HCOUNTEREN, config.has_h, "VS/VU counter access (H only)")):
        add(CSRInfo(name, addr, Kind.COUNTEREN, name, None, None, exists, en_mask if exists else 0,
                    doc))
    add(CSRInfo("scountovf", csr.SCOUNTOVF, Kind.SCOUNTOVF, "scountovf", None, None,
                config.sscofpmf and config.has_s, 0,
                "read-only copies of the OF bits (Sscofpmf, S-mode only)"))
    add(CSRInfo("mip", csr.MIP, Kind.MIP, "mip", None, None, True,
                (1 << csr.MIP_LCOFIP_BIT) if config.sscofpmf else 0,
                "bit 13 LCOFIP only (the core merges the other bits)"))
    return dict(sorted(out.items()))


def lookup(config: PMUConfig, addr: int) -> CSRInfo | None:
    """The PMU's CSR at ``addr``, or None if the address is not the PMU's."""
    return csr_map(config).get(addr)


def by_name(config: PMUConfig, name: str) -> CSRInfo:
    """Look a CSR up by its specification name (``mhpmevent3``, ``cycleh``)."""
    key = name.strip().lower()
    for info in csr_map(config).values():
        if info.name == key:
            return info
    raise KeyError(f"{name!r} is not a PMU CSR name")


def parse_csr(config: PMUConfig, text: str) -> int:
    """Accept a CSR name or a number (``0xB03``, ``2819``) and return its address."""
    t = text.strip()
    try:
        addr = int(t, 0)
    except ValueError:
        try:
            return by_name(config, t).addr
        except KeyError:
            raise ValueError(f"{text!r} is neither a CSR number nor a PMU CSR name") from None
    if not 0 <= addr < 1 << csr.CSR_ADDR_WIDTH:
        raise ValueError(f"CSR number {text!r} is outside 0x000..0xFFF")
    return addr
