"""``rvpmu sim``: the checked regression of the generated PMU on Verilator or Icarus."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from .common import (CLIError, add_command, bounded_int, load_config,
                     natural_int, output_dir, output_file, positive_int, seed_int, write_atomic)

DEFAULT_JOBS_CAP = 4
DEFAULT_JOBS = max(1, min(os.cpu_count() or 1, DEFAULT_JOBS_CAP))
MAX_JOBS = 64

MAX_CYCLES = 10**10  # about three hours at the target 1M checked cycles/s
MAX_LOCKSTEP_CYCLES = 10**8  # every cycle through Python: hours already
PMU_TESTS = ("lockstep_random", "long_regression", "directed")  # sim/tb_pmu.py, in run order
TESTS = PMU_TESTS + ("kvm",)  # --test: one of them alone ("kvm": the KVM scenarios)


def summarize(report: dict, simulator: str, config,
              expected: tuple[str, ...] = PMU_TESTS) -> tuple[str, bool]:
    from ..sim.coverage import summary_lines as coverage_summary

    tests = report.get("tests", {})
    lines = [f"{'test':<18} {'checked cycles':>15} {'CSR accesses':>13} {'seconds':>8} "
             f"{'cycles/s':>10}"]
    for name, t in tests.items():
        cps = t["checked_cycles"] / t["seconds"] if t["seconds"] else 0
        lines.append(f"{name:<18} {t['checked_cycles']:>15,} {t['accesses']:>13,} "
                     f"{t['seconds']:>8.2f} {cps:>10,.0f}")
    events: dict[str, int] = {}
    bins = 0
    for t in tests.values():
        cov = t["coverage"]
        bins = max(bins, cov["access_bins"])
        for k, v in cov["events"].items():
            events[k] = events.get(k, 0) + v
    lines += coverage_summary(config, tests)[0]
    lines.append(f"CSR class x mode x op x outcome bins: {bins}; "
                 + ", ".join(f"{k} {v:,}" for k, v in sorted(events.items())))
    failed = report.get("failures", [])
    ok = not failed and set(expected) <= set(tests)
    lines.append(f"{simulator}: " + ("PASS: every checked cycle matched the golden model" if ok
                                     else f"FAIL: {failed or 'tests did not complete'}"))
    return "\n".join(lines), ok


# Waveform bytes per simulated cycle, measured on the default PMU (rvpmu sim --waves, 2026-12):
# FST 15.2 MB for 52,680 cycles of the PMU tests; VCD ~8.7 KB per cycle (issue 17).
WAVE_BYTES_PER_CYCLE = {"fst": 290, "vcd": 8_700}
KVM_RTL_CYCLES = 1_100_000  # the KVM scenarios, both profiles
WAVE_WARN_BYTES = 1 << 30


def _dumped(run_cycles: int, args: argparse.Namespace) -> int:
    """The cycles of one simulation that its waveform keeps (the window's part of it)."""
    left = max(0, run_cycles - args.waves_start)
    return left if args.waves_cycles is None else min(left, args.waves_cycles)


def _warn_wave_size(args: argparse.Namespace, fst: bool, pmu: bool, kvm: bool) -> None:
    """Say how large the waveform will be before the run, loudly beyond 1 GiB."""
    cycles = (_dumped(args.cycles + args.lockstep_cycles + 35_000, args) if pmu else 0) \
        + (_dumped(KVM_RTL_CYCLES, args) if kvm else 0)
    size = cycles * WAVE_BYTES_PER_CYCLE["fst" if fst else "vcd"]
    kind = "FST" if fst else "VCD"
    window = (f" from cycle {args.waves_start:,}" if args.waves_start else "") + \
        (f", {args.waves_cycles:,} cycles per simulation" if args.waves_cycles else "")
    if size > WAVE_WARN_BYTES:
        print(f"WARNING: the {kind} waveform will take about {size / 1e9:,.1f} GB "
              f"({cycles:,} cycles{window}); limit it with --waves-start/--waves-cycles (or "
              "fewer --cycles, --no-kvm)", flush=True)
    else:
        print(f"waveform: {kind}{window}, about {max(size / 1e6, 0.1):,.1f} MB expected",
              flush=True)


def _mismatch_waves(args: argparse.Namespace, report: dict) -> None:
    """After a failure: the command that writes the waveform around it (the failing
    simulation alone: with --jobs, the long-regression process that failed, its seed and its
    share of the cycles)."""
    from ..sim.runner import MISMATCH_WINDOW

    run = dict(report.get("failed_run") or {"seed": args.seed, "cycles": args.cycles,
                                              "test": args.test,
                                              "cycle": report.get("failed_at_cycle")})
    what = "PMU"
    if run["cycle"] is None and report.get("kvm", {}).get("failed_at_cycle") is not None:
        run.update(test="kvm", cycle=report["kvm"]["failed_at_cycle"])
        what = "KVM"
    if run["cycle"] is None:
        return
    before, keep = MISMATCH_WINDOW
    print(f"the first failure is at cycle {run['cycle']:,} of the {what} simulation; its "
          f"waveform: rvpmu sim {' '.join(_same_run(args, run['seed'], run['cycles']))}"
          f"{' --test ' + run['test'] if run['test'] else ''} --waves-start "
          f"{max(0, run['cycle'] - before)} --waves-cycles {keep}")


def _same_run(args: argparse.Namespace, seed: int, cycles: int) -> list[str]:
    out = ["--simulator", args.simulator, "--seed", str(seed), "--cycles", str(cycles),
           "--lockstep-cycles", str(args.lockstep_cycles)]
    return out + (["--config", args.config] if args.config else []) + \
        (["--build-dir", args.build_dir] if args.build_dir != "build/sim" else [])


def _junit(paths: list[str], out: Path) -> None:
    """The JUnit results of the runs (the PMU tests, the KVM scenarios) as one file."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="rvpmu sim")
    for p in paths:
        try:
            tree = ET.parse(p).getroot()
        except (OSError, ET.ParseError):
            continue  # a run that wrote none: its failure is in the report
        root.extend(tree.iter("testsuite"))
    write_atomic(out, ET.tostring(root, encoding="unicode") + "\n")


def cmd_sim(args: argparse.Namespace) -> int:
    from ..model.kvm.scenarios import SCENARIOS, unmet_requirement
    from ..progress import Progress
    from ..sim import runner
    from ..sim.jobs import effective_jobs, run_split
    from ..toolchain import ToolchainError

    cfg = load_config(args.config)
    build_root = output_dir(args.build_dir, "build directory")
    for path, what in ((args.report, "report"), (args.coverage_md, "coverage report"),
                       (args.junit, "JUnit results")):
        if path:
            output_file(path, what)
    if (args.waves_start or args.waves_cycles) and not args.waves:
        args.waves = True  # a window asks for a waveform
    pmu = args.test != "kvm"
    unmet = unmet_requirement(cfg)
    kvm_skip = ("--no-kvm" if args.no_kvm else f"needs {unmet}" if unmet else
                f"--test {args.test}" if args.test not in (None, "kvm") else None)
    if args.test == "kvm" and kvm_skip:
        raise CLIError(f"--test kvm: the KVM scenarios cannot run ({kvm_skip})")
    progress = Progress()
    try:
        b = runner.build(cfg, args.simulator, build_root=build_root, waves=args.waves)
    except ToolchainError as exc:
        raise CLIError(str(exc)) from None
    except RuntimeError as exc:
        raise CLIError(f"the {args.simulator} build failed ({exc}); see {build_root}") from None
    except OSError as exc:
        raise CLIError(f"cannot build in {build_root}: {exc.strerror or exc}") from None
    params = {"cycles": args.cycles, "lockstep_cycles": args.lockstep_cycles,
              "progress": True}
    report_path = Path(args.report or b.directory / f"report-seed{args.seed}.json")
    window = runner.window(args.waves_start, args.waves_cycles) if args.waves else None
    jobs = 1 if args.waves or not pmu else effective_jobs(args.jobs, args.cycles, args.test)
    print(f"rvpmu sim: {args.simulator}, seed {args.seed}, " + (
        f"{args.cycles:,} generator cycles + {args.lockstep_cycles:,} lock-step cycles + "
        "directed sequences" if args.test is None else f"test {args.test} only")
        + (f"; the long regression over {jobs} processes (seeds {args.seed}.."
           f"{args.seed + jobs - 1})" if jobs > 1 else ""))
    if args.waves:
        _warn_wave_size(args, runner.fst_available() or args.simulator == "icarus", pmu,
                        not kvm_skip)
    expected = PMU_TESTS if args.test is None else (args.test,) if pmu else ()
    report: dict = {"tests": {}, "failures": [], "waves": [], "log": ""}
    ok, results = True, []
    if pmu:
        report = run_split(b, seed=args.seed, params=params, waves_window=window,
                           jobs=jobs, testcase=args.test,
                           progress=progress)
        text, ok = summarize(report, args.simulator, cfg, expected)
        print(text)
        results += [report["results_xml"], *report.get("job_results_xml", [])]
    if kvm_skip:
        print(f"KVM scenarios: skipped: {kvm_skip}")
        report["kvm"] = {"skipped": kvm_skip}
    elif ok:
        print("KVM selftest scenarios on the RTL (kvm-vpmu.md section 6), against the model:")
        kvm = runner.run(b, seed=args.seed, module=runner.KVM_TEST_MODULE,
                         params={"outdir": str(report_path.resolve().parent),
                                 "progress": True},
                         waves_window=window, progress=progress)
        results.append(kvm["results_xml"])
        scen = kvm.get("kvm", {}).get("scenarios", {})
        for name, r in scen.items():
            verdict = "match" if r["same_as_model"] and r["compare_matches"] else "DIFFER"
            print(f"  {name:<18} {r['records']:>5} records  {verdict}  trace {r['trace']}")
        report["kvm"] = {**kvm.get("kvm", {}), "failures": kvm["failures"],
                         "waves": kvm.get("waves", []),
                         "failed_at_cycle": kvm.get("failed_at_cycle")}
        report["log"] = report["log"] or kvm["log"]
        if kvm["failures"] or len(scen) != 2 * len(SCENARIOS):
            ok = False
            print(f"KVM scenarios: FAIL: {kvm['failures'] or 'incomplete'}")
        else:
            print(f"KVM scenarios: PASS ({kvm['kvm']['rtl_cycles']:,} RTL cycles, "
                  f"{kvm['kvm']['seconds']:.1f} s); each trace passes `rvpmu compare`")
    if args.waves:
        waves = report.get("waves", []) + report.get("kvm", {}).get("waves", [])
        report["waves"] = waves
        for w in waves:
            print(f"waves: {w} ({Path(w).stat().st_size / 1e6:,.1f} MB)")
        if not waves:
            print("waves: none found")
    report.update(config=cfg.to_dict(), seed=args.seed, simulator=args.simulator)
    write_atomic(report_path, json.dumps(report, indent=1))
    junit = Path(args.junit or build_root / "results.xml")
    _junit(results, junit)
    print(f"report: {report_path}  JUnit: {junit}  log: {report['log']}")
    if args.coverage_md and report["tests"]:
        from ..sim.coverage_report import markdown

        write_atomic(args.coverage_md, markdown(report, f"rvpmu sim coverage, seed {args.seed}"))
        print(f"coverage: {args.coverage_md}")
    if not ok:
        _mismatch_waves(args, report)
        hint = (f"; reproduce with --seed {args.seed}" if report.get("seed_dependent")
                else "")
        raise CLIError(f"regression failed{hint} (see {report['log']})")
    return 0


def register(sub) -> None:
    sp = add_command(sub, "sim", "run the checked regression of the PMU on a simulator",
                     cmd_sim, config=True)
    sp.add_argument("--simulator", choices=("verilator", "icarus"), default="verilator")
    sp.add_argument("--seed", type=seed_int, default=1, help="random seed (default 1)")
    sp.add_argument("--cycles", type=bounded_int(1, MAX_CYCLES), default=1_000_000,
                    help="cycles of the generator-driven regression (default 1,000,000; at "
                    f"most {MAX_CYCLES:.0e})")
    sp.add_argument("--lockstep-cycles", type=bounded_int(1, MAX_LOCKSTEP_CYCLES),
                    default=5_000, help="cycles driven and compared one by one from Python "
                    f"(default 5,000; at most {MAX_LOCKSTEP_CYCLES:.0e})")
    sp.add_argument("--jobs", type=bounded_int(1, MAX_JOBS), default=DEFAULT_JOBS,
                    help="simulator processes that share the long regression's cycles, each "
                    f"with its own seed (default: the CPUs, at most {DEFAULT_JOBS_CAP}; one "
                    "with --waves)")
    sp.add_argument("--test", choices=TESTS, help="run this test only (kvm: the KVM "
                    "scenarios alone)")
    sp.add_argument("--waves", action="store_true", help="write a waveform (FST; VCD without "
                    "liblz4)")
    sp.add_argument("--waves-start", type=natural_int, default=0, metavar="CYCLE",
                    help="the waveform starts at this clock cycle of each simulation "
                    "(implies --waves)")
    sp.add_argument("--waves-cycles", type=positive_int, default=None, metavar="N",
                    help="the waveform keeps N cycles (implies --waves)")
    sp.add_argument("--no-kvm", action="store_true",
                    help="skip the KVM selftest scenarios on the RTL")
    sp.add_argument("--report", metavar="FILE", help="coverage and results JSON (default "
                    "BUILD/report-seedN.json; merge several with `rvpmu coverage merge`)")
    sp.add_argument("--coverage-md", metavar="FILE", help="also write the coverage as Markdown")
    sp.add_argument("--junit", metavar="FILE", help="JUnit XML of the tests run (default "
                    "results.xml in the --build-dir: build/sim/results.xml)")
    sp.add_argument("--build-dir", metavar="DIR", default="build/sim",
                    help="where builds are kept and reused (default build/sim)")
