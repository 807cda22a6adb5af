"""Shared by the formal tests: the small configurations and the tool check."""

from __future__ import annotations

import pytest

from rvpmu.config import EventInput, PMUConfig
from rvpmu.hdl import formal

# Few counters, narrow widths: every property is proved by k-induction in seconds.
CONFIGS = {
    # RV32, all modes (M/S/U/HS/VS/VU), Sscofpmf, Smcntrpmf, 2-wide retire and event counts.
    "rv32": PMUConfig(xlen=32, num_counters=2, counter_width=6, retire_width=2,
                      events=(EventInput("a", max_per_cycle=2), EventInput("b"))),
    # RV64, M/S/U, Sscofpmf without Smcntrpmf, one counter of 4 bits.
    "rv64": PMUConfig(xlen=64, num_counters=1, counter_width=4, has_h=False, smcntrpmf=False,
                      events=(EventInput("a", max_per_cycle=3),)),
    # RV32 M/U only, no Sscofpmf (OF and LCOFIP read-only 0), no event input.
    "rv32-mu": PMUConfig(xlen=32, num_counters=1, counter_width=8, has_s=False, has_h=False,
                         sscofpmf=False, events=()),
}


def require_tools() -> None:
    """Fail (never skip) when a formal tool is missing, saying how to install it."""
    try:
        formal.find_tools()
    except formal.FormalToolError as exc:
        pytest.fail(str(exc), pytrace=False)
