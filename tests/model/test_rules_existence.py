"""hardware-pmu.md section (b), B1 "Existence, width, WARL": rules 1-10.

Expected values come from the reference text and the arithmetic here, not from the model.

Longer than 400 lines on purpose: one file per group of docs/rules.md, each test one rule (its
number in the name), so a group reads as a whole.
"""

from __future__ import annotations

import itertools

import pytest

from rvpmu.config import EventInput
from rvpmu.model import HartPMU, IllegalInstruction

from .pmu_helpers import (
    ALL_INH, CYCLE, CYCLEH, EV_A, EV_B, EV_C, HCOUNTEREN, HPM, INH, INSTRET, INSTRETH, M32, M64,
    MCOUNTEREN, MCOUNTINHIBIT, MCYCLE, MCYCLECFG, MCYCLECFGH, MCYCLEH, MINH, MINSTRET,
    MINSTRETCFG, MINSTRETCFGH, MINSTRETH, MODESET_NAMES, NUMS, OF, SCOUNTEREN, SEL_CYCLES,
    SEL_INSTRET, SEL_MASK, SEL_NONE, SINH, WIDTHS, WPRI_EVENT, XLENS, arm, config,
    get_cfg, get_counter, get_event, hpmcounter, read64, u_counter_addrs, hpmcounterh, make, mhpmcounter, mhpmcounterh,
    mhpmevent, mhpmeventh, modes_of, set_cfg, set_counter, set_event, xmax,
)


def _busy_steps(pmu: HartPMU, n: int = 3) -> None:
    """Cycles in which every event source fires (in M-mode)."""
    for _ in range(n):
        pmu.step(events=[EV_A, EV_B, EV_C], retired=1)


# ------------------------------------------------------------------------------------------------
# Rule 1: mhpmcounter3-31 and mhpmevent3-31 never trap in M-mode; unimplemented ones are RO 0.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sscofpmf", [False, True])
@pytest.mark.parametrize("num", NUMS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_01_hpm_csrs_never_trap_in_m_mode(xlen, num, sscofpmf):
    pmu = make(xlen=xlen, num_counters=num, sscofpmf=sscofpmf)
    for n in HPM:
        addrs = [mhpmcounter(n), mhpmevent(n)]
        if xlen == 32:
            addrs.append(mhpmcounterh(n))
            if sscofpmf:  # mhpmeventNh exists only with Sscofpmf (rule 3)
                addrs.append(mhpmeventh(n))
        for addr in addrs:
            pmu.csr_read(addr, "M")
            for op in ("write", "set", "clear"):
                pmu.csr_write(addr, 0, "M", op)
        pmu.csr_write(mhpmevent(n), SEL_INSTRET, "M")
        pmu.csr_write(mhpmcounter(n), xmax(pmu), "M")


@pytest.mark.parametrize("num", NUMS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_01_unimplemented_counter_and_event_read_only_zero(xlen, num):
    pmu = make(xlen=xlen, num_counters=num)
    for n in range(3 + num, 32):
        set_counter(pmu, n, M64)
        set_event(pmu, n, OF | SEL_INSTRET)
    _busy_steps(pmu)
    for n in range(3 + num, 32):
        assert get_counter(pmu, n) == 0, n
        assert get_event(pmu, n) == 0, n
        assert pmu.csr_read(hpmcounter(n), "M") == 0
        if xlen == 32:
            assert pmu.csr_read(hpmcounterh(n), "M") == 0
    assert pmu.lcofip is False


def test_rule_01_mcountinhibit_accessible_without_programmable_counters():
    """(e) 8, cva6#2464: mcountinhibit must be accessible, reading 0, even without counters."""
    pmu = make(num_counters=0)
    assert pmu.csr_read(MCOUNTINHIBIT) == 0
    pmu.csr_write(MCOUNTINHIBIT, 0)


# ------------------------------------------------------------------------------------------------
# Rule 2: mcycle/minstret are 64-bit; mhpmcounters are WARL up to 64 bits, unimplemented MSBs 0.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("num", NUMS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_02_width_probe_like_opensbi(xlen, num, width):
    pmu = make(xlen=xlen, num_counters=num, counter_width=width)
    # OpenSBI hart_pmu_get_allowed_bits: write ~0 to mhpmcounter3 (and 3h on RV32), fls+1.
    pmu.csr_write(mhpmcounter(3), xmax(pmu))
    if xlen == 32:
        pmu.csr_write(mhpmcounterh(3), M32)
    lo = pmu.csr_read(mhpmcounter(3))
    val = lo | (pmu.csr_read(mhpmcounterh(3)) << 32 if xlen == 32 else 0)
    expected_width = width if num >= 1 else 0
    assert val == (1 << expected_width) - 1
    assert val.bit_length() == expected_width


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_02_all_hpm_counters_share_one_width(xlen, width):
    pmu = make(xlen=xlen, num_counters=29, counter_width=width)
    for n in HPM:
        set_counter(pmu, n, M64)
    for n in HPM:
        assert get_counter(pmu, n) == (1 << width) - 1, n
        # the user-level shadow (read in M-mode) shows the same bits
        assert read64(pmu, *u_counter_addrs(n)) == (1 << width) - 1


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_02_mcycle_minstret_always_64_bits(xlen, width):
    pmu = make(xlen=xlen, counter_width=width)
    set_counter(pmu, 0, M64)
    set_counter(pmu, 2, M64)
    assert get_counter(pmu, 0) == M64
    assert get_counter(pmu, 2) == M64
    # 64-bit precision in the count itself: 2^40 + 5 survives on a 40-bit-HPM configuration
    value = (1 << 40) + 5
    set_counter(pmu, 0, value)
    set_counter(pmu, 2, value)
    pmu.step()
    assert get_counter(pmu, 0) == value
    assert get_counter(pmu, 2) == value
    pmu.step(retired=1)
    assert get_counter(pmu, 0) == value + 1
    assert get_counter(pmu, 2) == value + 1


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_02_values_truncated_to_implemented_width(xlen, width):
    pmu = make(xlen=xlen, counter_width=width)
    value = 0xA5A5_5A5A_F0F0_0F0F
    set_counter(pmu, 3, value)
    assert get_counter(pmu, 3) == value & ((1 << width) - 1)


# ------------------------------------------------------------------------------------------------
# Rule 3: RV32 halves; a half write changes only that half; mhpmeventNh only with Sscofpmf.
# ------------------------------------------------------------------------------------------------

_RV32_COUNTER_PAIRS = [
    ("mcycle", MCYCLE, MCYCLEH, CYCLE, CYCLEH),
    ("minstret", MINSTRET, MINSTRETH, INSTRET, INSTRETH),
    ("mhpmcounter3", mhpmcounter(3), mhpmcounterh(3), hpmcounter(3), hpmcounterh(3)),
    ("mhpmcounter31", mhpmcounter(31), mhpmcounterh(31), hpmcounter(31), hpmcounterh(31)),
]


@pytest.mark.parametrize("name,lo,hi,ulo,uhi", _RV32_COUNTER_PAIRS, ids=lambda x: str(x))
def test_rule_03_rv32_counter_halves(name, lo, hi, ulo, uhi):
    pmu = make(xlen=32)
    pmu.csr_write(lo, 0x9ABC_DEF0)
    pmu.csr_write(hi, 0x1234_5678)
    assert pmu.csr_read(lo) == 0x9ABC_DEF0
    assert pmu.csr_read(hi) == 0x1234_5678
    assert pmu.csr_read(ulo) == 0x9ABC_DEF0  # read-only shadow, bits 31:0
    assert pmu.csr_read(uhi) == 0x1234_5678  # bits 63:32
    # a write to one half leaves the other half unchanged
    pmu.csr_write(lo, 0x1111_1111)
    assert pmu.csr_read(hi) == 0x1234_5678
    assert pmu.csr_read(lo) == 0x1111_1111
    pmu.csr_write(hi, 0x2222_2222)
    assert pmu.csr_read(lo) == 0x1111_1111
    assert pmu.csr_read(hi) == 0x2222_2222
    # SET/CLEAR also act on one half only
    pmu.csr_write(hi, 0x0000_0001, op="clear")
    pmu.csr_write(lo, 0x8000_0000, op="set")
    assert pmu.csr_read(hi) == 0x2222_2222
    assert pmu.csr_read(lo) == 0x9111_1111


def test_rule_03_rv32_counter_high_half_carries_from_low_half():
    """The 64-bit counter increments across the half boundary (bits 63:32 visible in ...h)."""
    pmu = make(xlen=32)
    pmu.csr_write(MINSTRET, M32)
    pmu.csr_write(MINSTRETH, 7)
    arm(pmu, 3, SEL_INSTRET, start=M32)
    pmu.step(retired=1)
    assert pmu.csr_read(MINSTRET) == 0
    assert pmu.csr_read(MINSTRETH) == 8
    assert pmu.csr_read(INSTRETH) == 8
    assert pmu.csr_read(mhpmcounter(3)) == 0
    assert pmu.csr_read(mhpmcounterh(3)) == 1


def test_rule_03_rv32_high_half_of_narrow_counter():
    """A 40-bit counter: mhpmcounterNh holds bits 39:32, the rest of the half reads 0 (rule 2)."""
    pmu = make(xlen=32, counter_width=40)
    pmu.csr_write(mhpmcounterh(4), M32)
    assert pmu.csr_read(mhpmcounterh(4)) == 0xFF
    assert pmu.csr_read(mhpmcounter(4)) == 0
    pmu.csr_write(mhpmcounter(4), 0x1234_5678)
    assert pmu.csr_read(mhpmcounterh(4)) == 0xFF


def test_rule_03_rv32_mhpmevent_halves_and_of_at_bit_31():
    pmu = make(xlen=32, sscofpmf=True)
    pmu.csr_write(mhpmevent(5), SEL_INSTRET)
    pmu.csr_write(mhpmeventh(5), 1 << 31)  # OF is bit 31 of mhpmeventNh (bit 63 overall)
    assert pmu.csr_read(mhpmevent(5)) == SEL_INSTRET  # low half unchanged by the h write
    assert pmu.csr_read(mhpmeventh(5)) == 1 << 31
    assert pmu.csr_read(0xDA0) == 1 << 5  # scountovf shows OF of counter 5
    pmu.csr_write(mhpmevent(5), EV_A)  # low-half write leaves OF alone
    assert pmu.csr_read(mhpmeventh(5)) == 1 << 31
    # MINH is bit 30 of the high half: it filters M-mode counting (Sscofpmf)
    pmu.csr_write(mhpmeventh(6), 1 << 30)
    pmu.csr_write(mhpmevent(6), SEL_CYCLES)
    assert pmu.csr_read(mhpmeventh(6)) == 1 << 30
    pmu.step()
    pmu.step(mode="M")
    pmu.step(mode="U")
    assert pmu.csr_read(mhpmcounter(6)) == 1  # only the U-mode cycle


def test_rule_03_rv32_overflow_sets_bit_31_of_mhpmeventh():
    pmu = make(xlen=32, counter_width=64)
    arm(pmu, 3, SEL_CYCLES, start=M64)
    pmu.step()
    assert pmu.csr_read(mhpmeventh(3)) == 1 << 31
    assert pmu.csr_read(mhpmevent(3)) == SEL_CYCLES


@pytest.mark.parametrize("sscofpmf", [False, True])
def test_rule_03_mhpmeventh_exists_only_with_sscofpmf(sscofpmf):
    pmu = make(xlen=32, sscofpmf=sscofpmf)
    for n in HPM:
        if sscofpmf:
            pmu.csr_read(mhpmeventh(n), "M")
            pmu.csr_write(mhpmeventh(n), 0, "M")
        else:
            with pytest.raises(IllegalInstruction):
                pmu.csr_read(mhpmeventh(n), "M")
            with pytest.raises(IllegalInstruction):
                pmu.csr_write(mhpmeventh(n), 0, "M")


@pytest.mark.parametrize("smcntrpmf", [False, True])
def test_rule_03_rv32_cfgh_halves(smcntrpmf):
    """mcyclecfgh/minstretcfgh exist on RV32 with Smcntrpmf; MINH at bit 30 of the h half."""
    pmu = make(xlen=32, smcntrpmf=smcntrpmf)
    for addr in (MCYCLECFGH, MINSTRETCFGH):
        if smcntrpmf:
            pmu.csr_write(addr, 1 << 30)
            assert pmu.csr_read(addr) == 1 << 30
        else:
            with pytest.raises(IllegalInstruction):
                pmu.csr_read(addr)
            with pytest.raises(IllegalInstruction):
                pmu.csr_write(addr, 1 << 30)


# ------------------------------------------------------------------------------------------------
# Rule 4: on RV64 every ...h address is non-existent: IIE in every mode, V=1 included.
# ------------------------------------------------------------------------------------------------

_HIGH_HALVES = sorted({*(0xB80 + i for i in (0, 2, *HPM)), *(0xC80 + i for i in (0, 2, *HPM)),
                       *range(0x721, 0x740)})


@pytest.mark.parametrize("sscofpmf,smcntrpmf", [(False, False), (True, True)])
@pytest.mark.parametrize("modeset", MODESET_NAMES)
def test_rule_04_rv64_high_halves_illegal_in_every_mode(modeset, sscofpmf, smcntrpmf):
    pmu = make(xlen=64, modeset=modeset, sscofpmf=sscofpmf, smcntrpmf=smcntrpmf)
    cfg = pmu.config
    for addr, exists in ((MCOUNTEREN, cfg.has_u), (SCOUNTEREN, cfg.has_s),
                         (HCOUNTEREN, cfg.has_h)):
        if exists:
            pmu.csr_write(addr, M32)  # access would otherwise be allowed
    for mode in modes_of(cfg):
        for addr in _HIGH_HALVES:
            with pytest.raises(IllegalInstruction):  # IIE, never VIE
                pmu.csr_read(addr, mode)
            for op in ("write", "set", "clear"):
                with pytest.raises(IllegalInstruction):
                    pmu.csr_write(addr, 1, mode, op)
    assert len(_HIGH_HALVES) == 31 + 31 + 31  # {0, 2, 3..31} twice, 0x721..0x73F


def test_rule_04_time_halves_are_the_platforms():
    """timeh (0xC81) is not a PMU CSR (docs/decisions.md 8): the PMU reports a miss (NotPMUCSR)
    and the core, which owns time, raises the IIE of rule 4 itself."""
    from rvpmu.model import NotPMUCSR

    pmu = make(xlen=64)
    for addr in (0xC01, 0xC81, 0xB01, 0xB81):
        with pytest.raises(NotPMUCSR):
            pmu.csr_read(addr)


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_04_rv32_high_halves_exist(xlen):
    """The converse: on RV32 the same addresses are PMU CSRs readable in M-mode."""
    pmu = make(xlen=xlen, sscofpmf=True, smcntrpmf=True)
    for addr in _HIGH_HALVES:
        if xlen == 32:
            assert pmu.csr_read(addr) == 0
        else:
            with pytest.raises(IllegalInstruction):
                pmu.csr_read(addr)


# ------------------------------------------------------------------------------------------------
# Rule 5: mcountinhibit is a 32-bit WARL register; bit 1 (TM) read-only 0.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("num", NUMS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_05_mcountinhibit_warl(xlen, num):
    pmu = make(xlen=xlen, num_counters=num)
    pmu.csr_write(MCOUNTINHIBIT, xmax(pmu))
    v = pmu.csr_read(MCOUNTINHIBIT)
    implemented = (1 << 0) | (1 << 2) | sum(1 << n for n in range(3, 3 + num))
    assert v >> 1 & 1 == 0  # TM read-only 0
    assert v >> 32 == 0  # a 32-bit register
    assert v & implemented == implemented  # every implemented counter can be inhibited
    # unimplemented counters' bits "may be read-only 0" (QEMU/Ibex): if they are writable they
    # must still not be bit 1; either way nothing outside bits 31:0 except TM is allowed
    assert v & ~implemented & ~(M32 & ~0b10) == 0
    pmu.csr_write(MCOUNTINHIBIT, 0b10)
    assert pmu.csr_read(MCOUNTINHIBIT) == 0


# ------------------------------------------------------------------------------------------------
# Rule 6: m/s/hcounteren: 32-bit, WARL fields; Sscounterenw/Shcounterenw: implemented bits writable.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("num", NUMS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_06_counteren_registers(xlen, num, modeset):
    pmu = make(xlen=xlen, num_counters=num, modeset=modeset)
    cfg = pmu.config
    implemented = (1 << 0) | (1 << 2) | sum(1 << n for n in range(3, 3 + num))
    for addr, exists in ((MCOUNTEREN, cfg.has_u), (SCOUNTEREN, cfg.has_s),
                         (HCOUNTEREN, cfg.has_h)):
        if not exists:
            # not present without the mode (norm:mcounteren_presence; docs/decisions.md 10)
            for mode in modes_of(cfg):
                with pytest.raises(IllegalInstruction):
                    pmu.csr_read(addr, mode)
                with pytest.raises(IllegalInstruction):
                    pmu.csr_write(addr, 1, mode)
            continue
        assert pmu.csr_read(addr) == 0  # reset value (recommended 0)
        pmu.csr_write(addr, xmax(pmu))
        v = pmu.csr_read(addr)
        assert v >> 32 == 0
        assert v & implemented == implemented  # every bit of an implemented counter writable
        pmu.csr_write(addr, 0)
        assert pmu.csr_read(addr) == 0
        # bits are independent
        pmu.csr_write(addr, 1 << 2)
        assert pmu.csr_read(addr) == 1 << 2


# ------------------------------------------------------------------------------------------------
# Rule 7: Sscofpmf mhpmevent: xINH of absent modes read-only 0; bits 57:56 WPRI read-only 0.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_07_inh_bits_of_absent_modes_read_only_zero(xlen, modeset):
    pmu = make(xlen=xlen, modeset=modeset, sscofpmf=True)
    cfg = pmu.config
    present = sum(INH[m] for m in modes_of(cfg))
    set_event(pmu, 3, OF | ALL_INH | WPRI_EVENT | SEL_INSTRET)
    v = get_event(pmu, 3)
    assert v & ALL_INH == present
    assert v & WPRI_EVENT == 0
    assert v & OF == OF
    assert v & SEL_MASK == SEL_INSTRET
    # M/U-only hart: SINH, VSINH, VUINH read-only 0 (sscofpmf.adoc)
    if modeset == "MU":
        assert v & ALL_INH == MINH | INH["U"]


def test_rule_07_inh_bits_individually_writable():
    pmu = make(modeset="MSU_H", sscofpmf=True)
    for bit in INH.values():
        set_event(pmu, 4, bit | SEL_CYCLES)
        assert get_event(pmu, 4) == bit | SEL_CYCLES


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_07_without_sscofpmf_high_bits_read_zero(xlen):
    """Without Sscofpmf there is no OF/xINH: the model keeps bits 63:56 read-only 0
    (docs/decisions.md 11), so a write of them neither sticks nor filters."""
    pmu = make(xlen=xlen, sscofpmf=False)
    if xlen == 64:
        pmu.csr_write(mhpmevent(3), OF | ALL_INH | SEL_CYCLES)
    else:
        pmu.csr_write(mhpmevent(3), SEL_CYCLES)
    assert get_event(pmu, 3) == SEL_CYCLES
    pmu.step()
    pmu.step(mode="M")
    assert get_counter(pmu, 3) == 1


# ------------------------------------------------------------------------------------------------
# Rule 8: mcyclecfg/minstretcfg: bit 63 RO 0, absent modes' bits RO 0, 57:0 WPRI.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_08_cfg_register_fields(xlen, modeset):
    pmu = make(xlen=xlen, modeset=modeset, smcntrpmf=True)
    present = sum(INH[m] for m in modes_of(pmu.config))
    for which in (0, 2):
        set_cfg(pmu, which, M64)
        v = get_cfg(pmu, which)
        assert v >> 63 == 0  # no overflow for mcycle/minstret
        assert v & ((1 << 58) - 1) == 0  # WPRI
        assert v == present
        if xlen == 32:
            lo, hi = (MCYCLECFG, MCYCLECFGH) if which == 0 else (MINSTRETCFG, MINSTRETCFGH)
            assert pmu.csr_read(lo) == 0
            assert pmu.csr_read(hi) == present >> 32
            assert pmu.csr_read(hi) >> 31 == 0


@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_08_cfg_absent_without_smcntrpmf(xlen, modeset):
    pmu = make(xlen=xlen, modeset=modeset, smcntrpmf=False)
    addrs = [MCYCLECFG, MINSTRETCFG] + ([MCYCLECFGH, MINSTRETCFGH] if xlen == 32 else [])
    for mode in modes_of(pmu.config):
        for addr in addrs:
            with pytest.raises(IllegalInstruction):
                pmu.csr_read(addr, mode)
            with pytest.raises(IllegalInstruction):
                pmu.csr_write(addr, 0, mode)


# ------------------------------------------------------------------------------------------------
# Rule 9: mhpmevent is WARL; unsupported event codes read back as a legal value (here 0).
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_events", [0, 1, 3, 8])
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_09_unsupported_selector_reads_zero(xlen, n_events):
    events = tuple(EventInput(f"e{i}") for i in range(n_events))
    pmu = HartPMU(config(xlen=xlen, events=events))
    first_bad = 3 + n_events
    for good in range(0, first_bad):
        pmu.csr_write(mhpmevent(3), good)
        assert pmu.csr_read(mhpmevent(3)) == good
    for bad in (first_bad, first_bad + 1, 255, 256, 0x1_0003, M32):
        pmu.csr_write(mhpmevent(3), SEL_INSTRET)
        pmu.csr_write(mhpmevent(3), bad)
        assert pmu.csr_read(mhpmevent(3)) == 0, bad
    if xlen == 64:
        pmu.csr_write(mhpmevent(3), SEL_MASK)
        assert pmu.csr_read(mhpmevent(3)) == 0
        # the other fields of the write still apply
        pmu.csr_write(mhpmevent(3), OF | MINH | first_bad)
        assert pmu.csr_read(mhpmevent(3)) == OF | MINH


def test_rule_09_rv32_selector_bits_above_31_make_it_unsupported():
    """On RV32 the selector field spans both halves: bits 55:32 set in mhpmeventNh make the
    whole field unsupported, so it reads 0 (docs/decisions.md 3)."""
    pmu = make(xlen=32)
    pmu.csr_write(mhpmevent(3), SEL_INSTRET)
    pmu.csr_write(mhpmeventh(3), 1 | (1 << 30))  # selector bit 32, MINH
    assert pmu.csr_read(mhpmevent(3)) == 0
    assert pmu.csr_read(mhpmeventh(3)) == 1 << 30


def test_rule_09_misconfigured_counter_returns_constant():
    pmu = make()
    arm(pmu, 3, 200, start=17)  # 200 is not a selector of TEST_EVENTS
    for _ in range(5):
        pmu.step(events=[EV_A, EV_B, EV_C], retired=1)
    assert get_counter(pmu, 3) == 17


# ------------------------------------------------------------------------------------------------
# Rule 10: event 0 means "no event"; OF/xINH with selector 0 must not start counting.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_10_selector_zero_never_counts(xlen, width):
    pmu = make(xlen=xlen, counter_width=width)
    top = (1 << width) - 1  # would overflow on the first increment
    for n, flags in zip(range(3, 8), (0, MINH, SINH, MINH | SINH | INH["U"], ALL_INH)):
        arm(pmu, n, flags | SEL_NONE, start=top)
    for mode, ev in itertools.product(("M", "S", "U", "VS", "VU"),
                                      ([], [EV_A], [EV_A, EV_B, EV_B, EV_C])):
        pmu.step(events=ev, retired=1, mode=mode)
    for n in range(3, 8):
        assert get_counter(pmu, n) == top
        assert get_event(pmu, n) & OF == 0
    assert pmu.lcofip is False


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_10_writing_of_with_selector_zero_does_not_count(xlen):
    pmu = make(xlen=xlen)
    arm(pmu, 3, OF, start=5)
    for _ in range(4):
        pmu.step(events=[EV_A], retired=1)
    assert get_counter(pmu, 3) == 5
    assert get_event(pmu, 3) == OF
