"""The deterministic event source, as the model sees it (the gateware is ``rvpmu.hdl.eventgen``).

Each line (one per event input, plus one for ``retired``) is a 32-bit Weyl sequence: its state
``x`` starts at ``start`` and adds the odd ``step`` every cycle. In a cycle, the line reports

    count = number of k in 1..max with x < threshold[k]

so ``count`` ranges over 0..max with probabilities set by the thresholds (``density``). The
sequence is cheap in gateware (one adder and ``max`` comparators per line) and, unlike an LFSR,
the total over any run of cycles has a closed form (a floor sum), so the model checks millions
of cycles per second without stepping them one by one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from rvpmu.config import PMUConfig

MOD = 1 << 32
MASK = MOD - 1

# The generator's register port (rvpmu.hdl.eventgen): per line START, STEP, THRESHOLD 0..k-1.
REG_START, REG_STEP, REG_THRESHOLD0 = 0, 1, 2


def line_levels(config: PMUConfig) -> list[int]:
    """Count levels per line: one line per event input, then the retired line."""
    return [e.max_per_cycle for e in config.events] + [config.retire_width]


def register_stride(config: PMUConfig) -> int:
    return REG_THRESHOLD0 + max(line_levels(config))


def register_count(config: PMUConfig) -> int:
    return (len(config.events) + 1) * register_stride(config)


def register_address(config: PMUConfig, line: int, field: int) -> int:
    """Address of ``field`` (REG_START, REG_STEP, REG_THRESHOLD0 + k) of ``line``."""
    return line * register_stride(config) + field


def floor_sum(n: int, m: int, a: int, b: int) -> int:
    """sum(floor((a*i + b) / m) for i in range(n)) for n, m >= 1 and a, b >= 0, in O(log)."""
    total = 0
    while True:
        if a >= m:
            total += (n - 1) * n // 2 * (a // m)
            a %= m
        if b >= m:
            total += n * (b // m)
            b %= m
        y_max = a * n + b
        if y_max < m:
            return total
        n, b, m, a = y_max // m, y_max % m, a, m


@dataclass(frozen=True)
class Line:
    """One Weyl line: ``start``, odd ``step``, and ``thresholds`` (one per count level)."""

    start: int
    step: int
    thresholds: tuple[int, ...]

    def state(self, t: int) -> int:
        return (self.start + self.step * t) & MASK

    def count_at(self, t: int) -> int:
        x = self.state(t)
        return sum(1 for th in self.thresholds if x < th)

    def total(self, t0: int, n: int) -> int:
        """Sum of ``count_at(t)`` for t in [t0, t0 + n)."""
        if n <= 0:
            return 0
        b = (self.start + self.step * t0) & MASK
        out = 0
        for th in self.thresholds:
            if th <= 0:
                continue
            if th >= MOD:
                out += n
                continue
            # [x < th] = floor((x + MOD - th) / MOD) subtracted from 1, for 0 <= x < MOD
            out += n - floor_sum(n, MOD, self.step, b + MOD - th) + floor_sum(n, MOD, self.step, b)
        return out


@dataclass(frozen=True)
class EventSource:
    """All lines of one configuration: ``lines[i]`` for event input i, ``retire`` for retired."""

    lines: tuple[Line, ...]
    retire: Line

    @classmethod
    def from_seed(cls, config: PMUConfig, seed: int, density: float | dict[str, float] = 0.5,
                  retire_density: float = 0.7) -> EventSource:
        """Derive every line from ``seed``; ``density`` is the chance that a line fires in a
        cycle (one value, or one per event name)."""
        rng = random.Random(seed)

        def make(max_count: int, d: float) -> Line:
            if not 0.0 <= d <= 1.0:
                raise ValueError(f"density must be within 0..1, got {d!r}")
            top = min(int(d * MOD), MASK)  # a 32-bit threshold register
            # count >= j with probability d * (max - j + 1) / max
            ths = tuple(top * k // max_count for k in range(max_count, 0, -1))
            return Line(rng.getrandbits(32), rng.getrandbits(32) | 1, ths)

        lines = []
        for e in config.events:
            d = density.get(e.name, 0.5) if isinstance(density, dict) else density
            lines.append(make(e.max_per_cycle, d))
        if isinstance(density, dict):
            unknown = set(density) - {e.name for e in config.events}
            if unknown:
                raise ValueError(f"density given for unknown event(s): {', '.join(sorted(unknown))}")
        return cls(tuple(lines), make(config.retire_width, retire_density))

    def registers(self, config: PMUConfig) -> list[tuple[int, int]]:
        """(address, value) writes that load this source into the gateware generator."""
        out = []
        for n, line in enumerate((*self.lines, self.retire)):
            out.append((register_address(config, n, REG_STEP), line.step))
            for k, th in enumerate(line.thresholds):
                out.append((register_address(config, n, REG_THRESHOLD0 + k), th))
            out.append((register_address(config, n, REG_START), line.start))
        return out

    def at(self, t: int) -> tuple[tuple[int, ...], int]:
        """(per-input counts, retired) in cycle ``t`` (cycles since the source was loaded)."""
        return tuple(line.count_at(t) for line in self.lines), self.retire.count_at(t)

    def totals(self, t0: int, n: int) -> tuple[tuple[int, ...], int]:
        """Sums over cycles [t0, t0 + n)."""
        return tuple(line.total(t0, n) for line in self.lines), self.retire.total(t0, n)
