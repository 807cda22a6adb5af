"""``rvpmu sim``: the checked regression of the generated PMU on Verilator or Icarus."""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path

from .common import (CLIError, add_command, add_config_option, bounded_int, load_config,
                     output_dir, output_file, seed_int, write_atomic)

MAX_CYCLES = 10**10  # about three hours at the target 1M checked cycles/s
MAX_LOCKSTEP_CYCLES = 10**8  # every cycle through Python: hours already




class _Progress(threading.Thread):
    """Echo the testbench's progress lines from the simulator log while it runs."""

    def __init__(self, log: Path):
        super().__init__(daemon=True)
        self.log, self.stop = log, threading.Event()

    def run(self) -> None:
        pos = 0
        while not self.stop.is_set():
            if self.log.exists():
                with self.log.open(errors="replace") as f:
                    f.seek(pos)
                    for line in f:
                        if "rvpmu-progress" in line:
                            print("  " + line.split("rvpmu-progress", 1)[1].strip(), flush=True)
                    pos = f.tell()
            time.sleep(0.5)


def summarize(report: dict, simulator: str, config) -> tuple[str, bool]:
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
    ok = not failed and len(tests) == 3
    lines.append(f"{simulator}: " + ("PASS: every checked cycle matched the golden model" if ok
                                     else f"FAIL: {failed or 'tests did not complete'}"))
    return "\n".join(lines), ok


# Waveform bytes per simulated cycle, measured on the default PMU (rvpmu sim --waves, 2026-12):
# FST 15.2 MB for 52,680 cycles of the PMU tests; VCD ~8.7 KB per cycle (issue 17).
WAVE_BYTES_PER_CYCLE = {"fst": 290, "vcd": 8_700}
KVM_RTL_CYCLES = 1_100_000  # the KVM scenarios, both profiles
WAVE_WARN_BYTES = 1 << 30


def _warn_wave_size(args: argparse.Namespace, fst: bool) -> None:
    """Say how large the waveform will be before the run, loudly beyond 1 GiB."""
    cycles = args.cycles + args.lockstep_cycles + 35_000 + (0 if args.no_kvm else KVM_RTL_CYCLES)
    size = cycles * WAVE_BYTES_PER_CYCLE["fst" if fst else "vcd"]
    kind = "FST" if fst else "VCD"
    if size > WAVE_WARN_BYTES:
        print(f"WARNING: the {kind} waveform will take about {size / 1e9:,.1f} GB "
              f"({cycles:,} cycles); use fewer --cycles (or --no-kvm) for a waveform",
              flush=True)
    else:
        print(f"waveform: {kind}, about {size / 1e6:,.0f} MB expected", flush=True)


def cmd_sim(args: argparse.Namespace) -> int:
    from ..model.kvm.scenarios import SCENARIOS, unmet_requirement
    from ..sim import runner
    from ..toolchain import ToolchainError

    cfg = load_config(args.config)
    build_root = output_dir(args.build_dir, "build directory")
    if args.report:
        output_file(args.report, "report")
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
    print(f"rvpmu sim: {args.simulator}, seed {args.seed}, {args.cycles:,} generator cycles "
          f"+ {args.lockstep_cycles:,} lock-step cycles + directed sequences")
    if args.waves:
        _warn_wave_size(args, runner.fst_available() or args.simulator == "icarus")
    progress = _Progress(b.directory / "sim.log")
    progress.start()
    try:
        report = runner.run(b, seed=args.seed, params=params)
    finally:
        progress.stop.set()
        progress.join()
    text, ok = summarize(report, args.simulator, cfg)
    print(text)
    unmet = unmet_requirement(cfg)
    if args.no_kvm or unmet:
        why = "--no-kvm" if args.no_kvm else f"needs {unmet}"
        print(f"KVM scenarios: skipped: {why}")
        report["kvm"] = {"skipped": why}
    elif ok:
        print("KVM selftest scenarios on the RTL (kvm-vpmu.md section 6), against the model:")
        kvm = runner.run(b, seed=args.seed, module=runner.KVM_TEST_MODULE,
                         params={"outdir": str(report_path.resolve().parent)})
        scen = kvm.get("kvm", {}).get("scenarios", {})
        for name, r in scen.items():
            verdict = "match" if r["same_as_model"] and r["compare_matches"] else "DIFFER"
            print(f"  {name:<18} {r['records']:>5} records  {verdict}  trace {r['trace']}")
        report["kvm"] = {**kvm.get("kvm", {}), "failures": kvm["failures"],
                         "waves": kvm.get("waves", [])}
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
    write_atomic(report_path, json.dumps(report, indent=1))
    print(f"report: {report_path}  log: {report['log']}")
    if not ok:
        hint = (f"; reproduce with --seed {args.seed}" if report.get("seed_dependent")
                else "")
        raise CLIError(f"regression failed{hint} (see {report['log']})")
    return 0


def register(sub) -> None:
    sp = add_command(sub, "sim", "run the checked regression of the PMU on a simulator",
                     cmd_sim)
    add_config_option(sp)
    sp.add_argument("--simulator", choices=("verilator", "icarus"), default="verilator")
    sp.add_argument("--seed", type=seed_int, default=1, help="random seed (default 1)")
    sp.add_argument("--cycles", type=bounded_int(1, MAX_CYCLES), default=1_000_000,
                    help="cycles of the generator-driven regression (default 1,000,000; at "
                    f"most {MAX_CYCLES:.0e})")
    sp.add_argument("--lockstep-cycles", type=bounded_int(1, MAX_LOCKSTEP_CYCLES),
                    default=5_000, help="cycles driven and compared one by one from Python "
                    f"(default 5,000; at most {MAX_LOCKSTEP_CYCLES:.0e})")
    sp.add_argument("--waves", action="store_true", help="write a waveform (VCD/FST)")
    sp.add_argument("--no-kvm", action="store_true",
                    help="skip the KVM selftest scenarios on the RTL")
    sp.add_argument("--report", metavar="FILE", help="coverage and results JSON")
    sp.add_argument("--build-dir", metavar="DIR", default="build/sim",
                    help="where builds are kept and reused (default build/sim)")
