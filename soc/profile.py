"""The host side of the sampling profiler: sampled PCs -> functions, a `perf report` table."""

from __future__ import annotations

import re
from collections import Counter

from .elf import ELF

_SAMPLE_LINE = re.compile(r"^sample 0x([0-9a-f]{8}) (\d+)$", re.M)


def printed_histogram(output: str) -> Counter:
    """The histogram the program printed (``sample 0xPC COUNT`` lines)."""
    return Counter({int(pc, 16): int(n) for pc, n in _SAMPLE_LINE.findall(output)})


def by_function(elf: ELF, hist: Counter) -> list[tuple[str, int]]:
    per: Counter = Counter()
    for pc, n in hist.items():
        per[elf.function_at(pc)] += n
    return sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))


def report(elf: ELF, hist: Counter) -> str:
    total = sum(hist.values())
    lines = [f"# Samples: {total} (LCOFI interrupts, PCs from the program's histogram)",
             f"# {'Overhead':>8}  {'Samples':>7}  Symbol"]
    for name, n in by_function(elf, hist):
        lines.append(f"  {100.0 * n / total:>7.2f}%  {n:>7}  {name}")
    return "\n".join(lines)
