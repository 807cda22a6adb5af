"""hardware-pmu.md section (b), B2 "Access control": rules 11-19, every mode (M, S, U, VS, VU).

The oracle ``expected_counter_read`` below is written from rules 12-15 (and QEMU's ``ctr()``
order quoted in rule 15): mcounteren -> IIE first, then V=1 checks -> VIE, then U-mode's
scounteren -> IIE. The exact exception class is checked (IllegalInstruction vs
VirtualInstruction; neither is a subclass of the other).

Longer than 400 lines on purpose: one file per group of docs/rules.md, each test one rule (its
number in the name), so a group reads as a whole.
"""

from __future__ import annotations

import itertools

import pytest

from rvpmu.model import IllegalInstruction, VirtualInstruction

from .pmu_helpers import (
    HCOUNTEREN, HPM, M32, MCOUNTEREN, MCOUNTINHIBIT, MCYCLECFG, MINSTRETCFG, MIP,
    MODESET_NAMES, NUMS, OF, SCOUNTEREN, SCOUNTOVF, SEL_CYCLES, SEL_INSTRET, XLENS, arm,
    enable_all_counteren, get_counter, m_counter_addrs, make, mhpmcounter, mhpmevent, mhpmeventh,
    modes_of, set_counter, set_counteren, set_event, u_counter_addrs, xmax,
)

IIE, VIE, OK = "IIE", "VIE", "ok"


def outcome(fn, *args, **kw) -> str:
    try:
        fn(*args, **kw)
    except IllegalInstruction as e:
        assert type(e) is IllegalInstruction and e.cause == 2
        return IIE
    except VirtualInstruction as e:
        assert type(e) is VirtualInstruction and e.cause == 22
        return VIE
    return OK


def expected_counter_read(mode: str, has_s: bool, m: int, s: int, h: int) -> str:
    """Rules 12-15 for a read of cycle/instret/hpmcounterN (or its RV32 h half)."""
    if mode == "M":
        return OK
    if not m:  # rules 12, 13, 14, 15: mcounteren[i] = 0 -> IIE in every lower mode
        return IIE
    if mode == "S":
        return OK  # rule 12
    if mode == "U":
        return IIE if (has_s and not s) else OK  # rule 13 (OR of the revocations); rule 12
    if mode == "VS":
        return VIE if not h else OK  # rule 14
    if mode == "VU":
        return VIE if (not h or not s) else OK  # rule 15
    raise AssertionError(mode)


def _shadow_addrs(xlen: int, idx=(0, 2, *HPM)) -> list[tuple[int, int]]:
    out = []
    for i in idx:
        lo, hi = u_counter_addrs(i)
        out.append((i, lo))
        if xlen == 32:
            out.append((i, hi))
    return out


# ------------------------------------------------------------------------------------------------
# Rule 11: writes to 0xC00-0xC9F raise IIE in every mode; READ is legal.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_11_writes_to_read_only_counters_illegal_in_every_mode(xlen, modeset):
    pmu = make(xlen=xlen, modeset=modeset)
    enable_all_counteren(pmu)  # so only the write itself is at fault
    for i in (0, 2, *HPM):
        set_counter(pmu, i, 0x1234_5678)
    for mode in modes_of(pmu.config):
        for i, addr in _shadow_addrs(xlen):
            for op, value in itertools.product(("write", "set", "clear"), (0, 1, xmax(pmu))):
                # CSRRW with any value (even 0, rd=x0) is a write; CSRRS/CSRRC with a non-zero
                # source are writes. (CSRRS/C with rs1=x0 is mapped to csr_read by the core.)
                assert outcome(pmu.csr_write, addr, value, mode, op) == IIE, (mode, hex(addr), op)
    for i in (0, 2, *HPM):  # nothing was changed by the faulting writes
        assert get_counter(pmu, i) == 0x1234_5678


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_11_reads_of_read_only_counters_are_legal(xlen):
    pmu = make(xlen=xlen)
    set_counter(pmu, 0, 0x0000_0007_0000_0009)
    enable_all_counteren(pmu)
    for mode in ("M", "S", "U", "VS", "VU"):
        assert pmu.csr_read(0xC00, mode) == (9 if xlen == 32 else 0x0000_0007_0000_0009)
        if xlen == 32:
            assert pmu.csr_read(0xC80, mode) == 7


# ------------------------------------------------------------------------------------------------
# Rules 12-15: the counter-enable truth table for every mode.
# ------------------------------------------------------------------------------------------------


def _truth_table(pmu, modes, idx=(0, 2, 3, 17, 31)):
    cfg = pmu.config
    combos = itertools.product((0, 1), (0, 1) if cfg.has_s else (0,), (0, 1) if cfg.has_h else (0,))
    for m, s, h in combos:
        for i in idx:
            set_counteren(pmu, m=m << i, s=s << i, h=h << i)
            for mode in modes:
                want = expected_counter_read(mode, cfg.has_s, m, s, h)
                for _, addr in _shadow_addrs(cfg.xlen, (i,)):
                    got = outcome(pmu.csr_read, addr, mode)
                    assert got == want, (mode, hex(addr), dict(m=m, s=s, h=h))


@pytest.mark.parametrize("mode", ["S", "U"], ids=[
    "rule_12_s_mode_gated_by_mcounteren_only", "rule_13_u_mode_needs_mcounteren_and_scounteren"])
@pytest.mark.parametrize("modeset", ["MSU_H", "MSU"])
@pytest.mark.parametrize("xlen", XLENS)
def test_rules_12_13_reads_follow_the_enables(xlen, modeset, mode):
    _truth_table(make(xlen=xlen, modeset=modeset), [mode])


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_12_u_mode_without_s_gated_by_mcounteren(xlen):
    pmu = make(xlen=xlen, modeset="MU")
    _truth_table(pmu, ["U"])
    # explicitly: with mcounteren set, U-mode reads the counter value
    set_counter(pmu, 2, 41)
    pmu.csr_write(MCOUNTEREN, 1 << 2)
    assert pmu.csr_read(0xC02, "U") == 41


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_12_s_mode_read_returns_counter_value(xlen):
    pmu = make(xlen=xlen)
    set_counter(pmu, 5, 0x0000_0003_0000_0004)
    pmu.csr_write(MCOUNTEREN, 1 << 5)
    pmu.csr_write(SCOUNTEREN, 0)  # scounteren does not gate S-mode
    pmu.csr_write(HCOUNTEREN, 0)  # nor does hcounteren gate HS-mode
    assert get_counter(pmu, 5, "S") == 0x0000_0003_0000_0004


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_13_or_not_and(xlen):
    """sargantana#63: with mcounteren[i]=1, scounteren[i]=0 alone must revoke U-mode access;
    and mcounteren[i]=0 alone must revoke it with scounteren[i]=1."""
    pmu = make(xlen=xlen, modeset="MSU")
    for i in (0, 2, 3, 31):
        pmu.csr_write(MCOUNTEREN, M32)
        pmu.csr_write(SCOUNTEREN, M32 & ~(1 << i))
        for j in (0, 2, 3, 31):
            lo, hi = u_counter_addrs(j)
            want = IIE if j == i else OK
            assert outcome(pmu.csr_read, lo, "U") == want
            if xlen == 32:
                assert outcome(pmu.csr_read, hi, "U") == want
        pmu.csr_write(MCOUNTEREN, M32 & ~(1 << i))
        pmu.csr_write(SCOUNTEREN, M32)
        assert outcome(pmu.csr_read, u_counter_addrs(i)[0], "U") == IIE


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_14_vs_mode(xlen):
    pmu = make(xlen=xlen, modeset="MSU_H")
    _truth_table(pmu, ["VS"])
    # explicit cases
    set_counteren(pmu, m=0, s=M32, h=M32)
    assert outcome(pmu.csr_read, 0xC00, "VS") == IIE
    set_counteren(pmu, m=M32, s=M32, h=0)
    assert outcome(pmu.csr_read, 0xC00, "VS") == VIE
    set_counteren(pmu, m=M32, s=0, h=M32)
    assert outcome(pmu.csr_read, 0xC00, "VS") == OK  # scounteren does not gate VS


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_15_vu_mode(xlen):
    pmu = make(xlen=xlen, modeset="MSU_H")
    _truth_table(pmu, ["VU"])
    set_counteren(pmu, m=0, s=0, h=0)
    assert outcome(pmu.csr_read, 0xC02, "VU") == IIE  # mcounteren first
    set_counteren(pmu, m=M32, s=0, h=M32)
    assert outcome(pmu.csr_read, 0xC02, "VU") == VIE
    set_counteren(pmu, m=M32, s=M32, h=0)
    assert outcome(pmu.csr_read, 0xC02, "VU") == VIE
    set_counteren(pmu, m=M32, s=M32, h=M32)
    assert outcome(pmu.csr_read, 0xC02, "VU") == OK


def test_rule_15_rv32_high_halves_follow_the_same_rule():
    pmu = make(xlen=32, modeset="MSU_H")
    set_counter(pmu, 3, 0x0000_00AB_0000_00CD)
    for m, s, h in itertools.product((0, 1), repeat=3):
        set_counteren(pmu, m=m << 3, s=s << 3, h=h << 3)
        want = expected_counter_read("VU", True, m, s, h)
        assert outcome(pmu.csr_read, 0xC83, "VU") == want
        if want == OK:
            assert pmu.csr_read(0xC83, "VU") == 0xAB


@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("xlen", XLENS)
def test_rules_12_to_15_all_modes_full_table(xlen, modeset):
    pmu = make(xlen=xlen, modeset=modeset)
    _truth_table(pmu, modes_of(pmu.config), idx=(0, 2, 3, 4, 30, 31))


# ------------------------------------------------------------------------------------------------
# Privilege level of the PMU's own CSRs (address bits 9:8), every mode.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_12_machine_level_pmu_csrs_illegal_below_m(xlen, modeset):
    pmu = make(xlen=xlen, modeset=modeset)
    enable_all_counteren(pmu)
    maddrs = [MCOUNTINHIBIT, MCYCLECFG, MINSTRETCFG, MIP, mhpmcounter(3), mhpmevent(3),
              m_counter_addrs(0)[0], m_counter_addrs(2)[0]]
    if pmu.config.has_u:
        maddrs.append(MCOUNTEREN)
    if xlen == 32:
        maddrs += [m_counter_addrs(0)[1], m_counter_addrs(3)[1], mhpmeventh(3), 0x721]
    for mode in modes_of(pmu.config):
        for addr in maddrs:
            want = OK if mode == "M" else IIE  # machine-level CSR: IIE even with V=1
            assert outcome(pmu.csr_read, addr, mode) == want, (mode, hex(addr))
            assert outcome(pmu.csr_write, addr, 0, mode) == want, (mode, hex(addr))


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_14_supervisor_and_hypervisor_counteren_per_mode(xlen):
    """scounteren (S-level): HS and VS access it, U gets IIE, VU gets VIE (hypervisor.adoc:
    VU access to a supervisor CSR allowed in HS-mode is a virtual-instruction exception).
    hcounteren (H-level): HS only; U gets IIE; VS and VU get VIE."""
    pmu = make(xlen=xlen, modeset="MSU_H")
    want = {
        SCOUNTEREN: {"M": OK, "S": OK, "U": IIE, "VS": OK, "VU": VIE},
        HCOUNTEREN: {"M": OK, "S": OK, "U": IIE, "VS": VIE, "VU": VIE},
    }
    for addr, per_mode in want.items():
        for mode, w in per_mode.items():
            assert outcome(pmu.csr_read, addr, mode) == w, (hex(addr), mode)
            assert outcome(pmu.csr_write, addr, 1 << 2, mode) == w, (hex(addr), mode)
    # the writes that were allowed took effect
    assert pmu.csr_read(SCOUNTEREN) == 1 << 2
    assert pmu.csr_read(HCOUNTEREN) == 1 << 2


# ------------------------------------------------------------------------------------------------
# Rule 16: counter-enable bits gate access only; counters keep counting while inaccessible.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_16_counteren_does_not_affect_counting(xlen):
    pmu = make(xlen=xlen)
    arm(pmu, 3, SEL_INSTRET, start=0)  # cycle 1 (mcycle -> 1)
    set_counteren(pmu, m=0, s=0, h=0)
    for _ in range(4):
        pmu.step(retired=1, mode="U")
    assert outcome(pmu.csr_read, 0xC00, "U") == IIE
    # writing the counter-enable registers does not touch the counters either
    set_counteren(pmu, m=M32, s=M32, h=M32)
    set_counteren(pmu, m=0, s=0, h=0)
    set_counteren(pmu, m=M32, s=M32, h=M32)
    assert get_counter(pmu, 0, "U") == 5
    assert get_counter(pmu, 2, "U") == 4
    assert get_counter(pmu, 3, "U") == 4
    pmu.step(retired=1, mode="U")
    assert get_counter(pmu, 3, "VU") == 5


# ------------------------------------------------------------------------------------------------
# Rule 17: mcountinhibit gates increment only, never accessibility.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_17_inhibited_counter_stays_readable_and_writable(xlen):
    pmu = make(xlen=xlen)
    set_event(pmu, 3, SEL_CYCLES)
    set_event(pmu, 31, SEL_INSTRET)
    pmu.csr_write(MCOUNTINHIBIT, M32)
    enable_all_counteren(pmu)
    pmu.step()
    for i in (0, 2, 3, 31):
        set_counter(pmu, i, 1000 + i)
    for _ in range(3):
        pmu.step(retired=1)
    for i in (0, 2, 3, 31):
        assert get_counter(pmu, i) == 1000 + i
        for mode in ("S", "U", "VS", "VU"):
            assert get_counter(pmu, i, mode) == 1000 + i


# ------------------------------------------------------------------------------------------------
# Rule 18: unimplemented user-level hpmcounterN: IIE or a constant, consistent with mcounteren.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("num", NUMS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_18_unimplemented_hpmcounter_consistent(xlen, num, modeset):
    pmu = make(xlen=xlen, num_counters=num, modeset=modeset)
    enable_all_counteren(pmu)
    men = pmu.csr_read(MCOUNTEREN) if pmu.config.has_u else 0
    for n in range(3 + num, 32):
        # M-mode: a constant (rule 1 makes the counter read-only 0)
        assert pmu.csr_read(0xC00 + n, "M") == 0
        for mode in modes_of(pmu.config)[1:]:
            got = outcome(pmu.csr_read, 0xC00 + n, mode)
            if men >> n & 1:
                # mcounteren[n] writable: then the read must return a constant
                assert got in (OK, VIE)
            else:
                assert got == IIE, (n, mode)  # consistent with mcounteren[n] reading 0
    pmu.step(retired=1)
    for n in range(3 + num, 32):
        assert pmu.csr_read(0xC00 + n, "M") == 0


# ------------------------------------------------------------------------------------------------
# Rule 19: scountovf.
# ------------------------------------------------------------------------------------------------


def _set_of_bits(pmu, counters):
    for n in counters:
        set_event(pmu, n, OF | SEL_CYCLES)


@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("sscofpmf", [False, True])
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_19_scountovf_existence(xlen, sscofpmf, modeset):
    pmu = make(xlen=xlen, sscofpmf=sscofpmf, modeset=modeset)
    exists = sscofpmf and pmu.config.has_s
    for mode in modes_of(pmu.config):
        got = outcome(pmu.csr_read, SCOUNTOVF, mode)
        if not exists:
            assert got == IIE, mode
        else:
            assert got == {"M": OK, "S": OK, "VS": OK, "U": IIE, "VU": VIE}[mode], mode


@pytest.mark.parametrize("modeset", ["MSU_H", "MSU"])
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_19_scountovf_writes_illegal_in_every_mode(xlen, modeset):
    pmu = make(xlen=xlen, modeset=modeset)
    enable_all_counteren(pmu)
    for mode in modes_of(pmu.config):
        for op, value in itertools.product(("write", "set", "clear"), (0, 8, xmax(pmu))):
            assert outcome(pmu.csr_write, SCOUNTOVF, value, mode, op) == IIE, (mode, op, value)


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_19_scountovf_m_mode_unmasked(xlen):
    pmu = make(xlen=xlen)
    ofs = (3, 4, 17, 31)
    _set_of_bits(pmu, ofs)
    expected = sum(1 << n for n in ofs)
    for men in (0, M32, 1 << 4):
        set_counteren(pmu, m=men, s=0, h=0)
        assert pmu.csr_read(SCOUNTOVF, "M") == expected  # riscv-isa-sim#2241


@pytest.mark.parametrize("modeset", ["MSU_H", "MSU"])
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_19_scountovf_s_mode_masked_by_mcounteren(xlen, modeset):
    pmu = make(xlen=xlen, modeset=modeset)
    ofs = (3, 4, 17, 31)
    _set_of_bits(pmu, ofs)
    of_mask = sum(1 << n for n in ofs)
    for men in (0, M32, 1 << 4, (1 << 3) | (1 << 31) | 0b111, 0xAAAA_AAAA):
        set_counteren(pmu, m=men, s=0, h=0)  # scounteren/hcounteren do not mask HS reads
        assert pmu.csr_read(SCOUNTOVF, "S") == of_mask & men & ~0b111


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_19_scountovf_vs_mode_masked_by_mcounteren_and_hcounteren(xlen):
    pmu = make(xlen=xlen, modeset="MSU_H")
    ofs = (3, 5, 6, 30)
    _set_of_bits(pmu, ofs)
    of_mask = sum(1 << n for n in ofs)
    masks = (0, M32, 1 << 5, (1 << 3) | (1 << 6), 0x5555_5555, 0xF0F0_F0F8)
    for men, hen in itertools.product(masks, repeat=2):
        set_counteren(pmu, m=men, s=0, h=hen)
        assert pmu.csr_read(SCOUNTOVF, "VS") == of_mask & men & hen


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_19_scountovf_bits_2_0_zero(xlen):
    pmu = make(xlen=xlen)
    _set_of_bits(pmu, HPM)
    enable_all_counteren(pmu)
    for mode in ("M", "S", "VS"):
        v = pmu.csr_read(SCOUNTOVF, mode)
        assert v & 0b111 == 0
        assert v == sum(1 << n for n in HPM)


def test_rule_19_scountovf_reads_do_not_change_state():
    pmu = make()
    arm(pmu, 3, SEL_CYCLES, start=(1 << 64) - 1)
    pmu.step()
    before = pmu.csr_read(SCOUNTOVF)
    assert before == 1 << 3
    for mode in ("M", "S", "VS"):
        pmu.csr_read(SCOUNTOVF, mode)
    assert pmu.csr_read(mhpmevent(3)) & OF
    assert pmu.lcofip
