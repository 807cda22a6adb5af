"""A small script language for guest sessions (``rvpmu model run SCRIPT``).

One action per line, ``#`` starts a comment; each action is one public ``KvmVcpuPmu`` call, so
the trace of a script is exactly what the same calls from Python would record::

    probe
    ecall FID [a0 .. a5]         FID and arguments: numbers or names, combined with '|'
    csrr CSR                     cycle, instret, hpmcounterN or a number
    run N [mode=VS] [stop_on_lcofi] [retired=K] [INPUT=K | INPUT=K,K,...]
    fw_event EVENT [COUNT]       a firmware event code or name (IPI_SENT)
    write ADDR HEXBYTES | write64 ADDR VALUE
    read ADDR SIZE | read64 ADDR
    lcofi | clear_lcofi | reset
    note TEXT

Names: the functions (``COUNTER_START`` or ``counter_start``), the flags (``SKIP_MATCH``,
``SET_INIT_VALUE``, ``TAKE_SNAPSHOT`` ...), hardware events (``CPU_CYCLES``), cache events
(``L1D_READ_MISS``), firmware events as event indices (``FW_ACCESS_LOAD``) and
``SHMEM_DISABLE`` (all ones). Numbers may be negative (two's complement, 64 bits).
"""

from __future__ import annotations

from collections.abc import Iterable

from rvpmu import sbi

from ..errors import IllegalInstruction
from .vpmu import KvmVcpuPmu


class ScriptError(ValueError):
    """A malformed script line, with its location."""


def _names() -> dict[str, int]:
    out: dict[str, int] = {"SHMEM_DISABLE": sbi.SHMEM_DISABLE}
    for enum_cls in (sbi.Fid, sbi.CfgFlag, sbi.StartFlag, sbi.StopFlag):
        out.update({m.name: int(m) for m in enum_cls})
    out.update({m.name: sbi.event_idx(sbi.EventType.HW, m) for m in sbi.HwEvent})
    out.update({f"FW_{m.name}": sbi.fw_event_idx(m) for m in sbi.FwEvent})
    out["FW_PLATFORM"] = sbi.fw_event_idx(sbi.FW_PLATFORM)
    return out


NAMES = _names()


def value(token: str) -> int:
    """A number or a name, or several joined with '|'."""
    total = 0
    for part in token.split("|"):
        key = part.strip().upper()
        if key in NAMES:
            total |= NAMES[key]
            continue
        try:
            total |= int(part, 0) & sbi.SHMEM_DISABLE
            continue
        except ValueError:
            pass
        try:
            total |= sbi.parse_sbi_event(part)
        except ValueError:
            raise ValueError(f"{part!r} is neither a number nor a known name (functions, "
                             "flags, events such as CPU_CYCLES, L1D_READ_MISS, FW_IPI_SENT)") \
                from None
    return total


def _nargs(cmd: str, args: list[str], lo: int, hi: int) -> None:
    if not lo <= len(args) <= hi:
        raise ValueError(f"{cmd} takes {lo}..{hi} arguments, got {len(args)}")


def _run(vpmu: KvmVcpuPmu, args: list[str]) -> None:
    _nargs("run", args, 1, 64)
    cycles = value(args[0])
    kw: dict[str, object] = {}
    events: dict[str, object] = {}
    for a in args[1:]:
        if a == "stop_on_lcofi":
            kw["stop_on_lcofi"] = True
        elif "=" in a:
            k, v = a.split("=", 1)
            if k == "mode":
                kw["mode"] = v
            else:
                counts = [value(x) for x in v.split(",")]
                events[k] = counts[0] if len(counts) == 1 else counts
        else:
            raise ValueError(f"unknown run argument {a!r} (mode=, stop_on_lcofi, retired=, "
                             "INPUT=)")
    vpmu.run(cycles, events=events, **kw)


def run_line(vpmu: KvmVcpuPmu, text: str) -> None:
    cmd, *args = text.split()
    cmd = cmd.lower()
    if cmd == "note":
        vpmu.note(text.split(None, 1)[1] if args else "")
    elif cmd == "probe":
        _nargs(cmd, args, 0, 0)
        vpmu.probe()
    elif cmd == "ecall":
        _nargs(cmd, args, 1, 7)
        vpmu.ecall(*[value(a) for a in args])
    elif cmd == "csrr":
        _nargs(cmd, args, 1, 1)
        csr_num: int | str = args[0] if args[0][0].isalpha() else value(args[0])
        try:
            vpmu.guest_csr_read(csr_num)
        except IllegalInstruction:
            pass
    elif cmd == "run":
        _run(vpmu, args)
    elif cmd == "fw_event":
        _nargs(cmd, args, 1, 2)
        vpmu.fw_event(args[0], value(args[1]) if len(args) > 1 else 1)
    elif cmd in ("write", "write64"):
        _nargs(cmd, args, 2, 2)
        if cmd == "write64":
            vpmu.guest_memory.write_u64(value(args[0]), value(args[1]))
        else:
            try:
                data = bytes.fromhex(args[1])
            except ValueError:
                raise ValueError(f"{args[1]!r} is not hexadecimal bytes") from None
            vpmu.guest_memory.write(value(args[0]), data)
    elif cmd in ("read", "read64"):
        _nargs(cmd, args, 1 if cmd == "read64" else 2, 1 if cmd == "read64" else 2)
        if cmd == "read64":
            vpmu.guest_memory.read_u64(value(args[0]))
        else:
            vpmu.guest_memory.read(value(args[0]), value(args[1]))
    elif cmd in ("lcofi", "clear_lcofi", "reset"):
        _nargs(cmd, args, 0, 0)
        if cmd == "lcofi":
            _ = vpmu.lcofi_pending
        elif cmd == "clear_lcofi":
            vpmu.clear_lcofi()
        else:
            vpmu.reset()
    else:
        raise ValueError(f"unknown command {cmd!r} (probe, ecall, csrr, run, fw_event, write, "
                         "write64, read, read64, lcofi, clear_lcofi, reset, note)")


def run_script(vpmu: KvmVcpuPmu, lines: Iterable[str], source: str = "script") -> None:
    """Run every line; a bad line raises ``ScriptError`` with ``source:line``."""
    vpmu.trace.header["scenario"] = source
    for lineno, raw in enumerate(lines, 1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            run_line(vpmu, text)
        except ValueError as exc:
            raise ScriptError(f"{source}:{lineno}: {exc}") from None
