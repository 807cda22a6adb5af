"""The hart model's rules, each stated once (hardware-pmu.md section (b); ``rvpmu.rules``).

In the style of Sail's ``zihpm.sail``: one named predicate per counting decision and one
legalise function per WARL register. ``HartPMU`` (per cycle, in bulk and in closed form) and
everything built on it use these, so a rule cannot read differently in two places.
"""

from __future__ import annotations

from rvpmu import csr
from rvpmu.config import PMUConfig

OF_BIT = 1 << csr.MHPMEVENT_OF


def should_inc_fixed(config: PMUConfig, idx: int, mode: csr.Mode, halted: bool,
                     mcountinhibit: int, cfg_reg: int) -> bool:
    """mcycle/minstret count this cycle: not halted (25), not inhibited (20), not filtered by
    mcyclecfg/minstretcfg for the mode (27, Smcntrpmf)."""
    return not halted and not mcountinhibit >> idx & 1 \
        and not (config.smcntrpmf and cfg_reg >> csr.INH_BIT[mode] & 1)


def should_inc_hpm(config: PMUConfig, idx: int, mode: csr.Mode, halted: bool,
                   mcountinhibit: int, mhpmevent: int) -> bool:
    """mhpmcounterN counts this cycle: not halted (25), a selector other than "no event"
    (10), not inhibited (20), not filtered by the xINH bit of the mode (26, Sscofpmf)."""
    return not halted and mhpmevent & csr.EVENT_SEL_MASK != csr.EVENT_NONE \
        and not mcountinhibit >> idx & 1 \
        and not (config.sscofpmf and mhpmevent >> csr.INH_BIT[mode] & 1)


def selected_amount(selector: int, cycles: int, retired: int, external: list[int]) -> int:
    """What selector ``selector`` counts over some cycles: the cycles, the instructions retired
    or the occurrences of its external input (``external[i]`` for input i)."""
    if selector == csr.EVENT_CYCLES:
        return cycles
    if selector == csr.EVENT_INSTRET:
        return retired
    return external[selector - csr.EVENT_EXTERNAL_BASE]


def overflows(config: PMUConfig, total: int, width_mask: int, mhpmevent: int) -> bool:
    """An increment that carries out of the implemented width (29) while OF is 0 sets OF and
    requests LCOFI (31); with OF already 1 it requests nothing (32). Sscofpmf only."""
    return total > width_mask and config.sscofpmf and not mhpmevent & OF_BIT


def legalise_mhpmevent(config: PMUConfig, value: int) -> int:
    """mhpmeventN after a write (``value`` already masked to the writable bits): an
    unsupported selector reads back 0 (rule 9)."""
    if value & csr.EVENT_SEL_MASK >= config.num_selectors:
        return value & ~csr.EVENT_SEL_MASK
    return value
