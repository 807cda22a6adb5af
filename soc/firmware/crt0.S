/* crt0 of the rvpmu SoC: reset vector, picorv32 IRQ entry, C run-time start.
 *
 * picorv32 custom instructions (picorv32 README "Custom Instructions for IRQ Handling"),
 * written with .insn so that any assembler takes them:
 *   getq rd, qs   .insn r 0x0B, 4, 0, rd, qs, x0
 *   setq qd, rs   .insn r 0x0B, 2, 1, qd, rs, x0
 *   retirq        .insn r 0x0B, 0, 2, x0, x0, x0
 *   maskirq rd,rs .insn r 0x0B, 6, 3, rd, rs, x0
 * On IRQ entry q0 holds the return address, q1 the bitmask of the IRQs being handled.
 */
#include "soc_map.h"

/* \op (sw or lw) each of x3..x31 at its own slot of soc_irq_regs (x1 points there). */
    .macro regs_x3_x31 op
    .irp r, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    \op x\r, \r*4(x1)
    .endr
    .endm

    .section .text.init, "ax"
    .globl _reset
_reset:
    j _start

    .balign 16              /* SOC_PROGADDR_IRQ (0x10) */
_irq:
    .insn r 0x0B, 2, 1, x2, x1, x0      /* setq q2, x1 */
    .insn r 0x0B, 2, 1, x3, x2, x0      /* setq q3, x2 */
    la x1, soc_irq_regs
    regs_x3_x31 sw
    .insn r 0x0B, 4, 0, x2, x2, x0      /* getq x2, q2: the interrupted x1 */
    sw x2, 1*4(x1)
    .insn r 0x0B, 4, 0, x2, x3, x0      /* getq x2, q3: the interrupted x2 */
    sw x2, 2*4(x1)
    la sp, soc_irq_stack_top
    .insn r 0x0B, 4, 0, x10, x0, x0     /* getq a0, q0: return address */
    .insn r 0x0B, 4, 0, x11, x1, x0     /* getq a1, q1: pending IRQs */
    call soc_irq
    la x1, soc_irq_regs
    regs_x3_x31 lw
    lw x2, 2*4(x1)
    lw x1, 1*4(x1)
    .insn r 0x0B, 0, 2, x0, x0, x0      /* retirq */

_start:
    la sp, __stack_top
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  li t0, ~((1 << SOC_IRQ_ILLEGAL) | (1 << SOC_IRQ_LCOFI))
    .insn r 0x0B, 6, 3, x0, t0, x0      /* maskirq x0, t0: unmask the two IRQs used */
    call main
    li t0, SOC_EXIT
    sw a0, 0(t0)
3:  j 3b

    .bss
    .balign 4
    .globl soc_irq_regs
soc_irq_regs:
    .space 32*4
    .balign 16
    .space 1024
soc_irq_stack_top:
