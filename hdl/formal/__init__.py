"""Formal proofs of the PMU: the property harness (``harness``) and its runner (``sby``).

See docs/formal.md. Nothing here is part of the Verilog of ``rvpmu generate``.
"""

import sys  # noqa: F401  (tests patch sys.executable through this module)

from .harness import HELPERS, PROPERTIES, PROPERTY_NAMES, PMUFormal, Property, properties_for
from .sby import (DEFAULT_COVER_DEPTH, DEFAULT_PROVE_DEPTH, INSTALL_HINT, MODES, TOOLS,
                  FormalToolError, Result, find_tools, rtlil_text, run, run_task, sby_text, table,
                  tool_env)

__all__ = [
    "HELPERS", "PROPERTIES", "PROPERTY_NAMES", "PMUFormal", "Property", "properties_for",
    "DEFAULT_COVER_DEPTH", "DEFAULT_PROVE_DEPTH", "INSTALL_HINT", "MODES", "TOOLS",
    "FormalToolError", "Result", "find_tools", "rtlil_text", "run", "run_task", "sby_text",
    "table", "tool_env",
]
