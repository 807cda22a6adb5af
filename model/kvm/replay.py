"""Replay a trace's inputs through the golden model and compare every recorded result.

The replay always runs on the hart model built from the trace header's configuration, with the
header's profile, options and memory map: a trace recorded on any backend (RTL, a board) is thus
checked against the golden model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import IllegalInstruction
from ..hart import HartPMU
from .trace import SCHEMA, Trace, TraceError
from .vpmu import KvmVcpuPmu


@dataclass
class Divergence:
    number: int  # 1-based record number (the header is not a record)
    line: int
    record: dict[str, Any]
    expected: Any
    observed: Any
    context: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class CompareResult:
    records: int  # records replayed (all of them when there is no divergence)
    divergence: Divergence | None
    failed: str | None = None  # the header's "failed": the session stopped early, why

    @property
    def matches(self) -> bool:
        """Every record matches and the session that wrote the trace completed."""
        return self.divergence is None and self.failed is None


def model_for(trace: Trace) -> KvmVcpuPmu:
    """A fresh golden model configured as the trace header says."""
    h = trace.header
    try:
        return KvmVcpuPmu(HartPMU(trace.config), profile=h["profile"],
                          accumulate_on_read=h["accumulate_on_read"],
                          memory=h["memory"])
    except (ValueError, TypeError) as exc:
        raise ValueError(f"header: {exc}") from None


def apply(vpmu: KvmVcpuPmu, rec: dict[str, Any]) -> Any:
    """Perform one record's inputs on ``vpmu``; return the result the model recorded."""
    op = rec["op"]
    if op == "probe":
        vpmu.probe()
    elif op == "ecall":
        vpmu.ecall(rec["fid"], *rec["args"])
    elif op == "csr_read":
        try:
            vpmu.guest_csr_read(rec["csr"])
        except IllegalInstruction:
            pass
    elif op == "run":
        vpmu.run(rec["cycles"], events=rec["events"], mode=rec["mode"],
                 stop_on_lcofi=rec["stop_on_lcofi"])
    elif op == "fw_event":
        vpmu.fw_event(rec["code"], rec["count"])
    elif op == "mem_write":
        vpmu.guest_memory.write(rec["addr"], bytes.fromhex(rec["data"]))
    elif op == "mem_read":
        vpmu.guest_memory.read(rec["addr"], rec["size"])
    elif op == "lcofi":
        _ = vpmu.lcofi_pending
    elif op == "lcofi_clear":
        vpmu.clear_lcofi()
    elif op == "reset":
        vpmu.reset()
    elif op == "note":
        vpmu.note(rec["text"])
    else:  # check_record admits only SCHEMA ops
        raise AssertionError(op)
    return vpmu.trace.records[-1].get("result")


def compare(trace: Trace, source: str = "trace", context: int = 5) -> CompareResult:
    """Replay ``trace``; stop at the first record whose result differs.

    Raises ``TraceError`` (with the line) when an input cannot be replayed at all.
    """
    try:
        vpmu = model_for(trace)
    except ValueError as exc:
        raise TraceError(source, 1, str(exc)) from None
    for n, rec in enumerate(trace.records, 1):
        line = trace.line_of(n)
        try:
            observed = apply(vpmu, rec)
        except ValueError as exc:
            raise TraceError(source, line, f"{rec['op']}: {exc}") from None
        if SCHEMA[rec["op"]][2] is not None and observed != rec["result"]:
            first = max(1, n - context)
            ctx = [(k, trace.line_of(k), trace.records[k - 1]) for k in range(first, n)]
            return CompareResult(n - 1, Divergence(n, line, rec, rec["result"], observed, ctx),
                                 trace.header.get("failed"))
    return CompareResult(len(trace.records), None, trace.header.get("failed"))
