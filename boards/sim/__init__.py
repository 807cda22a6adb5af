"""The board top in cocotb: a UART bus-functional model, a pyserial-like simulated serial link,
the testbench (checks through the real host driver, fault injection, a TCP-served board for
``rvpmu board sim``) and the runner that builds it for Icarus or Verilator."""
