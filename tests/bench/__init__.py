"""Tests of the FPGA benchmark (bench/fpga.py); bench/ is not installed, so it goes on the path."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
