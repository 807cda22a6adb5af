"""The design under mutation: the simulation top as RTLIL with source locations, the list of
Yosys ``mutate`` faults inside the PMU, and the Verilog of each mutant.

Only the PMU's modules are mutated: the event generator and the run control beside it
(``rvpmu.hdl.counted.CountedPMU``, instance ``counted`` of the simulation top) belong to the
test harness. The RTLIL keeps Amaranth's ``src`` attributes so that every
mutation names the ``hdl/*.py`` line it changes.
"""

from __future__ import annotations

import linecache
import os
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from rvpmu.config import PMUConfig

TOP = "rvpmu_simtop"  # rvpmu.sim.runner.TOP; not imported so listing needs no cocotb
COUNTED = f"{TOP}.counted"  # rvpmu.hdl.simtop: the CountedPMU instance
PMU_MODULE = f"{COUNTED}.pmu"
# every PMU module: the PMU and its counters (rvpmu_simtop.counted.pmu.mcycle, ...), not
# counted.gen/counted.runctl
PMU_SELECTION = f"{PMU_MODULE} {PMU_MODULE}.*"
# The script after reading: full ``proc`` turns every process into cells, so that ``mutate``
# sees the multiplexers of ``m.If``/``m.Switch`` too (Amaranth's own Verilog keeps them as
# processes).
PREPARE = ("proc",)
REPO = Path(__file__).resolve().parents[2]

_ELABORATION = threading.Lock()


class MutationError(RuntimeError):
    """Yosys could not list or apply the mutations; the message says why."""


@dataclass
class Mutation:
    """One fault from ``mutate -list``: the command that applies it and where it is."""

    index: int
    command: str  # "mutate -mode ... -module ... -cell ..." without -src
    mode: str
    module: str
    cell: str
    port: str
    bit: int
    wire: str | None = None
    src: list[str] = field(default_factory=list)  # "hdl/pmu.py:208"
    # the statements at ``src``, read when the design was elaborated (the files may change)
    statements: list[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        where = ", ".join(self.src) if self.src else f"{self.module} {self.cell}"
        return where

    @property
    def what(self) -> str:
        net = f"{self.wire}" if self.wire else f"{self.cell}.{self.port}"
        return f"{self.mode} {net}[{self.bit}] in {self.module.removeprefix(COUNTED + '.')}"

    def read_statements(self, root: Path = REPO) -> None:
        self.statements = []
        for s in self.src:
            path, _, line = s.rpartition(":")
            text = linecache.getline(str(root / path), int(line)).strip() if line.isdigit() \
                else ""
            self.statements.append(text[:100])

    def source_lines(self) -> list[str]:
        """The Amaranth statements at the mutation's ``src`` locations."""
        return [f"{s} `{t}`" if t else s for s, t in zip(self.src, self.statements)] + \
            self.src[len(self.statements):]

    def to_json(self) -> dict:
        return {"index": self.index, "mode": self.mode, "module": self.module, "cell": self.cell,
                "port": self.port, "bit": self.bit, "wire": self.wire, "src": self.src,
                "statements": self.statements, "command": self.command}


def rtlil_text(config: PMUConfig) -> str:
    """The simulation top (rvpmu.hdl.simtop) as RTLIL, with ``src`` attributes."""
    from amaranth.back import rtlil

    from rvpmu.hdl.simtop import SimTop
    from rvpmu.hdl.verilog import use_builtin_yosys

    with _ELABORATION:
        use_builtin_yosys()
        return rtlil.convert(SimTop(config), name=TOP, emit_src=True)


def _relative_src(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO))
    except ValueError:
        return path


def parse_list(text: str) -> list[Mutation]:
    """The lines of ``mutate -list ... -o FILE``, as mutations numbered from 1."""
    out = []
    for line in text.splitlines():
        words = line.split()  # Yosys names carry no spaces, but may carry backslashes
        if not words or words[0] != "mutate":
            continue
        opts: dict[str, list[str]] = {}
        i = 1
        while i < len(words) - 1:
            opts.setdefault(words[i].lstrip("-"), []).append(words[i + 1])
            i += 2
        keep = [w for k, v in opts.items() if k != "src" for w in (f"-{k}", *v)]
        command = "mutate " + " ".join(keep)  # a Yosys script line, no shell in between
        out.append(Mutation(
            index=len(out) + 1, command=command, mode=opts["mode"][0],
            module=opts["module"][0], cell=opts["cell"][0], port=opts["port"][0],
            bit=int(opts["portbit"][0]), wire=opts.get("wire", [None])[0],
            src=[_relative_src(s) for s in opts.get("src", [])]))
    return out


def yosys(tools: dict[str, Path], script: str, workdir: Path, name: str) -> str:
    """Run a Yosys script file in ``workdir``; its log on success, MutationError otherwise."""
    ys = workdir / f"{name}.ys"
    ys.write_text(script, encoding="utf-8")
    proc = subprocess.run([str(tools["yosys"]), "-q", "-l", f"{name}.log", f"{name}.ys"],
                          cwd=workdir, capture_output=True, text=True)
    if proc.returncode != 0:
        errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln]
        raise MutationError(f"yosys {name}.ys failed in {workdir}: "
                            f"{errors[0] if errors else 'exit status ' + str(proc.returncode)}")
    return (workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")


def _read(il_name: str) -> list[str]:
    return [f"read_rtlil {il_name}", *PREPARE]


def list_mutations(tools: dict[str, Path], il_name: str, workdir: Path, count: int,
                   seed: int) -> list[Mutation]:
    """``count`` mutations of the PMU's cells, chosen by Yosys with ``seed``."""
    script = _read(il_name) + [f"mutate -list {count} -seed {seed} -o mutations.txt "
                               f"{PMU_SELECTION}"]
    yosys(tools, "\n".join(script) + "\n", workdir, "list")
    mutations = parse_list((workdir / "mutations.txt").read_text(encoding="utf-8"))
    for m in mutations:  # now, while the sources are those just elaborated
        m.read_statements()
    return mutations


def write_mutants(tools: dict[str, Path], il_name: str, workdir: Path,
                  mutations: list[Mutation]) -> dict[int, Path]:
    """The Verilog of the unmutated design (key 0) and of every mutant, in one Yosys run."""
    script = _read(il_name) + ["design -save original", "write_verilog -noattr mutant0.v"]
    for m in mutations:
        script += [m.command, f"write_verilog -noattr mutant{m.index}.v",
                   "design -load original"]
    yosys(tools, "\n".join(script) + "\n", workdir, "mutants")
    out = {0: workdir / "mutant0.v"} | {m.index: workdir / f"mutant{m.index}.v"
                                        for m in mutations}
    for path in out.values():
        if not path.is_file():
            raise MutationError(f"yosys wrote no {path}")
    return out


def _prepare_pmu(il_name: str, mutation: Mutation | None, name: str) -> list[str]:
    return _read(il_name) + ([mutation.command] if mutation else []) + [
        f"hierarchy -top {PMU_MODULE}", "flatten",
        # logic that drives nothing (e.g. the second write-data copy of counters 16-31 in a
        # smaller PMU) goes, so a fault there is not mistaken for a state difference
        "opt_clean", "opt_dff -sat", f"rename {PMU_MODULE} {name}"]


def write_miter(tools: dict[str, Path], root: Path, il_name: str, outdir: str,
                mutation: Mutation | None, *, registers: bool) -> Path:
    """A miter of the original PMU (gold) and the mutated one (gate) as RTLIL, written to
    ``root/outdir`` (YoWASP's Yosys sees only its working directory: paths are relative).

    With ``registers`` every register of both is an output too: equal outputs and equal
    registers is then an inductive property whenever the mutation changes nothing reachable
    from equal states, which k-induction proves in a few steps (outputs alone are not
    inductive: two copies of a counter may start apart)."""
    tag = "regs" if registers else "ports"
    out = f"{outdir}/miter_{tag}"
    # the mutated copy first: ``proc`` then names its cells as in the listing script
    script = _prepare_pmu(il_name, mutation, "gate") + ["design -stash gate"]
    script += _prepare_pmu(il_name, None, "gold") + ["design -copy-from gate -as gate gate"]
    if registers:  # -shared: a mutated register output is not a register output any more
        script.append("expose -dff -shared gold gate")
    script += ["miter -equiv -flatten -make_assert -make_outputs gold gate miter",
               "hierarchy -top miter", f"write_rtlil {out}.il"]
    yosys(tools, "\n".join(script) + "\n", root, out)
    return root / f"{out}.il"


def run_bounded(cmd: list[str], *, cwd: Path, timeout: float, env: dict | None = None,
                log: Path | None = None) -> tuple[int | None, str]:
    """Run ``cmd`` in a session of its own; after ``timeout`` s kill that whole session (the
    simulator or solver it started too). Returns (exit status or None on timeout, output)."""
    out = open(log, "w+", encoding="utf-8", errors="replace") if log else None
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out or subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            text, _ = proc.communicate(timeout=timeout)
            rc: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            text, _ = proc.communicate()
            rc = None
        if out:
            out.seek(0)
            text = out.read()
        return rc, text or ""
    finally:
        if out:
            out.close()
