"""hardware-pmu.md section (b), B4 "Overflow and LCOFI (Sscofpmf)": rules 29-39.

Model contract: overflow is the carry out of the implemented counter_width caused by an
increment (never by a write); OF is set only if it was 0 at the start of the cycle (a same-cycle
software write of that mhpmevent wins over the hardware set); LCOFIP (mip bit 13, ``lcofip``)
is set whenever such an overflow happens, OR-ed with a same-cycle software write of mip.

Longer than 400 lines on purpose: one file per group of docs/rules.md, each test one rule (its
number in the name), so a group reads as a whole.
"""

from __future__ import annotations

import pytest

from rvpmu.model import IllegalInstruction

from .pmu_helpers import (
    ALL_INH, EV_A, EV_C, HPM, INH, LCOFIP, M32, M64, MCOUNTINHIBIT, MCYCLECFG, MCYCLECFGH,
    MINSTRETCFG, MINSTRETCFGH, MIP, OF, SCOUNTOVF, SEL_CYCLES, SEL_INSTRET, WIDTHS, XLENS, arm,
    get_cfg, get_counter, get_event, make, mhpmcounter, mhpmevent, mhpmeventh, mip_lcofip, of_bit, set_cfg,
    set_counter, set_event, xmax,
)


def top(width: int) -> int:
    return (1 << width) - 1


# ------------------------------------------------------------------------------------------------
# Rule 29: overflow of the implemented bits; wraparound continues, nothing saturates.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_29_wraps_at_implemented_width(xlen, width):
    pmu = make(xlen=xlen, counter_width=width)
    arm(pmu, 3, SEL_CYCLES, start=top(width))
    assert get_counter(pmu, 3) == top(width)
    pmu.step()
    assert get_counter(pmu, 3) == 0
    assert of_bit(pmu, 3)
    pmu.step()
    assert get_counter(pmu, 3) == 1 % (1 << width)  # continues counting, no saturation
    pmu.step()
    assert get_counter(pmu, 3) == 2 % (1 << width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_29_multi_count_crossing(xlen, width):
    pmu = make(xlen=xlen, counter_width=width)
    start = (1 << width) - 2 if width > 1 else 1
    arm(pmu, 3, EV_C, start=start)
    pmu.step(events=[EV_C] * 5)
    assert get_counter(pmu, 3) == (start + 5) % (1 << width)
    assert of_bit(pmu, 3)
    assert pmu.lcofip


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_29_no_overflow_below_the_top(xlen):
    """A 40-bit counter at 2^40 - 2 + 1 does not overflow; 2^32 - 1 + 1 carries into bit 32 of
    a 40-bit counter without overflowing either."""
    pmu = make(xlen=xlen, counter_width=40)
    set_event(pmu, 4, SEL_CYCLES)
    set_counter(pmu, 4, M32)
    arm(pmu, 3, SEL_CYCLES, start=(1 << 40) - 2)
    pmu.step()
    assert get_counter(pmu, 3) == (1 << 40) - 1
    assert get_counter(pmu, 4) == 1 << 32
    assert not of_bit(pmu, 3) and not of_bit(pmu, 4)
    assert pmu.lcofip is False


# ------------------------------------------------------------------------------------------------
# Rule 30: overflow only through hardware increments, never through writes.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_30_writes_never_overflow(xlen, width):
    pmu = make(xlen=xlen, counter_width=width)
    # an idle counter (selector 0) and a counting one rewritten every cycle never overflow
    set_event(pmu, 6, SEL_CYCLES)
    pmu.step()
    for _ in range(3):
        set_counter(pmu, 5, M64)
        pmu.csr_write(mhpmcounter(6), xmax(pmu))
        pmu.step()
    assert get_counter(pmu, 6) == top(width) & xmax(pmu)
    assert not of_bit(pmu, 5) and not of_bit(pmu, 6)
    assert pmu.lcofip is False
    set_event(pmu, 6, 0)
    set_counter(pmu, 6, 0)  # (its selector still counts in this cycle: rule 23)
    set_event(pmu, 3, SEL_CYCLES)
    pmu.step()
    # writing all-ones (wider than the counter) in a cycle that would also increment it
    set_counter(pmu, 3, M64)
    pmu.step()  # write wins: no increment, so no carry
    assert get_counter(pmu, 3) == top(width)
    assert not of_bit(pmu, 3)
    assert pmu.lcofip is False
    # the next hardware increment of counter 3 does overflow
    pmu.step()
    assert of_bit(pmu, 3)
    assert pmu.lcofip


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_30_of_written_0_to_1_raises_no_interrupt(xlen):
    """riscv-iommu#380: 'It is not a 0->1 edge of the OF that sets the interrupt pending'."""
    pmu = make(xlen=xlen)
    for n in HPM:
        set_event(pmu, n, OF | SEL_CYCLES)
    for _ in range(3):
        pmu.step()
    assert pmu.lcofip is False
    assert mip_lcofip(pmu) is False
    assert pmu.csr_read(SCOUNTOVF) == sum(1 << n for n in HPM)


# ------------------------------------------------------------------------------------------------
# Rule 31: overflow while OF=0: interrupt request and OF set.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sel", [SEL_CYCLES, SEL_INSTRET, EV_A])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_31_overflow_sets_of_and_lcofip(xlen, width, sel):
    pmu = make(xlen=xlen, counter_width=width)
    arm(pmu, 7, sel, start=top(width))
    assert not of_bit(pmu, 7) and pmu.lcofip is False
    pmu.step(events=[EV_A], retired=1)
    assert get_counter(pmu, 7) == 0
    assert get_event(pmu, 7) == OF | sel  # selector untouched, OF set
    assert pmu.lcofip is True
    assert pmu.csr_read(MIP) == LCOFIP
    assert pmu.csr_read(SCOUNTOVF) == 1 << 7


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_31_each_counter_has_its_own_of(xlen):
    pmu = make(xlen=xlen, counter_width=40)
    for n in HPM:
        set_event(pmu, n, SEL_CYCLES)
        set_counter(pmu, n, top(40) - (n - 3))  # counter n overflows after n - 2 cycles
    pmu.step()
    for k in range(1, 30):
        pmu.step()
        assert pmu.csr_read(SCOUNTOVF) == sum(1 << n for n in range(3, 3 + k))


# ------------------------------------------------------------------------------------------------
# Rule 32: an overflow with OF=1 requests nothing; OF is sticky until written by software.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_32_of_already_set_no_request(xlen, width):
    pmu = make(xlen=xlen, counter_width=width)
    arm(pmu, 3, OF | SEL_CYCLES, start=top(width))
    pmu.step()
    assert get_counter(pmu, 3) == 0  # it still wraps
    assert of_bit(pmu, 3)
    assert pmu.lcofip is False


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_32_of_sticky_until_software_clears_it(xlen):
    pmu = make(xlen=xlen, counter_width=1)
    arm(pmu, 3, SEL_CYCLES, start=1)
    pmu.step()  # overflow 1: OF and LCOFIP
    assert of_bit(pmu, 3) and pmu.lcofip
    pmu.csr_write(MIP, 0)  # handler clears LCOFIP, leaves OF
    pmu.step()
    for _ in range(6):  # width 1: overflows every other cycle while OF=1
        pmu.step()
        assert of_bit(pmu, 3)
        assert pmu.lcofip is False
    assert get_counter(pmu, 3) == 1
    # software clears OF in a cycle that overflows again: OF was 1 at the start of that cycle,
    # so no request, and the explicit write (OF=0) wins
    set_event(pmu, 3, SEL_CYCLES)
    pmu.step()
    assert get_counter(pmu, 3) == 0
    assert not of_bit(pmu, 3) and pmu.lcofip is False
    pmu.step()  # 0 -> 1
    assert not of_bit(pmu, 3) and pmu.lcofip is False
    pmu.step()  # 1 -> 0 with OF = 0: requests again
    assert of_bit(pmu, 3)
    assert pmu.lcofip is True


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_32_of_as_of_start_of_cycle_software_sets_of(xlen):
    """Model contract: OF is sampled at the start of the cycle. Software setting OF in the
    overflow cycle (OF was 0) does not stop the request; the written OF stays."""
    pmu = make(xlen=xlen)
    arm(pmu, 3, SEL_CYCLES, start=M64)
    set_event(pmu, 3, OF | SEL_CYCLES)
    pmu.step()
    assert of_bit(pmu, 3)
    assert pmu.lcofip is True


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_32_software_clears_of_in_the_overflow_cycle(xlen):
    """OF was 1 at the start of the cycle: no request; the explicit write (OF=0) wins over the
    hardware OF set (docs/decisions.md 4)."""
    pmu = make(xlen=xlen)
    arm(pmu, 3, OF | SEL_CYCLES, start=M64)
    set_event(pmu, 3, SEL_CYCLES)
    pmu.step()
    assert get_counter(pmu, 3) == 0
    assert not of_bit(pmu, 3)
    assert pmu.lcofip is False


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_32_write_of_event_in_overflow_cycle_wins_but_lcofip_set(xlen):
    """OF was 0 at the start of the cycle and the counter overflows; software rewrites the
    mhpmevent (OF=0) in the same cycle: the write wins (OF reads 0), LCOFIP is still set so
    the request is not lost (docs/decisions.md 4)."""
    pmu = make(xlen=xlen)
    arm(pmu, 3, SEL_CYCLES, start=M64)
    set_event(pmu, 3, SEL_INSTRET)
    pmu.step()
    assert get_event(pmu, 3) == SEL_INSTRET
    assert pmu.lcofip is True


def test_rule_31_rv32_low_half_event_write_keeps_hardware_of():
    """RV32: software writes only mhpmevent3 (bits 31:0, the selector) in the cycle in which
    counter 3 overflows with OF = 0. Rule 3: a half write changes only that half; rule 21: the
    explicit write replaces the side-effect update *of the CSR it writes* (mhpmevent3), and OF
    lives in mhpmevent3h, which was not written; rule 31: an overflow while OF = 0 sets OF.
    So OF must read 1 afterwards (otherwise LCOFIP is raised but scountovf shows no counter,
    and an overflow handler cannot tell which counter overflowed)."""
    pmu = make(xlen=32)
    arm(pmu, 3, SEL_CYCLES, start=M64)
    pmu.csr_write(mhpmevent(3), SEL_INSTRET)  # low half only, in the overflow cycle
    pmu.step()
    assert pmu.lcofip is True
    assert pmu.csr_read(mhpmevent(3)) == SEL_INSTRET
    assert pmu.csr_read(mhpmeventh(3)) == 1 << 31  # OF set by the overflow
    assert pmu.csr_read(SCOUNTOVF) == 1 << 3


def test_rule_31_rv32_high_half_event_write_wins_over_of():
    """RV32: writing mhpmevent3h (which holds OF) in the overflow cycle: the explicit write wins
    over the hardware OF set (rule 21, docs/decisions.md 4); LCOFIP is still set (rule 34)."""
    pmu = make(xlen=32)
    arm(pmu, 3, SEL_CYCLES, start=M64)
    pmu.csr_write(mhpmeventh(3), 1 << 28)  # UINH, OF = 0
    pmu.step()
    assert pmu.lcofip is True
    assert pmu.csr_read(mhpmeventh(3)) == 1 << 28
    assert pmu.csr_read(mhpmevent(3)) == SEL_CYCLES


# ------------------------------------------------------------------------------------------------
# Rule 33: LCOFIP latency (model contract: same step as OF, i.e. 1 cycle in hardware terms).
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_33_lcofip_visible_with_of(xlen):
    """The spec allows 'eventually'; rvpmu sets LCOFIP at the same edge as OF, so it is
    visible right after the overflowing step (docs/decisions.md 14)."""
    pmu = make(xlen=xlen)
    arm(pmu, 3, SEL_CYCLES, start=M64 - 1)
    pmu.step()
    assert pmu.lcofip is False and not of_bit(pmu, 3)
    pmu.step()
    assert of_bit(pmu, 3) and pmu.lcofip is True and mip_lcofip(pmu)


# ------------------------------------------------------------------------------------------------
# Rule 34: LCOFIP is a software-writable latch, independent of OF, never lost on a coincident write.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_34_lcofip_read_write_in_mip(xlen):
    pmu = make(xlen=xlen)
    pmu.csr_write(MIP, LCOFIP)
    assert pmu.csr_read(MIP) == LCOFIP and pmu.lcofip is True
    pmu.step()
    assert pmu.lcofip is True  # a latch: stays set
    pmu.csr_write(MIP, LCOFIP, op="clear")
    assert pmu.csr_read(MIP) == 0 and pmu.lcofip is False
    pmu.csr_write(MIP, LCOFIP, op="set")
    assert pmu.lcofip is True
    pmu.csr_write(MIP, 0)
    assert pmu.lcofip is False


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_34_of_and_lcofip_are_independent(xlen):
    pmu = make(xlen=xlen)
    arm(pmu, 3, SEL_CYCLES, start=M64)
    pmu.step()
    assert of_bit(pmu, 3) and pmu.lcofip
    set_event(pmu, 3, SEL_CYCLES)  # clearing OF does not clear LCOFIP
    pmu.step()
    assert not of_bit(pmu, 3) and pmu.lcofip
    set_event(pmu, 3, OF | SEL_CYCLES)
    pmu.csr_write(MIP, 0)  # clearing LCOFIP does not clear OF
    pmu.step()
    assert of_bit(pmu, 3) and not pmu.lcofip


@pytest.mark.parametrize("op,value", [("write", 0), ("clear", LCOFIP), ("write", LCOFIP),
                                      ("set", 0), ("clear", 0)])
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_34_hardware_set_not_lost_on_coincident_mip_write(xlen, op, value):
    """XiangShan#6497: an overflow in the same cycle as a software write of mip must still
    leave LCOFIP set."""
    pmu = make(xlen=xlen)
    arm(pmu, 3, SEL_CYCLES, start=M64)
    pmu.csr_write(MIP, value, op=op)
    pmu.step()
    assert pmu.lcofip is True
    assert pmu.csr_read(MIP) == LCOFIP
    assert of_bit(pmu, 3)


# ------------------------------------------------------------------------------------------------
# Rule 35: interrupt taking is the core's; the model exposes LCOFIP exactly as the latch.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_35_lcofip_output_is_the_latch(xlen):
    """LCOFIE, mideleg routing, global enables and priority live in the core
    (docs/decisions.md 7); the PMU's contract is that ``lcofip`` equals mip bit 13 at all
    times, as a level that stays until software clears it, and that mip shows only bit 13."""
    pmu = make(xlen=xlen)
    arm(pmu, 3, SEL_CYCLES, start=M64 - 2)
    trace = []
    for _ in range(5):
        pmu.step()
        trace.append((pmu.lcofip, mip_lcofip(pmu)))
    assert trace == [(False, False), (False, False), (True, True), (True, True), (True, True)]
    pmu.csr_write(MIP, xmax(pmu))  # other mip bits are the core's: they read 0 here
    assert pmu.csr_read(MIP) == LCOFIP
    pmu.csr_write(MIP, xmax(pmu) & ~LCOFIP)
    assert pmu.csr_read(MIP) == 0 and pmu.lcofip is False


# ------------------------------------------------------------------------------------------------
# Rule 36: without Sscofpmf, LCOFIP is read-only 0 (and nothing sets it).
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_36_no_sscofpmf_lcofip_read_only_zero(xlen, width):
    pmu = make(xlen=xlen, counter_width=width, sscofpmf=False)
    pmu.csr_write(MIP, LCOFIP)
    assert pmu.csr_read(MIP) == 0
    assert pmu.lcofip is False
    pmu.csr_write(MIP, LCOFIP, op="set")
    assert pmu.csr_read(MIP) == 0
    arm(pmu, 3, SEL_CYCLES, start=top(width))
    pmu.step()
    assert get_counter(pmu, 3) == 0  # the counter still wraps
    assert get_event(pmu, 3) == SEL_CYCLES  # no OF bit
    assert pmu.lcofip is False and pmu.csr_read(MIP) == 0
    with pytest.raises(IllegalInstruction):
        pmu.csr_read(SCOUNTOVF)


# ------------------------------------------------------------------------------------------------
# Rule 37: scountovf bits are read-only shadow copies of the OF bits.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_37_scountovf_shadows_of(xlen):
    pmu = make(xlen=xlen, counter_width=40)
    expected = 0
    for n in (3, 9, 31):  # hardware-set OF
        arm(pmu, n, SEL_INSTRET, start=top(40))
    pmu.step(retired=1)
    expected |= (1 << 3) | (1 << 9) | (1 << 31)
    for n in (4, 10):  # software-set OF
        set_event(pmu, n, OF)
        expected |= 1 << n
    set_event(pmu, 9, SEL_INSTRET)  # software-cleared OF
    expected &= ~(1 << 9)
    assert pmu.csr_read(SCOUNTOVF) == expected
    for n in HPM:
        assert (expected >> n & 1) == (get_event(pmu, n) >> 63)


# ------------------------------------------------------------------------------------------------
# Rule 38: inhibited counters (mcountinhibit or xINH of the mode) cannot overflow.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_38_inhibited_counters_cannot_overflow(xlen, width):
    pmu = make(xlen=xlen, counter_width=width)
    set_event(pmu, 3, SEL_CYCLES)
    set_counter(pmu, 3, top(width))
    set_event(pmu, 4, ALL_INH | SEL_CYCLES)
    set_counter(pmu, 4, top(width))
    set_event(pmu, 5, INH["U"] | SEL_INSTRET)
    set_counter(pmu, 5, top(width))
    pmu.csr_write(MCOUNTINHIBIT, 1 << 3)
    pmu.step()  # all of this applies from the next cycle; counters were written now
    for mode in ("M", "S", "VS", "VU"):
        pmu.step(mode=mode)
    pmu.step(retired=1, mode="U")  # counter 5 (instret, UINH) sees a retirement only in U
    for n in (3, 4, 5):
        assert get_counter(pmu, n) == top(width)
        assert not of_bit(pmu, n)
    assert pmu.lcofip is False


# ------------------------------------------------------------------------------------------------
# Rule 39: no overflow interrupt for mcycle/minstret; cfg bit 63 read-only 0.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_39_mcycle_minstret_wrap_without_overflow(xlen):
    pmu = make(xlen=xlen)
    set_counter(pmu, 0, M64)
    set_counter(pmu, 2, M64)
    pmu.step()
    pmu.step(retired=1)
    assert get_counter(pmu, 0) == 0
    assert get_counter(pmu, 2) == 0
    assert pmu.lcofip is False
    assert pmu.csr_read(SCOUNTOVF) == 0  # bits 0 and 2 do not exist as OF bits
    pmu.step(retired=1)
    assert get_counter(pmu, 0) == 1 and get_counter(pmu, 2) == 1


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_39_cfg_bit_63_read_only_zero(xlen):
    pmu = make(xlen=xlen, smcntrpmf=True)
    for which in (0, 2):
        set_cfg(pmu, which, OF)
        assert get_cfg(pmu, which) == 0
    if xlen == 32:
        for addr in (MCYCLECFGH, MINSTRETCFGH):
            pmu.csr_write(addr, 1 << 31)
            assert pmu.csr_read(addr) == 0
    else:
        for addr in (MCYCLECFG, MINSTRETCFG):
            pmu.csr_write(addr, OF)
            assert pmu.csr_read(addr) == 0
