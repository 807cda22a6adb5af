"""``rvpmu soc run``: a C program (or ELF) on the picorv32 SoC, every CSR value checked.

Builds the firmware (soc/firmware.py) and the SoC simulation (soc/runner.py), runs it, prints
the program's output, the profile when the program samples, and the check summary: the model
check (every PMU response equal to ``PMUPorts``) and the RVFI cross-check (every reported count
equal to the trace). Exit status 0 only when the program exits with 0 and every check passed.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from .common import CLIError, add_command, add_group, positive_int

DEFAULT_MAX_CYCLES = 2_000_000


def resolve_program(text: str) -> Path:
    """A path to a .c or ELF file, or the name of a bundled program (counting, profile...)."""
    from ..soc.firmware import FIRMWARE_DIR, PROGRAMS

    if text in PROGRAMS and not Path(text).exists():
        return FIRMWARE_DIR / PROGRAMS[text]
    p = Path(text)
    if not p.exists():
        raise CLIError(f"no such program: {text} (a .c file, an ELF, or one of "
                       f"{', '.join(PROGRAMS)})")
    if not p.is_file():
        raise CLIError(f"{text} is not a file")
    return p


def _define(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=INTEGER")
    try:
        return name, int(value, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=INTEGER") from None


def load_program(path: Path, build_dir: Path, defines: dict[str, int] | None = None,
                 cfg=None, ram_bytes: int | None = None):
    """(ELF, RAM image) of a C source (compiled) or an ELF file."""
    from ..soc import config as soc
    from ..soc.elf import ELFError, read_elf
    from ..soc.firmware import FirmwareError, build

    cfg = cfg or soc.SOC_CONFIG
    ram_bytes = ram_bytes or soc.RAM_BYTES
    try:
        elf_path = build(path, build_dir / "firmware", cfg, ram_bytes=ram_bytes,
                         defines=defines) if path.suffix == ".c" else path
        elf = read_elf(elf_path)
        return elf, elf.image(soc.RAM_BASE, ram_bytes)
    except (FirmwareError, ELFError) as exc:
        raise CLIError(str(exc)) from None


def summarize(rep: dict, elf) -> tuple[list[str], bool]:
    from ..soc.profile import printed_histogram, report

    lines, ok = [], True
    if rep.get("samples"):
        hist = printed_histogram(rep.get("output", ""))
        lines += [report(elf, hist), ""]
        same = hist == Counter(rep["samples"])
        irq = rep["lcofip_rises"] == len(rep["samples"])
        ok &= same and irq
        lines.append(f"profile: {len(rep['samples'])} samples; printed histogram "
                     + ("equals" if same else "DIFFERS FROM") + " the handler's samples; "
                     f"{rep['lcofip_rises']} LCOFIP interrupts, "
                     + ("one per sample" if irq else "NOT one per sample"))
    if rep.get("mismatch"):
        ok = False
        lines.append(f"model check: FAIL: {rep['mismatch']}")
    else:
        lines.append(f"model check: PASS: {rep['accesses']} CSR accesses ({rep['reads_checked']} "
                     f"reads) over {rep['cycles']:,} cycles, every PMU output equal to the "
                     "golden model's every cycle")
    cc = rep.get("cross_check", {"passed": [], "failed": []})
    if cc["failed"]:
        ok = False
        lines.append(f"RVFI cross-check: FAIL: {cc['failed'][0]}"
                     + (f" (and {len(cc['failed']) - 1} more)" if len(cc["failed"]) > 1 else ""))
    elif cc["passed"]:
        lines.append(f"RVFI cross-check: PASS: {len(cc['passed'])} reported counts equal to "
                     "the trace")
    else:
        lines.append("RVFI cross-check: the program reports no measured region")
    if rep.get("refusals"):
        lines.append(f"refused CSR accesses (illegal-instruction trap): {len(rep['refusals'])}")
    if rep.get("exit_code") not in (None, 0):
        ok = False
        lines.append(f"program exit code: {rep['exit_code']}")
    return lines, ok


def cmd_run(args: argparse.Namespace) -> int:
    from ..soc import runner
    from ..toolchain import ToolchainError

    build_root = Path(args.build_dir)
    elf, image = load_program(resolve_program(args.program), build_root, dict(args.define))
    try:
        b = runner.build(args.simulator, build_root=build_root)
    except ToolchainError as exc:
        raise CLIError(str(exc)) from None
    except RuntimeError as exc:
        raise CLIError(f"the {args.simulator} build of the SoC failed ({exc}); see "
                       f"{build_root}") from None
    print(f"rvpmu soc run: {args.program} on {args.simulator} ({len(image) * 4} bytes loaded)",
          flush=True)
    rep = runner.run(b, image, max_cycles=args.max_cycles)
    print(rep.get("output", ""), end="" if rep.get("output", "").endswith("\n") else "\n")
    stop = rep.get("stop")
    if stop == "max_cycles":
        raise CLIError(f"the program did not finish within {args.max_cycles:,} cycles "
                       "(--max-cycles)")
    if stop == "core_trap":
        raise CLIError(f"the core halted (picorv32 trap: an illegal instruction or a bus "
                       f"error with its IRQ masked) after {rep['cycles']:,} cycles")
    if stop not in ("exit", "mismatch"):
        raise CLIError(f"the simulation did not complete: {rep.get('failures')}; see "
                       f"{rep.get('log')}")
    lines, ok = summarize(rep, elf)
    print("\n".join(lines))
    print(f"{args.simulator}: " + ("PASS" if ok else "FAIL")
          + f" ({rep['cycles']:,} cycles in {rep['seconds']:.1f} s)")
    return 0 if ok else 1


def cmd_build(args: argparse.Namespace) -> int:
    from ..boards.build import BuildError
    from ..soc import config as soc
    from ..soc.board import build_ulx3s

    cfg, ram = (soc.SMALL_CONFIG, soc.SMALL_RAM_BYTES) if args.small else \
        (soc.SOC_CONFIG, soc.RAM_BYTES)
    build_root = Path(args.build_dir)
    _elf, image = load_program(resolve_program(args.program), build_root, dict(args.define),
                               cfg, ram)
    try:
        rep = build_ulx3s(cfg, image, ram_bytes=ram, device=args.device,
                          out_dir=args.output or build_root / f"ulx3s-{args.device.upper()}")
    except BuildError as exc:
        raise CLIError(str(exc)) from None
    print("\n".join(rep.lines()))
    if rep.fmax_mhz is None or rep.target_mhz is None or rep.fmax_mhz < rep.target_mhz:
        raise CLIError(f"timing not met: Fmax {rep.fmax_mhz} MHz for the "
                       f"{rep.target_mhz} MHz board clock")
    return 0


def register(sub) -> None:
    g = add_group(sub, "soc", "the picorv32 SoC: C programs that use the PMU, checked "
                              "against the golden model and the RVFI trace")
    sp = add_command(g, "run", "build and run a program on the SoC in simulation; print its "
                               "output, profile and the check summary", cmd_run)
    sp.add_argument("program", help="a .c file, an RV32 ELF, or a bundled program: "
                                    "counting, profile, csrforms")
    sp.add_argument("--simulator", choices=("verilator", "icarus"), default="verilator")
    sp.add_argument("--max-cycles", type=positive_int, default=DEFAULT_MAX_CYCLES,
                    help=f"cycle bound: a program still running fails (default "
                         f"{DEFAULT_MAX_CYCLES:,})")
    sp.add_argument("-D", "--define", type=_define, action="append", default=[],
                    metavar="NAME=INTEGER", help="a C preprocessor definition for the program "
                    "(e.g. N_SORT=16 for counting, SOC_SAMPLE_PERIOD=200 for profile)")
    sp.add_argument("--build-dir", default="build/soc", help="builds (default build/soc)")
    bp = add_command(g, "build", "a ULX3S bitstream of the SoC with the program in its block "
                                 "RAM and the console on the USB UART (115200 8N1)", cmd_build)
    bp.add_argument("board", choices=("ulx3s",))
    bp.add_argument("program", help="a .c file, an RV32 ELF, or a bundled program")
    bp.add_argument("--device", default="85F", choices=("85F", "45F", "25F", "12F"),
                    help="ULX3S FPGA (default 85F)")
    bp.add_argument("--small", action="store_true",
                    help="the reduced SoC: 2 x 16-bit counters (loads, stores), 16 KiB RAM")
    bp.add_argument("-D", "--define", type=_define, action="append", default=[],
                    metavar="NAME=INTEGER", help="a C preprocessor definition for the program")
    bp.add_argument("-o", "--output", help="build directory (default build/soc/ulx3s-DEVICE)")
    bp.add_argument("--build-dir", default="build/soc", help="firmware builds (default "
                                                            "build/soc)")
