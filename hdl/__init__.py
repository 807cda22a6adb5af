"""Amaranth gateware of the PMU (issue: the PMU gateware). Nothing here yet."""
