"""Traces of a vPMU session: JSON Lines, version 1 (docs/trace-format.md).

Line 1 is the header (format, version, profile, options, PMU configuration, guest memory map);
every further line is one record: an ``op`` with its inputs and, for observations, a ``result``.
``Trace.parse`` validates everything it can without running the model and reports the first
problem with its line number (``TraceError``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rvpmu.config import ConfigError, PMUConfig

from .profiles import PROFILES

FORMAT = "rvpmu-kvm-trace"
VERSION = 1
EXCEPTION_ILLEGAL = "illegal_instruction"
MAX_TRACE_BYTES = 1 << 30  # a trace of the longest scenario is a few hundred KiB


class TraceError(ValueError):
    """A malformed trace: ``line`` is the 1-based line number (0 if the file is unreadable)."""

    def __init__(self, source: str, line: int, message: str):
        self.source, self.line, self.message = source, line, message
        super().__init__(f"{source}:{line}: {message}" if line else f"{source}: {message}")


def _uint(v: Any) -> int:
    if isinstance(v, str) and v.lower().startswith("0x"):
        try:
            v = int(v, 16)
        except ValueError:
            raise ValueError(f"{v!r} is not a hexadecimal number") from None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"expected a non-negative integer, got {v!r}")
    return v


def _int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"expected an integer, got {v!r}")
    return v


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"expected true or false, got {v!r}")
    return v


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError(f"expected a string, got {v!r}")
    return v


def _hex(v: Any) -> str:
    try:
        bytes.fromhex(_str(v))
    except ValueError:
        raise ValueError(f"expected hexadecimal bytes, got {v!r}") from None
    return v.lower()


def _dict(v: Any) -> dict:
    if not isinstance(v, dict):
        raise ValueError(f"expected an object, got {v!r}")
    return v


def _args(v: Any) -> list[int]:
    if not isinstance(v, list) or len(v) != 6:
        raise ValueError(f"expected a list of 6 integers a0..a5, got {v!r}")
    return [_uint(a) for a in v]


def _csr_result(v: Any) -> dict:
    v = _dict(v)
    if set(v) == {"value"}:
        return {"value": _uint(v["value"])}
    if v == {"exception": EXCEPTION_ILLEGAL}:
        return v
    raise ValueError(f'expected {{"value": N}} or {{"exception": "{EXCEPTION_ILLEGAL}"}}, '
                     f"got {v!r}")


Check = Callable[[Any], Any]


def _fields(**spec: Check) -> Callable[[Any], dict]:
    def check(v: Any) -> dict:
        v = _dict(v)
        if set(v) != set(spec):
            raise ValueError(f"expected fields {sorted(spec)}, got {sorted(v)}")
        return {k: spec[k](v[k]) for k in spec}
    return check


# op -> (input fields, optional informative fields, result check or None)
SCHEMA: dict[str, tuple[dict[str, Check], dict[str, Check], Check | None]] = {
    "probe": ({}, {}, _fields(value=_uint)),
    "ecall": ({"fid": _uint, "args": _args}, {"fn": _str}, _fields(error=_int, value=_uint)),
    "csr_read": ({"csr": _uint}, {"name": _str}, _csr_result),
    "run": ({"cycles": _uint, "mode": _str, "events": _dict, "stop_on_lcofi": _bool}, {},
            _fields(cycles=_uint, lcofi_pending=_bool)),
    "fw_event": ({"code": _uint, "count": _uint}, {"name": _str}, None),
    "mem_write": ({"addr": _uint, "data": _hex}, {}, None),
    "mem_read": ({"addr": _uint, "size": _uint}, {}, _fields(data=_hex)),
    "lcofi": ({}, {}, _fields(pending=_bool)),
    "lcofi_clear": ({}, {}, None),
    "reset": ({}, {}, None),
    "note": ({"text": _str}, {}, None),
}

HEADER_FIELDS = {"format", "version", "profile", "accumulate_on_read", "config", "memory",
                 "backend", "scenario", "failed"}


@dataclass
class Trace:
    """A header and its records (each ``{"op": ..., inputs..., "result": {...}}``)."""

    header: dict[str, Any]
    records: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # source line of each record

    def line_of(self, n: int) -> int:
        """Line number of record ``n`` (1-based record number)."""
        return self.lines[n - 1] if n - 1 < len(self.lines) else n + 1

    def to_jsonl(self) -> str:
        out = [json.dumps(self.header, separators=(",", ":"))]
        out += [json.dumps(r, separators=(",", ":")) for r in self.records]
        return "\n".join(out) + "\n"

    def write(self, path: str | Path) -> None:
        """Write under a temporary name, then rename: never a half-written trace."""
        p = Path(path)
        if p.exists() and not p.is_file():  # a device or a FIFO: write into it as it is
            p.write_text(self.to_jsonl(), encoding="utf-8")
            return
        tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(self.to_jsonl(), encoding="utf-8")
            os.replace(tmp, p)
        finally:
            tmp.unlink(missing_ok=True)

    @property
    def config(self) -> PMUConfig:
        return PMUConfig.from_dict(self.header["config"], source="trace header")

    @classmethod
    def read(cls, path: str | Path) -> Trace:
        """Read a trace file; a device, a FIFO or a file beyond ``MAX_TRACE_BYTES`` is refused
        rather than read for ever (``/dev/zero``)."""
        try:
            with open(path, "rb") as f:
                if not os.path.isfile(path):
                    raise TraceError(str(path), 0, "not a regular file")
                data = f.read(MAX_TRACE_BYTES + 1)
        except OSError as exc:
            raise TraceError(str(path), 0, f"cannot read: {exc.strerror or exc}") from None
        if len(data) > MAX_TRACE_BYTES:
            raise TraceError(str(path), 0, f"larger than {MAX_TRACE_BYTES >> 20} MiB")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise TraceError(str(path), 0, "not a UTF-8 text file") from None
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, source: str = "trace") -> Trace:
        trace: Trace | None = None
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TraceError(source, lineno, f"not valid JSON: {exc.msg} "
                                 f"(column {exc.colno})") from None
            except RecursionError:
                raise TraceError(source, lineno, "JSON nested too deeply") from None
            try:
                if trace is None:
                    trace = cls(check_header(obj))
                else:
                    trace.records.append(check_record(obj))
                    trace.lines.append(lineno)
            except ValueError as exc:
                raise TraceError(source, lineno, str(exc)) from None
        if trace is None:
            raise TraceError(source, 0, "empty trace: expected a header line")
        return trace


def check_header(obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ValueError(f'the first line must be a header object with "format": "{FORMAT}"')
    unknown = sorted(set(obj) - HEADER_FIELDS)
    if unknown:
        raise ValueError(f"unknown header field(s) {', '.join(unknown)}")
    version = obj.get("version")
    if version != VERSION:
        raise ValueError(f"unsupported trace version {version!r} (this rvpmu reads {VERSION})")
    for key in ("profile", "accumulate_on_read", "config", "memory"):
        if key not in obj:
            raise ValueError(f"header lacks {key!r}")
    if obj["profile"] not in PROFILES:
        raise ValueError(f"header profile {obj['profile']!r} is not one of {', '.join(PROFILES)}")
    _bool(obj["accumulate_on_read"])
    if "failed" in obj:
        _str(obj["failed"])
    try:
        PMUConfig.from_dict(_dict(obj["config"]), source="header config")
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(obj["memory"], list):
        raise ValueError("header memory must be a list of [base, size, writable] regions")
    return obj


def check_record(obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ValueError(f"a record must be a JSON object, got {type(obj).__name__}")
    op = obj.get("op")
    if op not in SCHEMA:
        raise ValueError(f"unknown op {op!r} (known: {', '.join(SCHEMA)})")
    inputs, info, result = SCHEMA[op]
    allowed = {"op", *inputs, *info} | ({"result"} if result else set())
    extra, missing = sorted(set(obj) - allowed), sorted(set(inputs) - set(obj))
    if extra:
        raise ValueError(f"{op}: unexpected field(s) {', '.join(extra)}")
    if missing:
        raise ValueError(f"{op}: missing field(s) {', '.join(missing)}")
    if result and "result" not in obj:
        raise ValueError(f"{op}: missing its result")
    checks = {**inputs, **info, "result": result}
    out: dict[str, Any] = {}
    for k, v in obj.items():  # keep the writer's field order: traces round-trip byte for byte
        try:
            out[k] = v if k == "op" else checks[k](v)
        except ValueError as exc:
            raise ValueError(f"{op}.{k}: {exc}") from None
    return out


def render(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"))
