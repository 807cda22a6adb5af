/* Every Zicsr instruction form through the PCPI adapter, and refused accesses trapping.
 * mhpmcounter4 (no event selected, so it holds its value) is the scratch register.
 * Prints one `name value` line per check; tests/soc compare them with the Zicsr rules. */
#include "soc.h"

#define C4 RVPMU_CSR_MHPMCOUNTER4

static void line(const char *name, uint32_t v) {
    soc_puts(name);
    soc_putc(' ');
    soc_put_hex(v);
    soc_putc('\n');
}

/* Run `insn` (a CSR instruction that must trap) and report whether the illegal-instruction
 * IRQ was taken once, at its address. */
#define EXPECT_TRAP(name, insn, ...) do { \
    uint32_t n0_ = soc_illegal_count, at_; \
    __asm__ volatile ("1: " insn "\n la %0, 1b" : "=&r"(at_) : __VA_ARGS__ : "memory"); \
    line(name, (soc_illegal_count - n0_) | (soc_illegal_pc == at_ ? 0x100 : 0)); \
} while (0)

int main(void) {
    uint32_t old, zero = 0;
    CSR_WRITE(RVPMU_CSR_MHPMEVENT4, RVPMU_EVENT_NONE);
    CSR_WRITE(C4, 0);

    __asm__ volatile ("csrrw %0, %1, %2" : "=r"(old) : "i"(C4), "r"(0x12345678));
    line("csrrw.old", old);
    line("csrrw.new", CSR_READ(C4));
    __asm__ volatile ("csrrs %0, %1, %2" : "=r"(old) : "i"(C4), "r"(0xF));
    line("csrrs.old", old);
    line("csrrs.new", CSR_READ(C4));
    __asm__ volatile ("csrrc %0, %1, %2" : "=r"(old) : "i"(C4), "r"(0x70));
    line("csrrc.old", old);
    line("csrrc.new", CSR_READ(C4));
    __asm__ volatile ("csrrwi %0, %1, 21" : "=r"(old) : "i"(C4));
    line("csrrwi.old", old);
    line("csrrwi.new", CSR_READ(C4));
    __asm__ volatile ("csrrsi %0, %1, 10" : "=r"(old) : "i"(C4));
    line("csrrsi.old", old);
    line("csrrsi.new", CSR_READ(C4));
    __asm__ volatile ("csrrci %0, %1, 3" : "=r"(old) : "i"(C4));
    line("csrrci.old", old);
    line("csrrci.new", CSR_READ(C4));
    /* rd = x0: csrrw still writes */
    __asm__ volatile ("csrrw x0, %0, %1" :: "i"(C4), "r"(0x99));
    line("csrrw.rd0.new", CSR_READ(C4));
    /* rs1 = x0 / uimm = 0: a read, legal on the read-only cycle CSR */
    uint32_t n0 = soc_illegal_count;
    __asm__ volatile ("csrrs %0, %1, x0" : "=r"(old) : "i"(RVPMU_CSR_CYCLE));
    __asm__ volatile ("csrrc %0, %1, x0" : "=r"(old) : "i"(RVPMU_CSR_CYCLE));
    __asm__ volatile ("csrrsi %0, %1, 0" : "=r"(old) : "i"(RVPMU_CSR_CYCLE));
    __asm__ volatile ("csrrci %0, %1, 0" : "=r"(old) : "i"(RVPMU_CSR_CYCLE));
    line("read.rs1_0.traps", soc_illegal_count - n0);
    /* refused: a set with a register holding 0 is a write of a read-only CSR; a write with
     * rd = x0 too; a CSR the PMU does not have (mstatus) is not answered at all */
    EXPECT_TRAP("trap.csrrs_zero_reg", "csrrs x0, %1, %2", "i"(RVPMU_CSR_CYCLE), "r"(zero));
    EXPECT_TRAP("trap.csrrwi_rd0", "csrrwi x0, %1, 1", "i"(RVPMU_CSR_INSTRET));
    EXPECT_TRAP("trap.not_pmu", "csrr x0, mstatus", "i"(0));
    line("total.traps", soc_illegal_count);
    line("final", CSR_READ(C4));
    return 0;
}
