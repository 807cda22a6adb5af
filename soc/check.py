"""The RVFI cross-check: the counts a program reports against the trace, not the model.

A program marks region k (``SOC_MARK_BEGIN + k`` ... ``SOC_MARK_END + k``), reads each counter
at its start and at its end and reports the difference (``soc_result``: CSR number, value),
the same number it prints. A read presented in cycle t observes the increments of every cycle
before t (docs/timing.md), so the expected difference of a counter read in cycles t1 and t2 is
the number of its events in cycles t1 .. t2-1 of the trace: instruction events from the
monitor's own decoding of RVFI (``monitor.classify``), stall cycles from the memory bus.
"""

from __future__ import annotations

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import lookup

from . import config as soc


def counter_event(cfg: PMUConfig, addr: int, programmed: dict[int, str]) -> str | None:
    """Which trace total a counter CSR follows: ``cycles``, ``instret`` or an event name."""
    if addr in (csr.MCYCLE, csr.CYCLE):
        return "cycles"
    if addr in (csr.MINSTRET, csr.INSTRET):
        return "instret"
    return programmed.get(addr & 0x1F)


def programmed_events(cfg: PMUConfig, requests) -> dict[int, str]:
    """Counter index -> event name, from the mhpmevent writes observed on the CSR port."""
    out: dict[int, str] = {}
    for _cycle, addr, op, _t, wdata in requests:
        info = lookup(cfg, addr)
        if info and info.name.startswith("mhpmevent") and info.half != "hi" \
                and op == csr.CSROp.WRITE:
            sel = wdata & ((1 << csr.EVENT_SEL_WIDTH) - 1)
            k = sel - csr.event_selector(0)
            out[addr & 0x1F] = cfg.events[k].name if 0 <= k < len(cfg.events) else \
                {csr.EVENT_CYCLES: "cycles", csr.EVENT_INSTRET: "instret"}.get(sel)
    return out


def cross_check(cfg: PMUConfig, marks, results, requests) -> tuple[list[str], list[str]]:
    """(passed lines, failed lines), one per reported count."""
    ok, bad = [], []
    programmed = programmed_events(cfg, requests)
    begins = {v - soc.MARK_BEGIN: c for c, v in marks if soc.MARK_BEGIN <= v < soc.MARK_END}
    ends = {v - soc.MARK_END: c for c, v in marks if v >= soc.MARK_END}
    for k, start in sorted(begins.items()):
        end = ends.get(k)
        if end is None:
            bad.append(f"region {k}: no end marker")
            continue
        later = [c for c, _v in marks if c > end]
        for cyc, key, value in results:
            if not end < cyc < (min(later) if later else float("inf")):
                continue  # reported after this region, before the next marker
            reads = [(c, t) for c, a, op, t, _w in requests
                     if start <= c <= end and a == key and op == csr.CSROp.READ]
            name = counter_event(cfg, key, programmed)
            info = lookup(cfg, key)
            label = f"region {k} {info.name if info else hex(key)} ({name})"
            if len(reads) != 2 or name is None:
                bad.append(f"{label}: expected two reads of the counter in the region, "
                           f"found {len(reads)}")
                continue
            want = (reads[1][1][name] - reads[0][1][name]) & 0xFFFF_FFFF
            (ok if want == value else bad).append(
                f"{label}: program {value}, trace {want}")
    return ok, bad
