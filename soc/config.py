"""The SoC's fixed parameters: PMU configuration, memory map, firmware flags.

One place for every number both the gateware and the host tools use; the firmware gets the
memory map from the generated ``soc_map.h`` and the PMU from ``rvpmu_pmu.h``.
"""

from __future__ import annotations

from rvpmu.config import EventInput, PMUConfig

# Event inputs wired from the core (soc/events.py); selector 3 + index, named after what they
# count. The SBI names feed the device tree; a taken-branch count has no SBI hardware event.
EVENTS = (
    EventInput("loads", sbi="L1D_READ_ACCESS"),
    EventInput("stores", sbi="L1D_WRITE_ACCESS"),
    EventInput("branches", sbi="BRANCH_INSTRUCTIONS"),
    EventInput("branches_taken"),
    EventInput("jumps"),
    EventInput("muldiv"),
    EventInput("fetch_stall", sbi="STALLED_CYCLES_FRONTEND"),
    EventInput("data_stall", sbi="STALLED_CYCLES_BACKEND"),
)

# picorv32 is an M-mode-only RV32 hart: no S/U/H, so the PMU has only M-mode rules here.
SOC_CONFIG = PMUConfig(xlen=32, num_counters=8, counter_width=32, events=EVENTS,
                       retire_width=1, has_s=False, has_u=False, has_h=False,
                       sscofpmf=True, smcntrpmf=False)

# A reduced SoC for quick bitstream and simulated-board tests: two counters, two events.
SMALL_CONFIG = SOC_CONFIG.with_(num_counters=2, counter_width=16, events=EVENTS[:2])
SMALL_RAM_BYTES = 16 * 1024

RAM_BASE = 0x0000_0000
RAM_BYTES = 64 * 1024  # block RAM on the ULX3S too (LFE5U-85F: 3.7 Mbit)
STACK_TOP = RAM_BASE + RAM_BYTES

# MMIO registers (word writes; soc/top.py decodes them, the firmware gets them via soc_map.h)
MMIO_BASE = 0x1000_0000
MMIO = {
    "UART_TX": MMIO_BASE + 0x0,  # low byte: one character of the console
    "EXIT": MMIO_BASE + 0x4,  # the program's exit code; ends the simulation
    "MARK": MMIO_BASE + 0x8,  # region markers for the RVFI cross-check (soc/check.py)
    "RESULT_KEY": MMIO_BASE + 0xC,  # CSR number of a reported count
    "RESULT_VAL": MMIO_BASE + 0x10,  # the count itself (the value the program prints)
    "SAMPLE": MMIO_BASE + 0x14,  # a profiler sample: the interrupted PC
}
MARK_BEGIN = 0x100  # MARK value: begin region k = MARK_BEGIN + k, end = MARK_END + k
MARK_END = 0x200

# picorv32 IRQ lines (picorv32.v: irq 0 timer, 1 ebreak/illegal instruction, 2 bus error)
IRQ_ILLEGAL = 1
IRQ_LCOFI = 13  # the same number as the interrupt cause mip.LCOFIP has in the privileged spec

PROGADDR_RESET = 0x0
PROGADDR_IRQ = 0x10

MARCH = "rv32im_zicsr"
MABI = "ilp32"
GCC = "riscv64-unknown-elf-gcc"
