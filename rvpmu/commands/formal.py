"""``rvpmu formal``: prove the PMU's properties with SymbiYosys (docs/formal.md)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..progress import Progress
from .common import CLIError, add_command, load_config, output_dir


MAX_DEPTH = 1000  # k-induction or BMC far beyond this would not finish in a day


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _indices(text: str) -> list[int]:
    """ "3-10,12" -> [3, ..., 10, 12]."""
    out: list[int] = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        lo, _, hi = item.partition("-")
        try:
            a, b = int(lo), int(hi or lo)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item!r} is not a counter index or range "
                                             "(e.g. 3-10,12)") from None
        if a > b:
            raise argparse.ArgumentTypeError(f"empty range {item!r}")
        out.extend(range(a, b + 1))
    if not out:
        raise argparse.ArgumentTypeError("no counter index given")
    return out


def cmd_formal(args: argparse.Namespace) -> int:
    from ..hdl import formal

    cfg = load_config(args.config)
    applicable = formal.properties_for(cfg)
    if args.list:
        for p in formal.PROPERTIES:
            if p.name in applicable:
                print(f"{p.name:<10} rules {p.rules:<15} {p.text}")
        return 0
    props = []
    for item in args.property or []:
        for name in filter(None, (p.strip() for p in item.split(","))):
            if name not in applicable:
                known = ", ".join(applicable)
                raise CLIError(f"unknown property {name!r} for this configuration; "
                               f"choose from {known}")
            if name not in props:
                props.append(name)
    for opt in ("depth", "cover_depth"):
        if (getattr(args, opt) or 0) > MAX_DEPTH:  # would run for days: refuse at once
            raise CLIError(f"--{opt.replace('_', '-')} {getattr(args, opt)} is beyond "
                           f"{MAX_DEPTH} cycles")
    if args.property is not None and not props:
        raise CLIError("--property names no property; give one or more of "
                       f"{', '.join(applicable)} (or leave it out for all)")
    modes = ["bmc" if args.bounded else "prove"] + ([] if args.no_cover else ["cover"])
    try:
        formal.find_tools()
    except formal.FormalToolError as exc:
        raise CLIError(str(exc)) from None

    workdir = output_dir(args.workdir, "work directory") if args.workdir else \
        Path(tempfile.mkdtemp(prefix="rvpmu-formal-"))
    group = args.group or formal.DEFAULT_GROUP
    try:
        total = len(formal.tasks_for(cfg, props or applicable, modes, group, args.counters))
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    done = 0
    reporter = Progress(out=lambda text: print(text, file=sys.stderr, flush=True))
    reporter.update("formal", 0, total, "checks")

    def progress(r: formal.Result) -> None:
        nonlocal done
        done += 1
        print(f"[{done}/{total}] {r.label} {r.mode}: {r.status} ({r.seconds:.1f} s)",
              file=sys.stderr, flush=True)
        reporter.update("formal", done, total, "checks")  # with the ETA, every 10 s

    try:
        results = formal.run(cfg, workdir, properties=props or None, modes=modes,
                             depth=args.depth, cover_depth=args.cover_depth, jobs=args.jobs,
                             timeout=args.timeout, group=group, counters=args.counters,
                             on_result=progress)
    except OSError as exc:
        raise CLIError(f"cannot run in {workdir}: {exc.strerror or exc}") from None
    print(formal.table(results))
    failed = [r for r in results if not r.passed]
    if failed:
        names = ", ".join(f"{r.label} {r.mode}" for r in failed)
        raise CLIError(f"{len(failed)} of {len(results)} checks did not pass ({names}); "
                       f"SymbiYosys logs and traces in {workdir}")
    if args.workdir:
        print(f"all {len(results)} checks passed (SymbiYosys files in {workdir})")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"all {len(results)} checks passed")
    return 0


def register(sub) -> None:
    sp = add_command(sub, "formal", "prove the PMU's properties (counting, overflow, access "
                     "rules) with SymbiYosys, and cover each one", cmd_formal, config=True)
    sp.add_argument("--property", action="append", metavar="NAME",
                    help="check only this property (repeatable or comma-separated; default: "
                    "all). Names: count, write, halt, sel0, inhibit, overflow, lcofip, "
                    "registers, access, read, fields, half (RV32)")
    sp.add_argument("--depth", type=_positive, metavar="N",
                    help="k-induction (or --bounded) depth in cycles (default: 3)")
    sp.add_argument("--cover-depth", type=_positive, metavar="N",
                    help="cycles within which every cover must be reached (default: 10)")
    sp.add_argument("--bounded", action="store_true",
                    help="bounded model check to --depth cycles instead of k-induction")
    sp.add_argument("--group", type=_positive, metavar="N",
                    help="counters per prove task of a per-counter property (default: 8; "
                    "all counters in one task when the configuration has no more)")
    sp.add_argument("--counters", type=_indices, metavar="LIST",
                    help="prove the per-counter properties of these counter indices only "
                    "(e.g. 3-10,12; default: every counter)")
    sp.add_argument("--no-cover", action="store_true", help="skip the cover checks")
    sp.add_argument("--list", action="store_true",
                    help="list the properties (with their rules) for the configuration and exit")
    sp.add_argument("--jobs", type=_positive, metavar="N", default=max(1, os.cpu_count() or 1),
                    help="SymbiYosys runs at once (default: the number of CPUs)")
    sp.add_argument("--timeout", type=_positive, metavar="SECONDS",
                    help="give up on one check after this long (reported as TIMEOUT)")
    sp.add_argument("--workdir", metavar="DIR",
                    help="keep the SymbiYosys files, logs and traces here (default: a new "
                    "temporary directory)")
