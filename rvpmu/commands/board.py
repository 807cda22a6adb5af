"""``rvpmu board ...``: FPGA boards (docs/board-protocol.md, README "Boards").

* ``build ulx3s|arty``: a ULX3S bitstream with the open flow, or the Arty A7 Vivado project;
  ``--program`` loads it with openFPGALoader;
* ``check --port PORT``: the random checks and the KVM scenarios on a board, against the model;
* ``info --port PORT``: what the board says about itself;
* ``sim``: a simulated board on a TCP socket, for ``check --port socket://HOST:PORT``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import threading
import time
from pathlib import Path

from ..progress import Progress
from .common import (CLIError, add_command, add_group, bounded_int,
                     load_config, natural_int, output_dir, output_file, positive_int)




VERDICT = re.compile(r"  \S.* (PASS|FAIL)  ")  # a check's line from boards/host/checks.py
SIM_INITIAL_QUIET = 50e-6  # simulated seconds: 5,000 cycles of the simulated board's 100 MHz


def _rate(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= v <= 0.5:
        raise argparse.ArgumentTypeError("the fault rate must be within 0..0.5")
    return v


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.0 <= v <= 60.0:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r} must be within 0..60 seconds")
    return v


def _list(text: str) -> list[str]:
    return [x for x in (s.strip() for s in text.split(",")) if x]


# -- build ---------------------------------------------------------------------------------------

def _build_soc(args: argparse.Namespace) -> int:
    """``board build ulx3s --soc PROGRAM``: the picorv32 SoC's bitstream (``rvpmu soc build``)."""
    from .soc import cmd_build as soc_build

    if args.board != "ulx3s":
        raise CLIError("--soc: the SoC bitstream is built for the ULX3S only")
    if args.program or args.flash or args.config:
        raise CLIError("--soc builds the SoC's own configuration; it takes no --config, "
                       "--program or --flash (program the bitstream with openFPGALoader)")
    return soc_build(argparse.Namespace(program=args.soc, device=args.device or "85F",
                                        small=False, define=[], output=args.output,
                                        build_dir="build/soc"))


def cmd_build(args: argparse.Namespace) -> int:
    from ..boards import build as B

    if args.soc is not None:
        return _build_soc(args)
    if args.flash and not args.program:
        raise CLIError("--flash writes the flash while programming: give --program as well")
    cfg = load_config(args.config)
    if args.output:
        output_dir(args.output)
    if args.program:
        try:
            B.loader_path()  # before a build of minutes, not after it
        except B.BuildError as exc:
            raise CLIError(str(exc)) from None
    if args.board == "ulx3s":
        if args.variant is not None:
            raise CLIError("--variant is for the Arty (35 or 100); the ULX3S takes --device")
        device = (args.device or "85F").upper()
        if device not in B.BOARDS["ulx3s"].variants:
            raise CLIError(f"unknown ULX3S device {args.device!r}: choose from "
                           f"{', '.join(B.BOARDS['ulx3s'].variants)}")
        variant = device
    else:
        if args.device is not None:
            raise CLIError("--device is for the ULX3S (85F, 45F, 25F, 12F); the Arty takes "
                           "--variant")
        variant = args.variant or "35"
    try:
        if args.board == "ulx3s":
            report = B.build_ulx3s(cfg, variant, args.output, baud=args.baud)
        else:
            report = B.generate_arty(cfg, variant, args.output, baud=args.baud,
                                     estimate=not args.no_estimate)
        print("\n".join(report.lines()))
        bit = report.directory / "top.bit"
        loader = B.BOARDS[args.board].loader[variant]
        if bit.exists():
            print(f"program (SRAM, until power-off): {B.loader_command()} -b {loader} -m {bit}"
                  f"  (-f instead of -m: the flash)")
        if args.program:
            if not bit.exists():
                raise CLIError(f"no bitstream to program: run `sh build_top.sh` in "
                               f"{report.directory} where Vivado is installed, then run this "
                               "command again with --program")
            B.program(args.board, variant, bit, flash=args.flash)
            print(f"programmed the {args.board} with {bit}")
    except B.BuildError as exc:
        raise CLIError(str(exc)) from None
    return 0


# -- check / info --------------------------------------------------------------------------------

def _connect(args: argparse.Namespace):
    from ..boards.host import BoardClient, open_port
    from ..boards.host.faults import FaultyPort

    port = open_port(args.port, args.baud)
    latency = args.latency
    timed = hasattr(port, "now")  # rvpmu-sim://: timeouts in simulated time, no allowance
    if latency is None:
        latency = 0.0 if timed else 1.0 if "://" in args.port else 0.05
    if getattr(args, "faults", 0):
        port = FaultyPort(port, rate=args.faults, seed=args.seed)
    # before HELLO: quiet for a few frame timeouts of the simulated board (rvpmu.boards.sim)
    quiet = {"initial_quiet": SIM_INITIAL_QUIET} if timed else {}
    return BoardClient(port, latency=latency, name=args.port, **quiet)


def cmd_info(args: argparse.Namespace) -> int:
    from ..boards.host import BoardError
    from ..boards.platforms import BOARDS

    try:
        client = _connect(args)
        info = client.connect()
        cfg = client.read_config()
        status = client.status()
    except BoardError as exc:
        raise CLIError(str(exc)) from None
    print(f"board: {info.board_name}; protocol {info.version[0]}.{info.version[1]}; clock "
          f"{info.clk_hz / 1e6:g} MHz; {info.baud} baud; frame timeout {info.frame_timeout} "
          f"cycles; {info.inputs} board inputs")
    spec = next((b for b in BOARDS.values() if int(b.board) == info.board), None)
    if spec is not None:
        print(f"board inputs (INPUTS bit j = event input j): {spec.inputs_doc}")
    print(f"configuration {info.config_hash.hex()}:")
    print("\n".join(f"  {line}" for line in cfg.summary().splitlines()))
    print(f"link errors seen by the board: {status.crc_errors} CRC, {status.length_errors} "
          f"length, {status.timeouts} timeouts, {status.uart_errors} UART")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from ..boards.host import BoardError
    from ..boards.host.checks import check_board
    from ..model.kvm.scenarios import SCENARIOS

    scenarios = [] if args.no_kvm else args.scenarios
    for name in scenarios:
        if name not in SCENARIOS:
            raise CLIError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
    for p in args.profiles:
        if p not in ("kvm", "spec"):
            raise CLIError(f"unknown profile {p!r} (kvm, spec)")
    if args.loop_iterations < 3400 and "overflow" in scenarios:
        raise CLIError("the overflow scenario needs --loop-iterations of at least 3400")
    out = output_dir(args.output)
    t0 = time.monotonic()
    print(f"rvpmu board check on {args.port}: {args.random} random check(s) of {args.steps} "
          f"steps from seed {args.seed}; KVM scenarios: {', '.join(scenarios) or 'none'}")
    progress, total, done = Progress(), args.random + len(scenarios) * len(args.profiles), 0

    def log(line: str) -> None:
        """check_board's lines; each check's verdict line moves the progress (with the ETA)."""
        nonlocal done
        print(line, flush=True)
        if VERDICT.match(line):
            done += 1
            progress.update("board checks", done, total, "checks")

    try:
        client = _connect(args)
        progress.update("board checks", 0, total, "checks")
        cfg, results = check_board(
            client, seeds=range(args.seed, args.seed + args.random), steps=args.steps,
            scenarios=scenarios, profiles=args.profiles,
            loop_iterations=args.loop_iterations, outdir=out, log=log)
        status = client.status()
    except BoardError as exc:
        raise CLIError(str(exc)) from None
    failed = [r for r in results if not r.ok]
    s = client.stats
    print(f"link: {s.requests} requests, {s.retries} retries ({s.naks} damaged requests, "
          f"{s.timeouts} timeouts); the board counted {status.crc_errors} CRC, "
          f"{status.length_errors} length, {status.timeouts} timeout, {status.uart_errors} "
          "UART errors")
    report = {"port": args.port, "seed": args.seed, "config": cfg.to_dict(),
              "results": [r.__dict__ for r in results], "link": s.__dict__,
              "board_errors": status.__dict__, "seconds": round(time.monotonic() - t0, 2)}
    (out / "check.json").write_text(json.dumps(report, indent=1, default=str) + "\n")
    traces = [r.trace for r in results if r.trace]
    print(f"report: {out / 'check.json'}" +
          (f"; traces (each passes `rvpmu compare`): {out}/kvm-*-board.jsonl" if traces
           and not failed else ""))
    if failed:
        raise CLIError(f"{len(failed)} of {len(results)} checks failed: "
                       + "; ".join(f"{r.name}: {r.detail}" for r in failed)[:400])
    print(f"PASS: {len(results)} checks match the golden model "
          f"({time.monotonic() - t0:.1f} s)")
    return 0


# -- sim -----------------------------------------------------------------------------------------

def cmd_sim(args: argparse.Namespace) -> int:
    from ..boards.sim import runner
    from ..toolchain import ToolchainError

    cfg = load_config(args.config)
    build_root = output_dir(args.build_dir, "build directory")
    if args.port_file:
        output_file(args.port_file, "port file")
    try:
        b = runner.build(cfg, args.simulator, build_root=build_root)
    except ToolchainError as exc:
        raise CLIError(str(exc)) from None
    except OSError as exc:
        raise CLIError(f"cannot build in {build_root}: {exc.strerror or exc}") from None
    except RuntimeError as exc:
        raise CLIError(f"the {args.simulator} build failed ({exc}); see {args.build_dir}") \
            from None
    port_file = Path(args.port_file or b.directory / f"port-{time.time_ns()}.txt").resolve()
    port_file.unlink(missing_ok=True)
    params = {"host": args.host, "port": args.listen, "port_file": str(port_file),
              "once": args.once, "accept_timeout": args.idle_timeout,
              "parent_pid": os.getpid()}  # the simulator stops when this process is gone
    result: dict = {}

    def serve() -> None:
        try:
            result.update(runner.run(b, "serve", params))
        except Exception as exc:  # reported below as one line
            result["failures"] = [" ".join(str(exc).split()) or type(exc).__name__]

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    def written_port() -> int | None:
        try:
            text = port_file.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    while t.is_alive() and written_port() is None:
        time.sleep(0.1)
    port = written_port()
    if port is not None:
        print(f"simulated board ({args.simulator}) on socket://{args.host}:{port}"
              f"{' for one connection' if args.once else ''}; check it with: rvpmu board "
              f"check --port rvpmu-sim://{args.host}:{port} (its timeouts in simulated time; "
              f"socket:// waits in wall time)", flush=True)
    try:
        t.join()
    except KeyboardInterrupt:
        raise
    if result.get("failures"):
        raise CLIError(f"the simulated board stopped: {result['failures'][0]} "
                       f"(see {result.get('log') or b.directory})")
    return 0


def register(sub) -> None:
    group = add_group(sub, "board", "FPGA boards: build, program, check against the model")

    sp = add_command(group, "build", "build a ULX3S bitstream or the Arty A7 Vivado project "
                     "(README: Boards)", cmd_build, config=True)
    sp.add_argument("board", choices=("ulx3s", "arty"), help="ulx3s or arty")
    sp.add_argument("--device", metavar="85F|45F|25F|12F",
                    help="ULX3S FPGA size (default 85F)")
    sp.add_argument("--variant", choices=("35", "100"), help="Arty A7-35 or A7-100 (default 35)")
    sp.add_argument("--soc", metavar="PROGRAM",
                    help="ULX3S: the picorv32 SoC with PROGRAM (.c, ELF or a bundled program) "
                         "in its block RAM instead of the PMU board design (rvpmu soc build)")
    sp.add_argument("-o", "--output", metavar="DIR",
                    help="output directory (default build/board/BOARD-VARIANT)")
    sp.add_argument("--baud", type=positive_int, default=115200, help="UART baud rate (115200)")
    sp.add_argument("--program", action="store_true",
                    help="load the bitstream with openFPGALoader afterwards")
    sp.add_argument("--flash", action="store_true",
                    help="with --program: write the configuration flash instead of SRAM")
    sp.add_argument("--no-estimate", action="store_true",
                    help="arty: skip the Yosys synth_xilinx resource estimate")

    def port_options(sp):
        sp.add_argument("--port", required=True, metavar="PORT",
                        help="serial port (/dev/ttyUSB0, COM3), pyserial URL, or "
                             "rvpmu-sim://127.0.0.1:PORT for `rvpmu board sim`")
        sp.add_argument("--baud", type=positive_int, default=115200, help="baud rate (115200)")
        sp.add_argument("--latency", type=_seconds, metavar="SECONDS",
                        help="allowance for the link's round trip (default 0.05; 1 for URLs)")

    sp = add_command(group, "check", "run the random checks and the KVM scenarios on a board "
                     "and compare them with the golden model", cmd_check)
    port_options(sp)
    sp.add_argument("--seed", type=natural_int, default=1, help="first random seed (default 1)")
    sp.add_argument("--random", type=natural_int, default=3, metavar="N",
                    help="random checks, one per seed (default 3)")
    sp.add_argument("--steps", type=positive_int, default=300,
                    help="operations per random check (default 300)")
    sp.add_argument("--scenarios", type=_list, default=["basic", "events", "snapshot",
                                                        "overflow"],
                    help="KVM scenarios, comma-separated (default: all four)")
    sp.add_argument("--profiles", type=_list, default=["kvm", "spec"],
                    help="KVM model profiles (default kvm,spec)")
    sp.add_argument("--loop-iterations", type=positive_int, default=10000, metavar="N",
                    help="iterations of the selftest's busy loop (default 10000)")
    sp.add_argument("--no-kvm", action="store_true", help="skip the KVM scenarios")
    sp.add_argument("--faults", type=_rate, default=0.0, metavar="RATE",
                    help="damage this fraction of requests on purpose (recovery test)")
    sp.add_argument("-o", "--output", default="build/board-check", metavar="DIR",
                    help="traces and check.json go here (default build/board-check)")

    sp = add_command(group, "info", "show what a board reports: protocol, clock, "
                     "configuration, link errors", cmd_info)
    port_options(sp)

    sp = add_command(group, "sim", "serve a simulated board on a TCP socket (cocotb)",
                     cmd_sim, config=True)
    sp.add_argument("--simulator", choices=("verilator", "icarus"), default="verilator")
    sp.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    sp.add_argument("--listen", type=natural_int, default=0, metavar="TCP_PORT",
                    help="TCP port (default: any free one, printed)")
    sp.add_argument("--port-file", metavar="FILE", help="also write the TCP port to FILE")
    sp.add_argument("--once", action="store_true", help="stop after one connection")
    sp.add_argument("--idle-timeout", type=positive_int, default=600, metavar="SECONDS",
                    help="stop when nobody connects for this long (default 600)")
    sp.add_argument("--build-dir", default="build/board-sim", metavar="DIR",
                    help="where simulator builds are kept (default build/board-sim)")
