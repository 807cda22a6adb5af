"""Amaranth gateware of the PMU. ``PMU`` is the component a core instantiates."""

from .pmu import PMU

__all__ = ["PMU"]
