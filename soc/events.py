"""The PMU's event inputs from picorv32: its RVFI retirement port and its memory bus.

Instruction events count in the cycle ``rvfi_valid`` reports the instruction (the same cycle
``retired`` does); stall events count every cycle the core waits for the memory. The host
recomputes all of them from the observed trace with its own decoder (soc/check.py), so a
wiring mistake here shows up as a count the RVFI cross-check rejects.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

# RV32 base opcodes (the unprivileged spec's opcode map, bits 6:0)
OP_LOAD, OP_STORE, OP_BRANCH = 0b0000011, 0b0100011, 0b1100011
OP_JAL, OP_JALR, OP_OP = 0b1101111, 0b1100111, 0b0110011
FUNCT7_MULDIV = 0b0000001


class CoreEvents(wiring.Component):
    """``trapped`` (from the adapter's ``refused``) marks the next reported instruction as
    one that trapped: picorv32 reports an instruction that raised the illegal-instruction IRQ
    through RVFI like any other, but it does not retire (rule 24)."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names
        ports = {
            "rvfi_valid": In(1), "rvfi_insn": In(32), "rvfi_pc_rdata": In(32),
            "rvfi_pc_wdata": In(32),
            "mem_valid": In(1), "mem_instr": In(1), "mem_ready": In(1),
            "refused": In(1),
            "retired": Out(1),
        }
        ports.update({name: Out(1) for name in names})
        super().__init__(ports)

    def elaborate(self, platform):
        m = Module()
        trapped = Signal()
        with m.If(self.refused):
            m.d.sync += trapped.eq(1)
        with m.Elif(self.rvfi_valid):
            m.d.sync += trapped.eq(0)
        ret = Signal()
        insn = self.rvfi_insn
        opcode = insn[0:7]
        m.d.comb += ret.eq(self.rvfi_valid & ~trapped)
        branch = ret & (opcode == OP_BRANCH)
        waiting = self.mem_valid & ~self.mem_ready
        sources = {
            "loads": ret & (opcode == OP_LOAD),
            "stores": ret & (opcode == OP_STORE),
            "branches": branch,
            "branches_taken": branch & (self.rvfi_pc_wdata != self.rvfi_pc_rdata + 4),
            "jumps": ret & ((opcode == OP_JAL) | (opcode == OP_JALR)),
            "muldiv": ret & (opcode == OP_OP) & (insn[25:32] == FUNCT7_MULDIV),
            "fetch_stall": waiting & self.mem_instr,
            "data_stall": waiting & ~self.mem_instr,
        }
        m.d.comb += self.retired.eq(ret)
        for name in self.names:
            m.d.comb += getattr(self, name).eq(sources[name])
        return m
