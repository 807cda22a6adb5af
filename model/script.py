"""A small script language to drive the hart model from a file (``rvpmu model hart SCRIPT``).

One command per line; ``#`` starts a comment. CSRs are names (``mhpmevent3``) or numbers.

    csrr  CSR [MODE]                 read
    csrw  CSR VALUE [MODE]           write (also csrs / csrc: set / clear bits)
    step  [N] [mode=M] [retired=R] [events=NAME[*K],...] [halt]
    expect CSR VALUE|illegal|virtual [MODE]
    expect lcofip 0|1

Each command prints one result line; ``expect`` lines that do not hold make the run fail with
the file name and line number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import parse_csr

from .errors import CSRAccessFault, IllegalInstruction, NotPMUCSR, VirtualInstruction
from .hart import HartPMU
from .inputs import parse_mode


class ScriptError(ValueError):
    """A malformed script line or a failed expectation, with its location."""


@dataclass
class ScriptResult:
    lines: list[str]
    failures: list[str]


def _int(text: str, what: str) -> int:
    try:
        v = int(text, 0)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not an integer") from None
    if v < 0:
        raise ValueError(f"{what} {text!r} must not be negative")
    return v


def _fmt(v: int) -> str:
    return f"0x{v:X}"


def run_script(config: PMUConfig, lines: Iterable[str], source: str = "script") -> ScriptResult:
    pmu = HartPMU(config)
    out: list[str] = []
    failures: list[str] = []
    for lineno, raw in enumerate(lines, 1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        where = f"{source}:{lineno}"
        try:
            res = _run_line(pmu, text.split(), where, failures)
        except (ValueError, NotPMUCSR) as exc:
            raise ScriptError(f"{where}: {exc}") from None
        out.append(f"{pmu.cycle:>8}  {text:<44} {res}")
    return ScriptResult(out, failures)


def _access(pmu: HartPMU, fn, *args) -> tuple[str, int | None]:
    try:
        return "ok", fn(*args)
    except IllegalInstruction:
        return "illegal", None
    except VirtualInstruction:
        return "virtual", None


def _run_line(pmu: HartPMU, tok: list[str], where: str, failures: list[str]) -> str:
    cmd, args = tok[0].lower(), tok[1:]
    cfg = pmu.config
    if cmd == "csrr":
        _nargs(cmd, args, 1, 2)
        kind, v = _access(pmu, pmu.csr_read, parse_csr(cfg, args[0]), _mode(args, 1))
        return f"-> {_fmt(v)}" if kind == "ok" else f"-> {kind} instruction exception"
    if cmd in ("csrw", "csrs", "csrc"):
        _nargs(cmd, args, 2, 3)
        op = {"csrw": "write", "csrs": "set", "csrc": "clear"}[cmd]
        kind, v = _access(pmu, pmu.csr_write, parse_csr(cfg, args[0]), _int(args[1], "value"),
                          _mode(args, 2), op)
        return f"-> old {_fmt(v)}" if kind == "ok" else f"-> {kind} instruction exception"
    if cmd == "step":
        n, kw = 1, {}
        for a in args:
            if a.isdigit():
                n = _int(a, "cycle count")
            elif a == "halt":
                kw["halted"] = True
            elif "=" in a:
                k, val = a.split("=", 1)
                if k == "mode":
                    kw["mode"] = parse_mode(val)
                elif k == "retired":
                    kw["retired"] = _int(val, "retired")
                elif k == "events":
                    kw["counts"] = _events(cfg, val)
                else:
                    raise ValueError(f"unknown step option {k!r} (mode, retired, events, halt)")
            else:
                raise ValueError(f"unknown step argument {a!r}")
        if n:
            pmu.step(**kw)  # closes the cycle of any CSR write before it
        if n > 1:  # the same inputs every cycle: the rest in closed form (step 10**20 is quick)
            totals = [c * (n - 1) for c in kw.get("counts", [0] * len(cfg.events))]
            pmu.advance(n - 1, totals, kw.get("retired", 0) * (n - 1),
                        mode=kw.get("mode", csr.Mode.M), halted=kw.get("halted", False))
        return f"-> cycle {pmu.cycle}"
    if cmd == "expect":
        _nargs(cmd, args, 2, 3)
        if args[0].lower() == "lcofip":
            _nargs("expect lcofip", args, 2, 2)
            want = _int(args[1], "lcofip")
            got = int(pmu.lcofip)
            ok = want == got
            res = f"lcofip={got}"
        else:
            want_s = args[1].lower()
            if want_s not in ("illegal", "virtual"):
                _int(args[1], "expected value")  # malformed whatever the read does
            kind, v = _access(pmu, pmu.csr_read, parse_csr(cfg, args[0]), _mode(args, 2))
            got_s = _fmt(v) if kind == "ok" else kind
            ok = (want_s == kind) if want_s in ("illegal", "virtual") else \
                (kind == "ok" and v == _int(args[1], "expected value"))
            res = got_s
        if not ok:
            failures.append(f"{where}: expected {args[1]}, got {res}")
            return f"FAIL (got {res})"
        return f"ok ({res})"
    raise ValueError(f"unknown command {cmd!r} (csrr, csrw, csrs, csrc, step, expect)")


def _nargs(cmd: str, args: list[str], lo: int, hi: int) -> None:
    if not lo <= len(args) <= hi:
        raise ValueError(f"{cmd} takes {lo}..{hi} arguments, got {len(args)}")


def _mode(args: list[str], i: int) -> csr.Mode:
    if len(args) <= i:
        return csr.Mode.M
    a = args[i]
    return parse_mode(a.split("=", 1)[1] if a.startswith("mode=") else a)


def _events(cfg: PMUConfig, text: str) -> tuple[int, ...]:
    """``name[*k],...`` as occurrences per event input (the hart checks each maximum)."""
    counts = [0] * len(cfg.events)
    for item in text.split(","):
        name, _, times = item.partition("*")
        try:
            idx = cfg.event_index(name)
        except ValueError:
            raise ValueError(f"no event input named {name!r}; this PMU has: "
                             f"{', '.join(e.name for e in cfg.events) or 'none'}") from None
        counts[idx] += _int(times, "repeat count") if times else 1
    return tuple(counts)


__all__ = ["run_script", "ScriptError", "ScriptResult", "CSRAccessFault"]
