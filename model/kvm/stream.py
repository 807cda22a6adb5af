"""A deterministic description of what the guest's instructions feed the PMU, cycle by cycle.

``vpmu.run(cycles, events=...)`` takes a small JSON-able mapping instead of a list per cycle so
that traces stay short and any backend (the hart model, a cocotb testbench driving event input
ports, a board) can regenerate the exact same stimulus:

* ``"retired"``: instructions retired per cycle (default 1: a simple in-order loop);
* ``"<event input name>"`` (from ``PMUConfig.events``): occurrences per cycle.

A value is an integer (the same count every cycle) or a non-empty list of integers, a pattern
repeated from the first cycle of the run: ``{"branch": [1, 0, 0, 0]}`` is a branch every fourth
cycle. Counts must fit the input (``max_per_cycle``, ``retire_width``).
"""

from __future__ import annotations

import math

from collections.abc import Mapping

from rvpmu.config import PMUConfig

RETIRED = "retired"


def _pattern(name: str, value: object, limit: int) -> tuple[int, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    if not items:
        raise ValueError(f"events[{name!r}]: a pattern needs at least one count")
    out = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= limit:
            raise ValueError(f"events[{name!r}]: counts must be integers 0..{limit} "
                             f"(the input's per-cycle maximum), got {v!r}")
        out.append(v)
    return tuple(out)


class EventStream:
    """The per-cycle stimulus of one run: ``at(i)`` gives cycle ``i``'s occurrences per event
    input (as the PMU's event pins carry them) and instructions retired."""

    def __init__(self, config: PMUConfig, description: Mapping[str, object] | None = None):
        if description is None:
            description = {}
        if not isinstance(description, Mapping):
            raise ValueError("events must be a mapping of event input name (or 'retired') to a "
                             f"per-cycle count or a list of counts, got {description!r}")
        desc = dict(description)
        desc.setdefault(RETIRED, 1)
        self._retired = _pattern(RETIRED, desc.pop(RETIRED), config.retire_width)
        self._inputs: list[tuple[int, tuple[int, ...]]] = []  # (input index, pattern)
        self._width = len(config.events)
        names = {e.name: i for i, e in enumerate(config.events)}
        self._description: dict[str, object] = {RETIRED: _plain(self._retired)}
        for name in sorted(desc):
            if not isinstance(name, str) or name not in names:
                have = ", ".join([RETIRED, *names]) or RETIRED
                raise ValueError(f"events: {name!r} is not an event input of this PMU "
                                 f"(known: {have})")
            idx = names[name]
            pat = _pattern(name, desc[name], config.events[idx].max_per_cycle)
            self._description[name] = _plain(pat)
            if any(pat):
                self._inputs.append((idx, pat))

    @classmethod
    def idle(cls, config: PMUConfig) -> EventStream:
        """No instruction retires and no event fires (a host cycle)."""
        return cls(config, {RETIRED: 0})

    def at(self, cycle: int) -> tuple[tuple[int, ...], int]:
        """(occurrences of each event input; instructions retired) in cycle ``cycle``."""
        counts = [0] * self._width
        for idx, pat in self._inputs:
            counts[idx] = pat[cycle % len(pat)]
        return tuple(counts), self._retired[cycle % len(self._retired)]

    @property
    def period(self) -> int:
        """Cycles after which ``at`` repeats (1: the same stimulus every cycle)."""
        return math.lcm(len(self._retired), *(len(p) for _, p in self._inputs))

    def shifted(self, offset: int) -> _Shifted:
        """The same stream seen from cycle ``offset`` on (a run resumed after an interrupt)."""
        return _Shifted(self, offset)

    def description(self) -> dict[str, object]:
        """The normalised, JSON-able description (what a trace records)."""
        return dict(self._description)


class _Shifted:
    def __init__(self, stream: EventStream, offset: int):
        self._stream, self._offset = stream, offset

    def at(self, cycle: int) -> tuple[tuple[int, ...], int]:
        return self._stream.at(self._offset + cycle)

    @property
    def period(self) -> int:
        return self._stream.period


def _plain(pattern: tuple[int, ...]) -> object:
    return pattern[0] if len(pattern) == 1 else list(pattern)
