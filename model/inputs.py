"""The hart model's inputs as its API accepts them: modes and ops by name or value, integers in
range, and one cycle's external events, either as the occurrences of each event input (as the
PMU's event pins carry them, the form every port-level model, stimulus stream and backend
passes) or as a list of event selectors (the hart API and scripts); ``selector_counts`` is the
one place a selector list becomes per-input counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rvpmu import csr
from rvpmu.config import PMUConfig

Mode = csr.Mode
CSROp = csr.CSROp

_OPS = {"write": CSROp.WRITE, "set": CSROp.SET, "clear": CSROp.CLEAR}


def parse_mode(mode: str | Mode) -> Mode:
    if isinstance(mode, Mode):
        return mode
    if isinstance(mode, str) and mode.strip().upper() in Mode.__members__:
        return Mode[mode.strip().upper()]
    raise ValueError(f"mode must be one of M, S, U, VS, VU, got {mode!r}")


def parse_op(op: str | CSROp) -> CSROp:
    if isinstance(op, CSROp):
        if op == CSROp.READ:
            raise ValueError("csr_write needs a write op (write, set, clear); use csr_read to read")
        return op
    if isinstance(op, str) and op.strip().lower() in _OPS:
        return _OPS[op.strip().lower()]
    raise ValueError(f"op must be one of write, set, clear, got {op!r}")


def check_int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer {lo}..{hi}, got {value!r}")
    return value


def selector_counts(config: PMUConfig, events: Iterable[int]) -> tuple[int, ...]:
    """The per-input occurrence counts of a list of event selectors, one entry per
    occurrence."""
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise ValueError(f"events must be a sequence of event selector values, got {events!r}")
    counts = [0] * len(config.events)
    lo, hi = csr.EVENT_EXTERNAL_BASE, config.num_selectors - 1
    for sel in events:
        if isinstance(sel, bool) or not isinstance(sel, int) or not lo <= sel <= hi:
            if hi < lo:
                raise ValueError("this PMU has no external event inputs; events must be empty")
            raise ValueError(f"event selector {sel!r} is not an external event input "
                             f"(valid: {lo}..{hi}; cycles and retired come from the clock "
                             "and the retired argument)")
        counts[sel - lo] += 1
    check_counts(config, counts)
    return tuple(counts)


def check_counts(config: PMUConfig, counts: Sequence[int]) -> list[int]:
    """One cycle's occurrences per event input, checked (empty: none); as a list."""
    events = config.events
    if isinstance(counts, (str, bytes)) or not isinstance(counts, Sequence):
        raise ValueError(f"counts must be a sequence of per-input counts, got {counts!r}")
    if len(counts) not in (0, len(events)):
        raise ValueError(f"events must give one count per event input ({len(events)}), "
                         f"got {len(counts)}")
    for i, (ev, n) in enumerate(zip(events, counts)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"events[{i}] must be an occurrence count 0.."
                             f"{ev.max_per_cycle}, got {n!r}")
        if n > ev.max_per_cycle:
            raise ValueError(f"event {ev.name!r} (selector {csr.event_selector(i)}) fired "
                             f"{n} times in one cycle; it can report at most "
                             f"{ev.max_per_cycle}")
    return list(counts) or [0] * len(events)
