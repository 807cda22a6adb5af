"""PCPI -> PMU CSR port: how picorv32's Zicsr instructions reach the PMU.

picorv32 with ``ENABLE_COUNTERS=0`` decodes no CSR instruction itself: every SYSTEM
instruction with funct3 != 0 goes to the co-processor interface (PCPI), which holds
``pcpi_valid`` until ``pcpi_ready`` or, after 16 cycles without an answer, raises the
illegal-instruction IRQ (``CATCH_ILLINSN``; picorv32.v ``pcpi_timeout``). The adapter presents
the access to the PMU in the first cycle of ``pcpi_valid`` and answers when the response
arrives ``CSR_RESPONSE_LATENCY`` cycles later; a refused access (``exc`` != 0) or an address
the PMU does not decode gets no answer, so it traps instead of returning a value.
"""

from __future__ import annotations

from amaranth.hdl import C, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rvpmu import csr
from rvpmu.hdl.layouts import CSRRequestSignature, CSRResponseSignature

OPCODE_SYSTEM = 0b1110011


class PCPIAdapter(wiring.Component):
    """Decodes csrrw/csrrs/csrrc/csrrwi/csrrsi/csrrci from ``pcpi_insn`` (Zicsr):

    * csrrw/csrrwi are WRITE whatever rd is (rd = x0 only drops the read value);
    * csrrs/csrrc with rs1 = x0, and csrrsi/csrrci with uimm = 0, are READ (legal on
      read-only CSRs); any other source, even one holding 0, is SET/CLEAR;
    * the immediate forms take the zero-extended 5-bit uimm from the rs1 field.

    ``refused`` pulses in the cycle a request is answered with an exception or a miss: the
    core will raise its illegal-instruction IRQ for it (the SoC then does not count the
    instruction as retired, rule 24).
    """

    def __init__(self, xlen: int = 32):
        super().__init__({
            "pcpi_valid": In(1),
            "pcpi_insn": In(32),
            "pcpi_rs1": In(32),
            "pcpi_wr": Out(1),
            "pcpi_rd": Out(32),
            "pcpi_wait": Out(1),
            "pcpi_ready": Out(1),
            "csr_req": Out(CSRRequestSignature(xlen)),
            "csr_rsp": In(CSRResponseSignature(xlen)),
            "refused": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        insn = self.pcpi_insn
        funct3 = insn[12:15]
        rs1_field = insn[15:20]
        is_csr = (insn[0:7] == OPCODE_SYSTEM) & (funct3[0:2] != 0)
        busy = Signal()  # a request is in flight or refused: wait for pcpi_valid to drop
        start = self.pcpi_valid & is_csr & ~busy

        op = Signal(csr.CSR_OP_WIDTH)
        with m.Switch(funct3[0:2]):
            with m.Case(1):
                m.d.comb += op.eq(csr.CSROp.WRITE)
            with m.Case(2):
                m.d.comb += op.eq(Mux(rs1_field == 0, csr.CSROp.READ, csr.CSROp.SET))
            with m.Default():
                m.d.comb += op.eq(Mux(rs1_field == 0, csr.CSROp.READ, csr.CSROp.CLEAR))
        m.d.comb += [
            self.csr_req.valid.eq(start),
            self.csr_req.addr.eq(insn[20:32]),
            self.csr_req.op.eq(op),
            self.csr_req.wdata.eq(Mux(funct3[2], rs1_field, self.pcpi_rs1)),
            self.csr_req.mode.eq(C(csr.Mode.M, csr.MODE_WIDTH)),
        ]
        # Only this adapter's request has a response in flight: the PMU answers nothing else.
        ok = self.csr_rsp.valid & self.csr_rsp.hit & (self.csr_rsp.exc == csr.Exc.NONE)
        m.d.comb += [
            self.pcpi_ready.eq(busy & ok),
            self.pcpi_wr.eq(busy & ok),
            self.pcpi_rd.eq(self.csr_rsp.rdata),
            # pcpi_wait would stop picorv32's 16-cycle timeout: never asserted, so that a
            # refused access (no answer) ends in the illegal-instruction trap.
            self.pcpi_wait.eq(0),
            self.refused.eq(busy & self.csr_rsp.valid & ~ok),
        ]
        with m.If(start):
            m.d.sync += busy.eq(1)
        with m.Elif(~self.pcpi_valid | self.pcpi_ready):
            m.d.sync += busy.eq(0)
        return m
