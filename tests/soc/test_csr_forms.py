"""Every Zicsr form through the PCPI adapter, and refused accesses trapping (Verilator)."""

# The values the Zicsr rules give for soc/firmware/csrforms.c's sequence on mhpmcounter4,
# worked out by hand: csrrw returns the old value and writes; csrrs/csrrc set/clear the
# register's bits given by the source; the immediate forms use the 5-bit uimm.
EXPECTED = {
    "csrrw.old": 0x0, "csrrw.new": 0x12345678,
    "csrrs.old": 0x12345678, "csrrs.new": 0x1234567F,  # | 0xF
    "csrrc.old": 0x1234567F, "csrrc.new": 0x1234560F,  # & ~0x70
    "csrrwi.old": 0x1234560F, "csrrwi.new": 21,
    "csrrsi.old": 21, "csrrsi.new": 21 | 10,
    "csrrci.old": 21 | 10, "csrrci.new": (21 | 10) & ~3,
    "csrrw.rd0.new": 0x99,  # rd = x0: still a write
    "read.rs1_0.traps": 0,  # csrrs/csrrc rs1=x0, csrrsi/csrrci uimm=0 of cycle: reads
    # refused: one illegal-instruction IRQ each, at the instruction's address (0x100 flag)
    "trap.csrrs_zero_reg": 0x101, "trap.csrrwi_rd0": 0x101, "trap.not_pmu": 0x101,
    "total.traps": 3, "final": 0x99,  # a trapping write changes nothing
}


def test_every_form_and_refusal(rvpmu_soc):
    rc, out, err = rvpmu_soc("csrforms")
    got = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith("0x"):
            got[parts[0]] = int(parts[1], 16)
    assert got == EXPECTED
    assert "model check: PASS" in out
    assert "refused CSR accesses (illegal-instruction trap): 3" in out
    assert rc == 0, err
