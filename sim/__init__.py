"""cocotb testbenches (issue: cocotb verification). Nothing here yet."""
