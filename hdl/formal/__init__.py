"""Formal proofs of the PMU: the property harness (``harness``) and its runner (``sby``).

See docs/formal.md. Nothing here is part of the Verilog of ``rvpmu generate``.
"""

import sys  # noqa: F401  (tests patch sys.executable through this module)

from .harness import (HELPERS, PROPERTIES, PROPERTY_NAMES, PMUFormal, Property, counter_indices,
                      properties_for)
from .sby import (DEFAULT_COVER_DEPTH, DEFAULT_GROUP, DEFAULT_PROVE_DEPTH, INSTALL_HINT, MODES,
                  TOOLS, FormalToolError, Result, Task, find_tools, rtlil_text, run, run_task,
                  sby_text, span, table, tasks_for, tool_env)

__all__ = [
    "HELPERS", "PROPERTIES", "PROPERTY_NAMES", "PMUFormal", "Property", "counter_indices",
    "properties_for", "DEFAULT_COVER_DEPTH", "DEFAULT_GROUP", "DEFAULT_PROVE_DEPTH",
    "INSTALL_HINT", "MODES", "TOOLS", "FormalToolError", "Result", "Task", "find_tools",
    "rtlil_text", "run", "run_task", "sby_text", "span", "table", "tasks_for", "tool_env",
]
