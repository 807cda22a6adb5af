"""``rvpmu model ...``: run the golden models from the command line."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_FAIL, CLIError, add_command, add_config_option, add_group, load_config


def cmd_model_hart(args: argparse.Namespace) -> int:
    from ..model.script import ScriptError, run_script

    cfg = load_config(args.config)
    try:
        with open(args.script, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as exc:
        raise CLIError(f"cannot read script {args.script}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CLIError(f"{args.script}: not a text file") from None
    try:
        result = run_script(cfg, lines, source=args.script)
    except ScriptError as exc:
        raise CLIError(str(exc)) from None
    if not args.quiet:
        print(f"{'cycle':>8}  {'command':<44} result")
        print("\n".join(result.lines))
    if result.failures:
        for f in result.failures:
            print(f"FAIL {f}", file=sys.stderr)
        print(f"{len(result.failures)} expectation(s) failed", file=sys.stderr)
        return EXIT_FAIL
    print(f"script {args.script}: {len(result.lines)} commands, all expectations hold")
    return 0


def register(sub) -> None:
    group = add_group(sub, "model", "run the golden models")
    sp = add_command(group, "hart", "run a CSR/step script on the hart PMU model "
                     "(docs/hart-script.md)", cmd_model_hart)
    add_config_option(sp)
    sp.add_argument("script", metavar="SCRIPT", help="script file, e.g. examples/overflow.hart")
    sp.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
