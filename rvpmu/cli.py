"""The ``rvpmu`` command line. Every failure is one line on stderr and a non-zero exit.

Each concern registers its subcommands from its own module in ``rvpmu.commands``.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .commands import COMMAND_MODULES
from .commands.common import EXIT_FAIL, EXIT_USAGE, CLIError, Parser


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="rvpmu", description="RISC-V PMU generator and golden models.")
    p.add_argument("--version", action="version", version=f"rvpmu {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in COMMAND_MODULES:
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    fn = getattr(args, "fn", None)
    if fn is None:
        # `rvpmu` or a command group without its subcommand: show what there is.
        getattr(args, "group_parser", parser).print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return fn(args)
    except CLIError as exc:
        print(f"rvpmu {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("rvpmu: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
