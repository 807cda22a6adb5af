"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_FAIL = 1
EXIT_USAGE = 2


class CLIError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not the whole usage block
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _int_arg(text: str) -> int:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (``1_000`` and ``0x10`` accepted)."""
    v = _int_arg(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return v


def natural_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    v = _int_arg(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return v


def seed_int(text: str) -> int:
    """argparse type: a random seed, 0 .. 2^31-1."""
    v = _int_arg(text)
    if not 0 <= v < 2**31:
        raise argparse.ArgumentTypeError("the seed must be within 0..2^31-1")
    return v


def add_command(sub, name: str, help_: str, fn) -> argparse.ArgumentParser:
    sp = sub.add_parser(name, help=help_, description=help_)
    sp.set_defaults(fn=fn)
    return sp


def add_group(sub, name: str, help_: str):
    """A command with subcommands of its own (``rvpmu model hart ...``)."""
    sp = sub.add_parser(name, help=help_, description=help_)
    sp.set_defaults(fn=None, group_parser=sp)
    return sp.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=Parser)


def add_config_option(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--config", metavar="PMU.TOML",
                    help="PMU configuration (default: RV64, M/S/U/H, 29 x 64-bit counters)")


def load_config(path: str | None):
    from ..config import ConfigError, PMUConfig

    if path is None:
        return PMUConfig()
    try:
        return PMUConfig.from_toml(path)
    except ConfigError as exc:
        raise CLIError(str(exc)) from None


def write_out(text: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    try:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(f"wrote {output}")
