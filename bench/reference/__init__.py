"""Reference designs the benchmarks measure the project against (bench/fpga.py)."""
