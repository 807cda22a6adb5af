"""FPGA board tops (issue: boards). Nothing here yet."""
