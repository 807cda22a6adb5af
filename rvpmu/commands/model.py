"""``rvpmu model ...``: run the golden models from the command line.

``hart`` drives the hart PMU model from a CSR/step script; ``run`` runs a KVM vPMU scenario (one
of the selftest's four, or a script file: docs/kvm-model.md) and writes its trace
(docs/trace-format.md).
"""

from __future__ import annotations

import argparse
import os
import sys

from .common import (EXIT_FAIL, CLIError, add_command, add_group,
                     bounded_int, load_config, output_file, write_out)

MAX_LOOP_ITERATIONS = 10**7  # the overflow scenario steps its loops: minutes already


def _script_file(path: str) -> None:
    """A device (``/dev/zero``) would be read for ever: only regular files are scripts."""
    if os.path.exists(path) and not os.path.isfile(path):
        raise CLIError(f"{path}: not a regular file")


def cmd_model_hart(args: argparse.Namespace) -> int:
    from ..model.script import ScriptError, run_script

    cfg = load_config(args.config)
    _script_file(args.script)
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


def cmd_model_run(args: argparse.Namespace) -> int:
    from ..model.hart import HartPMU
    from ..model.kvm import KvmVcpuPmu
    from ..model.kvm.scenarios import SCENARIOS, GuestAssert, run_scenario
    from ..model.kvm.script import ScriptError, run_script

    cfg = load_config(args.config)
    if args.output not in (None, "-"):
        output_file(args.output, "trace")
    try:
        vpmu = KvmVcpuPmu(HartPMU(cfg), profile=args.profile,
                          accumulate_on_read=args.accumulate_on_read)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    failure = None
    if args.scenario in SCENARIOS:
        what = f"scenario {args.scenario}"
        try:
            run_scenario(args.scenario, vpmu, loop_iterations=args.loop_iterations)
        except GuestAssert as exc:
            failure = f"guest assertion failed: {exc}"
    else:
        what = f"script {args.scenario}"
        _script_file(args.scenario)
        try:
            with open(args.scenario, encoding="utf-8") as f:
                lines = f.readlines()
        except FileNotFoundError:
            raise CLIError(f"{args.scenario!r} is neither a scenario "
                           f"({', '.join(SCENARIOS)}) nor a script file") from None
        except OSError as exc:
            raise CLIError(f"cannot read script {args.scenario}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CLIError(f"{args.scenario}: not a text file") from None
        try:
            run_script(vpmu, lines, source=args.scenario)
        except ScriptError as exc:
            raise CLIError(str(exc)) from None
    if failure:
        vpmu.trace.header["failed"] = failure  # `rvpmu compare` must not pass it
    write_out(vpmu.trace.to_jsonl(), args.output)
    summary = f"{what} (profile {vpmu.profile.name}): {len(vpmu.trace.records)} records"
    to_file = args.output not in (None, "-")
    if failure:
        print(f"{summary}; {failure}", file=sys.stderr)
        return EXIT_FAIL
    print(summary, file=sys.stdout if to_file else sys.stderr)
    return 0


def cmd_model_profiles(args: argparse.Namespace) -> int:
    from ..model.kvm.profiles import markdown

    write_out(markdown(), args.output)
    return 0


def register(sub) -> None:
    group = add_group(sub, "model", "run the golden models")
    sp = add_command(group, "hart", "run a CSR/step script on the hart PMU model "
                     "(docs/hart-script.md)", cmd_model_hart, config=True)
    sp.add_argument("script", metavar="SCRIPT", help="script file, e.g. examples/overflow.hart")
    sp.add_argument("-q", "--quiet", action="store_true", help="print only the summary")

    sp = add_command(group, "run", "run a KVM vPMU scenario (basic, events, snapshot, overflow) "
                     "or a script and write its trace (docs/kvm-model.md)",
                                      cmd_model_run, config=True)
    sp.add_argument("scenario", metavar="SCENARIO",
                    help="basic, events, snapshot, overflow, or a script file")
    sp.add_argument("-o", "--output", metavar="TRACE",
                    help="write the JSON Lines trace to TRACE (default: stdout)")
    sp.add_argument("--profile", choices=("kvm", "spec"), default="kvm",
                    help="mainline KVM (default) or the SBI specification")
    sp.add_argument("--accumulate-on-read", action="store_true",
                    help="KVM's literal arithmetic: every read adds the perf count again")
    sp.add_argument("--loop-iterations", type=bounded_int(1, MAX_LOOP_ITERATIONS),
                    default=10000, metavar="N",
                    help="iterations of the selftest's busy loop (default 10000)")

    sp = add_command(group, "profiles", "print the table of behaviours where the KVM vPMU "
                     "model's kvm and spec profiles differ (docs/kvm-profiles.md)",
                     cmd_model_profiles)
    sp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
