"""``rvpmu coverage merge``: the coverage of several ``rvpmu sim --report`` runs (seeds) as one
report, printed as a summary and written as JSON and Markdown (issue 17, item 8)."""

from __future__ import annotations

import argparse
import json
import os

from .common import CLIError, add_command, add_group, output_file, write_atomic

MAX_REPORT_BYTES = 64 << 20  # a report of the default PMU is about 200 KB


def read_report(path: str) -> dict:
    if not os.path.isfile(path):
        raise CLIError(f"{path}: no such report" if not os.path.exists(path)
                       else f"{path}: not a regular file")
    if os.path.getsize(path) > MAX_REPORT_BYTES:
        raise CLIError(f"{path}: larger than {MAX_REPORT_BYTES >> 20} MiB; not a report")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CLIError(f"{path}: not JSON ({exc})") from None


def cmd_merge(args: argparse.Namespace) -> int:
    from ..sim.coverage import summary_lines
    from ..sim.coverage_report import ReportError, config_of, markdown, merge

    for out in (args.output, args.md):
        if out:
            output_file(out)
    try:
        merged = merge([(p, read_report(p)) for p in args.reports])
        config = config_of(merged)
        lines, closed = summary_lines(config, merged["tests"])
        text = markdown(merged, title=args.title) if args.md else ""
    except ReportError as exc:
        raise CLIError(str(exc)) from None
    print(f"coverage of {len(args.reports)} report(s), seeds "
          f"{', '.join(map(str, merged['seeds'])) or '-'}:")
    print("\n".join(lines))
    if args.output:
        write_atomic(args.output, json.dumps(merged, indent=1))
        print(f"merged report: {args.output}")
    if args.md:
        write_atomic(args.md, text)
        print(f"Markdown: {args.md}")
    print("coverage closed" if closed else "coverage NOT closed")
    return 0


def register(sub) -> None:
    group = add_group(sub, "coverage", "functional coverage reports of `rvpmu sim`")
    sp = add_command(group, "merge", "merge the coverage of several `rvpmu sim --report` "
                     "files (seeds) of one configuration", cmd_merge)
    sp.add_argument("reports", nargs="+", metavar="REPORT.json")
    sp.add_argument("-o", "--output", metavar="FILE", help="write the merged report (JSON)")
    sp.add_argument("--md", metavar="FILE", help="write the coverage as Markdown")
    sp.add_argument("--title", default="rvpmu coverage", help="the Markdown page's title")
