"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_FAIL = 1
EXIT_USAGE = 2
MAX_CONFIG_BYTES = 1 << 20  # a configuration with every one of its 253 inputs is ~30 KiB


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


def bounded_int(low: int, high: int):
    """argparse type: an integer within ``low..high`` (an absurd size is refused at once rather
    than run for days)."""
    def parse(text: str) -> int:
        v = _int_arg(text)
        if not low <= v <= high:
            raise argparse.ArgumentTypeError(f"{text!r} must be within {low:,}..{high:,}")
        return v
    return parse


def seed_int(text: str) -> int:
    """argparse type: a random seed, 0 .. 2^31-1."""
    v = _int_arg(text)
    if not 0 <= v < 2**31:
        raise argparse.ArgumentTypeError("the seed must be within 0..2^31-1")
    return v


def add_command(sub, name: str, help_: str, fn, *, config: bool = False
                ) -> argparse.ArgumentParser:
    """A command run by ``fn``; ``config``: it takes ``--config PMU.TOML``."""
    sp = sub.add_parser(name, help=help_, description=help_)
    sp.set_defaults(fn=fn)
    if config:
        sp.add_argument("--config", metavar="PMU.TOML",
                        help="PMU configuration (default: RV64, M/S/U/H, 29 x 64-bit counters)")
    return sp


def add_group(sub, name: str, help_: str):
    """A command with subcommands of its own (``rvpmu model hart ...``)."""
    sp = sub.add_parser(name, help=help_, description=help_)
    sp.set_defaults(fn=None, group_parser=sp)
    return sp.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=Parser)


def load_config(path: str | None):
    from ..config import ConfigError, PMUConfig

    if path is None:
        return PMUConfig()
    if os.path.exists(path) and not os.path.isfile(path):  # /dev/zero would be read for ever
        raise CLIError(f"{path}: not a regular file")
    if os.path.isfile(path) and os.path.getsize(path) > MAX_CONFIG_BYTES:
        raise CLIError(f"{path}: larger than {MAX_CONFIG_BYTES >> 20} MiB; not a configuration")
    try:
        return PMUConfig.from_toml(path)
    except ConfigError as exc:
        raise CLIError(str(exc)) from None


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def output_dir(path: str | Path, what: str = "output directory") -> Path:
    """Create ``path`` if needed and make sure files can be written in it; checked before any
    long work so that a bad path fails in a second, not after the run."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise CLIError(f"{what} {p} exists and is not a directory")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"cannot create {what} {p}: {_why(exc)}") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise CLIError(f"cannot write into {what} {p}: permission denied")
    return p


def output_file(path: str | Path, what: str = "output file") -> Path:
    """Check that ``path`` can be written (its folder is created), before the work starts."""
    p = Path(path)
    if p.is_dir():
        raise CLIError(f"{what} {p} is a directory")
    if p.exists() and not p.is_file():  # a device or a FIFO is written into, as it is
        return p
    output_dir(p.parent, f"the folder of the {what}")
    if p.exists() and not os.access(p, os.W_OK):
        raise CLIError(f"cannot write {what} {p}: permission denied")
    return p


def temporary_name(path: Path) -> Path:
    """Where ``path`` is written before the rename that makes it appear complete."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary name beside ``path``, then rename it: a reader sees the
    old file or the whole new one, never a half-written one. Raises CLIError."""
    p = Path(path)
    if p.exists() and not p.is_file():  # /dev/null, a FIFO: write into it, never replace it
        try:
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            raise CLIError(f"cannot write {p}: {_why(exc)}") from None
        return
    tmp = temporary_name(p)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CLIError(f"cannot write {p}: {_why(exc)}") from None


def write_out(text: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    output_file(output)
    write_atomic(output, text)
    print(f"wrote {output}")
