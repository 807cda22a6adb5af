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

    .section .text.init, "ax"
    .globl _reset
_reset:
    j _start

    .balign 16              /* SOC_PROGADDR_IRQ (0x10) */
_irq:
    .insn r 0x0B, 2, 1, x2, x1, x0      /* setq q2, x1 */
    .insn r 0x0B, 2, 1, x3, x2, x0      /* setq q3, x2 */
    la x1, soc_irq_regs
    sw x3, 3*4(x1)
    sw x4, 4*4(x1)
    sw x5, 5*4(x1)
    sw x6, 6*4(x1)
    sw x7, 7*4(x1)
    sw x8, 8*4(x1)
    sw x9, 9*4(x1)
    sw x10, 10*4(x1)
    sw x11, 11*4(x1)
    sw x12, 12*4(x1)
    sw x13, 13*4(x1)
    sw x14, 14*4(x1)
    sw x15, 15*4(x1)
    sw x16, 16*4(x1)
    sw x17, 17*4(x1)
    sw x18, 18*4(x1)
    sw x19, 19*4(x1)
    sw x20, 20*4(x1)
    sw x21, 21*4(x1)
    sw x22, 22*4(x1)
    sw x23, 23*4(x1)
    sw x24, 24*4(x1)
    sw x25, 25*4(x1)
    sw x26, 26*4(x1)
    sw x27, 27*4(x1)
    sw x28, 28*4(x1)
    sw x29, 29*4(x1)
    sw x30, 30*4(x1)
    sw x31, 31*4(x1)
    .insn r 0x0B, 4, 0, x2, x2, x0      /* getq x2, q2: the interrupted x1 */
    sw x2, 1*4(x1)
    .insn r 0x0B, 4, 0, x2, x3, x0      /* getq x2, q3: the interrupted x2 */
    sw x2, 2*4(x1)
    la sp, soc_irq_stack_top
    .insn r 0x0B, 4, 0, x10, x0, x0     /* getq a0, q0: return address */
    .insn r 0x0B, 4, 0, x11, x1, x0     /* getq a1, q1: pending IRQs */
    call soc_irq
    la x1, soc_irq_regs
    lw x3, 3*4(x1)
    lw x4, 4*4(x1)
    lw x5, 5*4(x1)
    lw x6, 6*4(x1)
    lw x7, 7*4(x1)
    lw x8, 8*4(x1)
    lw x9, 9*4(x1)
    lw x10, 10*4(x1)
    lw x11, 11*4(x1)
    lw x12, 12*4(x1)
    lw x13, 13*4(x1)
    lw x14, 14*4(x1)
    lw x15, 15*4(x1)
    lw x16, 16*4(x1)
    lw x17, 17*4(x1)
    lw x18, 18*4(x1)
    lw x19, 19*4(x1)
    lw x20, 20*4(x1)
    lw x21, 21*4(x1)
    lw x22, 22*4(x1)
    lw x23, 23*4(x1)
    lw x24, 24*4(x1)
    lw x25, 25*4(x1)
    lw x26, 26*4(x1)
    lw x27, 27*4(x1)
    lw x28, 28*4(x1)
    lw x29, 29*4(x1)
    lw x30, 30*4(x1)
    lw x31, 31*4(x1)
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
