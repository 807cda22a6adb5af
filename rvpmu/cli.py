"""The ``rvpmu`` command line. Every failure is one line on stderr and a non-zero exit.

Each concern registers its subcommands from its own module in ``rvpmu.commands``.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .commands import COMMAND_MODULES
from .commands.common import EXIT_FAIL, EXIT_USAGE, CLIError, Parser
from .toolchain import ToolchainError


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
    name = " ".join(filter(None, (args.command, getattr(args, "subcommand", None))))
    try:
        return fn(args)
    except (CLIError, ToolchainError) as exc:  # ToolchainError: a missing tool, with its hint
        print(f"rvpmu {name}: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("rvpmu: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `rvpmu csr-map | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (OSError, ValueError, RecursionError, MemoryError) as exc:
        # The last line of defence (a serial port that vanished, a full disk, a value no check
        # caught): still one line. RVPMU_DEBUG=1 shows the traceback.
        if os.environ.get("RVPMU_DEBUG"):
            raise
        print(f"rvpmu {name}: error: {_describe(exc)}", file=sys.stderr)
        return EXIT_FAIL


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename or getattr(exc, "port", None)
        return f"{where}: {exc.strerror}" if where else exc.strerror
    if isinstance(exc, RecursionError):
        return "input nested too deeply"
    if isinstance(exc, MemoryError):
        return "out of memory"
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
