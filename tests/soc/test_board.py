"""The SoC as built for the ULX3S: the reduced bitstream builds and meets the 25 MHz clock,
and a simulation of the board's SoC (firmware in its block RAM, console on the serial line)
sends csrforms' output over the UART, read back and checked here."""

import re

import pytest

from rvpmu.soc import config as soc
from rvpmu.soc import elf, firmware, runner
from rvpmu.soc.board import image_list
from rvpmu.soc.top import SoC

from .test_csr_forms import EXPECTED


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    e = firmware.build(firmware.FIRMWARE_DIR / "csrforms.c", tmp_path_factory.mktemp("fw"),
                       soc.SMALL_CONFIG, ram_bytes=soc.SMALL_RAM_BYTES)
    return elf.read_elf(e).image(soc.RAM_BASE, soc.SMALL_RAM_BYTES)


def test_simulated_board_uart(image, tmp_path):
    top = SoC(soc.SMALL_CONFIG, image=image_list(image), ram_bytes=soc.SMALL_RAM_BYTES,
              uart_divisor=4)
    b = runner.build("icarus", build_root=tmp_path, top=top, log=lambda *_: None)
    rep = runner.run(b, {}, max_cycles=200_000)  # nothing loaded: the RAM holds the program
    assert rep["stop"] == "exit" and rep["exit_code"] == 0 and rep["mismatch"] is None
    assert rep["uart_errors"] == 0
    assert rep["uart_output"] == rep["output"]  # the serial line carried the console exactly
    got = dict(re.findall(r"^(\S+) 0x([0-9a-f]{8})$", rep["uart_output"], re.M))
    # mhpmcounter4 implements counter_width (16) bits here: the values are truncated to them
    mask = (1 << soc.SMALL_CONFIG.counter_width) - 1
    assert {k: int(v, 16) for k, v in got.items()} == {k: v & mask for k, v in EXPECTED.items()}


def test_reduced_bitstream(tmp_path, capsys):
    from rvpmu.cli import main

    rc = main(["soc", "build", "ulx3s", "csrforms", "--small", "--device", "12F",
               "-o", str(tmp_path / "ulx3s"), "--build-dir", str(tmp_path)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    fmax = float(re.search(r"Fmax ([\d.]+) MHz \(meets the 25 MHz", out.out).group(1))
    assert fmax >= 25
    assert (tmp_path / "ulx3s" / "top.bit").stat().st_size > 10_000
    assert re.search(r"DP16KD\s+\d+ /", out.out)  # the firmware lives in block RAM
