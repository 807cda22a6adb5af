"""Tests of rvpmu.boards: gateware, host driver, simulated board, builds."""
