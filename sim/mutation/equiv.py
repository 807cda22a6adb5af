"""Is a surviving mutant equivalent to the original PMU? A miter proved with SymbiYosys.

Two checks, as mcy does it with its own twist for proofs:
1. k-induction on a miter whose outputs are the PMU's ports *and registers*: if it passes,
   no input sequence from equal states tells the two apart -> "equivalent".
2. otherwise a bounded check from reset on a miter of the ports only: a counterexample says
   which outputs differ and after how many cycles -> "not equivalent"; none -> "unknown".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rvpmu.hdl.formal.sby import tool_env

from .design import Mutation, MutationError, run_bounded, write_miter

EQUIVALENT, NOT_EQUIVALENT, UNKNOWN = "equivalent", "not equivalent", "unknown"
DEFAULT_PROVE_DEPTH = 2
DEFAULT_BMC_DEPTH = 12
DEFAULT_TIMEOUT = 300


@dataclass
class Equivalence:
    result: str  # EQUIVALENT, NOT_EQUIVALENT or UNKNOWN
    detail: str
    seconds: float
    depth: int | None = None  # cycles from reset to the first difference
    ports: list[str] = field(default_factory=list)  # outputs that differ there

    def to_json(self) -> dict:
        return {"result": self.result, "detail": self.detail, "seconds": round(self.seconds, 1),
                "depth": self.depth, "ports": self.ports}


def sby_text(il: Path, mode: str, depth: int, timeout: int) -> str:
    return "\n".join([
        "[options]", f"mode {mode}", f"depth {depth}", "multiclock off", f"timeout {timeout}",
        "", "[engines]", "smtbmc yices", "",
        "[script]", f"read_rtlil {il.name}", "prep -top miter", "",
        "[files]", str(il), ""])


def run_sby(tools: dict[str, Path], workdir: Path, name: str, il: Path, mode: str, depth: int,
            timeout: int) -> tuple[str, Path]:
    """SymbiYosys' status (PASS, FAIL, UNKNOWN, TIMEOUT, ERROR) and its task directory."""
    (workdir / f"{name}.sby").write_text(sby_text(il, mode, depth, timeout), encoding="utf-8")
    rc, _ = run_bounded([str(tools["sby"]), "-f", f"{name}.sby"], cwd=workdir,
                        env=tool_env(tools), timeout=timeout + 60, log=workdir / f"{name}.out")
    status = workdir / name / "status"
    if rc is None:
        return "TIMEOUT", workdir / name
    return (status.read_text().split()[0] if status.is_file() else "ERROR"), workdir / name


def read_vcd(path: Path) -> list[dict[str, str]]:
    """The values of every variable at each time step of a VCD file (names with scopes)."""
    names: dict[str, list[str]] = {}
    scope: list[str] = []
    steps: list[dict[str, str]] = []
    current: dict[str, str] = {}
    started = False
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        w = line.split()
        if not w:
            continue
        if w[0] == "$scope":
            scope.append(w[2])
        elif w[0] == "$upscope":
            scope.pop()
        elif w[0] == "$var":
            names.setdefault(w[3], []).append(".".join(scope + [w[4]]))
        elif w[0].startswith("#"):
            if started:
                steps.append(dict(current))
            started = True
        elif w[0][0] in "bB" and len(w) == 2:
            current[w[1]] = w[0][1:]
        elif w[0][0] in "01xzXZ" and len(w) == 1:
            current[w[0][1:]] = w[0][0]
    if started:
        steps.append(dict(current))
    return [{n: step[i] for i, ns in names.items() if i in step for n in ns} for step in steps]


def first_difference(steps: list[dict[str, str]]) -> tuple[int | None, list[str]]:
    """The first step where a ``gold_X`` output of the miter differs from ``gate_X``."""
    for k, values in enumerate(steps):
        ports = []
        for name, gold in values.items():
            head, _, port = name.rpartition(".gold_")
            if head and values.get(f"{head}.gate_{port}", gold).lstrip("0") != gold.lstrip("0"):
                ports.append(port)
        if ports:
            return k, sorted(ports)
    return None, []


def check(tools: dict[str, Path], root: Path, il_name: str, outdir: str,
          mutation: Mutation | None, *,
          prove_depth: int = DEFAULT_PROVE_DEPTH, bmc_depth: int = DEFAULT_BMC_DEPTH,
          timeout: int = DEFAULT_TIMEOUT) -> Equivalence:
    """Classify one mutant (None: the unmodified design, which must come out equivalent);
    ``il_name`` (the design) and ``outdir`` (miters, SymbiYosys' files) are relative to
    ``root``."""
    start = time.monotonic()
    workdir = root / outdir
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return _check(tools, root, il_name, outdir, workdir, mutation, start, prove_depth,
                      bmc_depth, timeout)
    except MutationError as exc:  # one odd mutant must not end a run of hundreds
        return Equivalence(UNKNOWN, f"no miter: {exc}", time.monotonic() - start)


def _check(tools, root, il_name, outdir, workdir, mutation, start, prove_depth, bmc_depth,
           timeout) -> Equivalence:
    miter = write_miter(tools, root, il_name, outdir, mutation, registers=True)
    status, _ = run_sby(tools, workdir, "prove", miter, "prove", prove_depth, timeout)
    if status == "PASS":
        return Equivalence(EQUIVALENT, f"registers and outputs proved equal by {prove_depth}-"
                           "induction", time.monotonic() - start)
    miter = write_miter(tools, root, il_name, outdir, mutation, registers=False)
    left = max(30, int(timeout - (time.monotonic() - start)))
    status, task = run_sby(tools, workdir, "bmc", miter, "bmc", bmc_depth, left)
    seconds = time.monotonic() - start
    if status == "FAIL":
        trace = task / "engine_0" / "trace.vcd"
        depth, ports = first_difference(read_vcd(trace)) if trace.is_file() else (None, [])
        where = f" after {depth} cycles from reset" if depth is not None else ""
        return Equivalence(NOT_EQUIVALENT, f"{', '.join(ports) or 'an output'} differs{where}",
                           seconds, depth, ports)
    if status == "PASS":
        return Equivalence(UNKNOWN, f"no output differs within {bmc_depth} cycles from reset, "
                           f"but {prove_depth}-induction did not prove it", seconds)
    return Equivalence(UNKNOWN, f"no proof by {prove_depth}-induction; the bounded check "
                       f"gave {status} (limit {timeout} s)", seconds)
