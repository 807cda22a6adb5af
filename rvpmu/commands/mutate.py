"""``rvpmu mutate``: how strong is the regression? Inject Yosys ``mutate`` faults into the PMU,
run the regression on each mutant, check survivors for equivalence (docs/mutation.md)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from .common import (CLIError, add_command, bounded_int, load_config,
                     output_dir, output_file, positive_int, seed_int, write_atomic)

MAX_MUTANTS = 100_000
MAX_CYCLES = 10**10
MAX_LOCKSTEP_CYCLES = 10**8


def cmd_mutate(args: argparse.Namespace) -> int:
    from ..hdl.formal.sby import FormalToolError, find_tools
    from ..sim import mutation
    from ..sim.mutation import report
    from ..toolchain import ToolchainError

    cfg = load_config(args.config)
    if args.report:
        output_file(args.report, "report")
    try:
        find_tools()
    except FormalToolError as exc:
        raise CLIError(str(exc)) from None
    if args.build_dir:
        workdir = output_dir(args.build_dir, "build directory")
    else:
        workdir = Path(tempfile.mkdtemp(prefix="rvpmu-mutate-"))
    # fail_fast: a mutant is killed by its first failing test; the rest need not run
    params = {"cycles": args.cycles, "lockstep_cycles": args.lockstep_cycles, "fail_fast": True}
    print(f"rvpmu mutate: {args.count} mutants (seed {args.seed}), {args.simulator}, "
          f"{args.cycles:,} generator + {args.lockstep_cycles:,} lock-step cycles, "
          f"{args.jobs} job(s), files in {workdir}", flush=True)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        score = mutation.run(cfg, workdir, count=args.count, seed=args.seed,
                             simulator=args.simulator, params=params, jobs=args.jobs,
                             timeout=args.timeout, check_equivalence=not args.no_equiv,
                             equiv_timeout=args.equiv_timeout, bmc_depth=args.equiv_depth,
                             keep=args.keep, log=log)
    except (mutation.MutationError, ToolchainError) as exc:
        raise CLIError(str(exc)) from None
    except OSError as exc:
        raise CLIError(f"cannot run in {workdir}: {exc.strerror or exc}") from None
    print(report.summary(score))
    if args.report:
        write_atomic(args.report, json.dumps(score.to_json(), indent=1) + "\n")
        print(f"report: {args.report}")
    if not args.build_dir and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    elif score.survivors:
        print(f"survivors' Verilog, logs and miters: {workdir}/mutant<N>/")
    return 0


def register(sub) -> None:
    sp = add_command(sub, "mutate", "mutation score of the regression: inject faults into the "
                     "PMU and count those the tests catch", cmd_mutate, config=True)
    sp.add_argument("--count", type=bounded_int(1, MAX_MUTANTS), default=100,
                    help="mutations to list with Yosys' mutate pass (default 100)")
    sp.add_argument("--seed", type=seed_int, default=1,
                    help="seed of the mutation list and of the regression (default 1)")
    sp.add_argument("--simulator", choices=("icarus", "verilator"), default="icarus",
                    help="simulator of the regression (default icarus: it compiles a mutant "
                    "in a second, Verilator in half a minute)")
    sp.add_argument("--cycles", type=bounded_int(1, MAX_CYCLES), default=20_000,
                    help="generator-driven cycles per mutant (default 20,000: the test suite's)")
    sp.add_argument("--lockstep-cycles", type=bounded_int(1, MAX_LOCKSTEP_CYCLES),
                    default=1_500, help="lock-step cycles per mutant (default 1,500)")
    sp.add_argument("--jobs", type=bounded_int(1, 64), default=1,
                    help="mutants run in parallel (default 1)")
    sp.add_argument("--timeout", type=positive_int, default=None, metavar="SECONDS",
                    help="wall-time limit of one mutant's regression; a mutant that passes it "
                    "counts as killed (default: 5 x the unmutated run, at least 120 s)")
    sp.add_argument("--no-equiv", action="store_true",
                    help="do not check survivors for equivalence with SymbiYosys")
    sp.add_argument("--equiv-depth", type=bounded_int(1, 200), default=12, metavar="CYCLES",
                    help="depth of the bounded search for a differing output (default 12)")
    sp.add_argument("--equiv-timeout", type=positive_int, default=300, metavar="SECONDS",
                    help="time limit of one survivor's equivalence check (default 300)")
    sp.add_argument("--report", metavar="FILE", help="write the full result as JSON")
    sp.add_argument("--build-dir", metavar="DIR",
                    help="keep the mutants, logs and miters here (default: a temporary "
                    "directory, removed at the end)")
    sp.add_argument("--keep", action="store_true",
                    help="keep the simulation builds of killed mutants too")
