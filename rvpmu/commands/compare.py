"""``rvpmu compare TRACE``: replay a vPMU trace through the golden model and compare results.

Exit status: 0 when every record matches, 1 at the first divergence (record number, expected,
observed and the preceding records), 2 when the trace is malformed (with its line number).
"""

from __future__ import annotations

import argparse
import json
import sys

from .common import EXIT_FAIL, EXIT_USAGE, CLIError, add_command


def _show(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def cmd_compare(args: argparse.Namespace) -> int:
    from ..model.kvm.replay import compare
    from ..model.kvm.trace import Trace, TraceError, render

    if args.context < 0:
        raise CLIError(f"--context must not be negative, got {args.context}")
    try:
        trace = Trace.read(args.trace)
        result = compare(trace, source=args.trace, context=args.context)
    except TraceError as exc:
        what = "malformed trace" if exc.line else "error"
        print(f"rvpmu compare: {what}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    d = result.divergence
    if d is None and result.failed:
        print(f"{args.trace}: {result.records} records match, but the session that wrote the "
              f"trace stopped early: {result.failed}")
        return EXIT_FAIL
    if d is None:
        print(f"{args.trace}: {result.records} records match")
        return 0
    out = [f"{args.trace}: divergence at record {d.number} (line {d.line}) after "
           f"{result.records} matching records",
           f"  record:   {render({k: v for k, v in d.record.items() if k != 'result'})}",
           f"  expected: {_show(d.expected)}",
           f"  observed: {_show(d.observed)}"]
    if d.context:
        out.append("  preceding records:")
        out += [f"    record {n} (line {line}): {render(rec)}" for n, line, rec in d.context]
    print("\n".join(out))
    return EXIT_FAIL


def register(sub) -> None:
    sp = add_command(sub, "compare", "replay a KVM vPMU trace through the golden model and "
                     "report the first divergence (docs/trace-format.md)", cmd_compare)
    sp.add_argument("trace", metavar="TRACE", help="JSON Lines trace (rvpmu model run -o)")
    sp.add_argument("--context", type=int, default=5, metavar="N",
                    help="preceding records to show at a divergence (default 5)")
