"""hardware-pmu.md section (b), B3 "Counting semantics": rules 20-28.

Model contract (model/hart.py docstring, docs/timing.md): ``step()`` closes a cycle; CSR
accesses before it belong to that cycle; reads see the value before the cycle's increments;
a written counter skips that cycle's increment; counting uses the configuration registers as
they were at the start of the cycle.

Longer than 400 lines on purpose: one file per group of docs/rules.md, each test one rule (its
number in the name), so a group reads as a whole.
"""

from __future__ import annotations

import pytest

from rvpmu.model import IllegalInstruction

from .pmu_helpers import (
    EV_A, EV_B, EV_C, INH, M32, MCOUNTINHIBIT, MCYCLE, MCYCLEH, MINSTRET, MINSTRETH,
    MODESET_NAMES, NUMS, SEL_CYCLES, SEL_INSTRET, WIDTHS, XLENS, arm, get_counter, get_event,
    make, mhpmcounter, mhpmcounterh, modes_of, set_cfg, set_counter, set_event, sel_ext,
)

# One counter per event source: 3 cycles, 4 instret, 5..7 external inputs ev_a, ev_b, ev_c.
SOURCES = {3: SEL_CYCLES, 4: SEL_INSTRET, 5: EV_A, 6: EV_B, 7: EV_C}


def _arm_all_sources(pmu, start=0):
    for n, sel in SOURCES.items():
        set_event(pmu, n, sel)
        set_counter(pmu, n, start)
    pmu.step()


def _busy(pmu, mode="M", times=1):
    """One cycle in which every source fires: cycles +1, retired +1, ev_a +1, ev_b +2, ev_c +3."""
    for _ in range(times):
        pmu.step(events=[EV_A, EV_B, EV_B, EV_C, EV_C, EV_C], retired=1, mode=mode)


BUSY_INC = {0: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 2, 7: 3}


# ------------------------------------------------------------------------------------------------
# Rule 20: mcountinhibit bit = 1 stops that counter; 0 (and the reset state) counts.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_20_reset_state_counts(xlen):
    """All registers reset to 0: mcountinhibit = 0 behaves as if absent, everything counts."""
    pmu = make(xlen=xlen)
    assert pmu.csr_read(MCOUNTINHIBIT) == 0
    _busy(pmu, times=3)
    assert get_counter(pmu, 0) == 3
    assert get_counter(pmu, 2) == 3


@pytest.mark.parametrize("inhibited", [0, 2, 3, 4, 5, 6, 7])
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_20_inhibit_stops_only_that_counter(xlen, inhibited):
    pmu = make(xlen=xlen)
    _arm_all_sources(pmu, start=100)  # mcycle = 1 after this
    pmu.csr_write(MCOUNTINHIBIT, 1 << inhibited)
    _busy(pmu)  # mcountinhibit applies from the next cycle (rule 23)
    base = {i: get_counter(pmu, i) for i in BUSY_INC}
    _busy(pmu, times=4)
    for i, inc in BUSY_INC.items():
        want = base[i] if i == inhibited else base[i] + 4 * inc
        assert get_counter(pmu, i) == want, i
    # clearing the bit resumes counting from the following cycle
    pmu.csr_write(MCOUNTINHIBIT, 0)
    _busy(pmu)
    _busy(pmu)
    assert get_counter(pmu, inhibited) == base[inhibited] + BUSY_INC[inhibited]


@pytest.mark.parametrize("num", [1, 29])
def test_rule_20_inhibit_all(num):
    pmu = make(num_counters=num)
    for n in range(3, 3 + num):
        set_event(pmu, n, SEL_CYCLES)
    pmu.csr_write(MCOUNTINHIBIT, M32)
    pmu.step()
    snap = {i: get_counter(pmu, i) for i in (0, 2, *range(3, 3 + num))}
    _busy(pmu, times=5)
    for i, v in snap.items():
        assert get_counter(pmu, i) == v


# ------------------------------------------------------------------------------------------------
# Rule 21: an explicit write wins over the increment of the same cycle.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_21_csrrwi_minstret_3(xlen):
    """sail-riscv PR #760: csrrwi t2, minstret, 3 reads the old value and leaves 3 (no +1);
    a following csrr reads exactly 3."""
    pmu = make(xlen=xlen)
    _busy(pmu, times=5)  # minstret = 5
    old = pmu.csr_write(MINSTRET, 3)
    assert old == 5
    pmu.step(retired=1)  # the csrrwi itself retires in this cycle
    assert pmu.csr_read(MINSTRET) == 3
    pmu.step(retired=1)  # the csrr
    assert pmu.csr_read(MINSTRET) == 4


@pytest.mark.parametrize("op,value,expected", [("write", 40, 40), ("set", 0x100, 0x107),
                                               ("clear", 0x3, 0x4)])
@pytest.mark.parametrize("counter", [0, 2, 3, 5, 6, 7])
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_21_write_wins_every_counter_every_op(xlen, counter, op, value, expected):
    pmu = make(xlen=xlen)
    _arm_all_sources(pmu, start=7)
    lo = MCYCLE if counter == 0 else MINSTRET if counter == 2 else mhpmcounter(counter)
    # make the counter hold exactly 7 at the start of the write cycle
    pmu.csr_write(lo, 7)
    if xlen == 32:
        pmu.csr_write(lo + 0x80, 0)
    pmu.step()
    others = {i: get_counter(pmu, i) for i in BUSY_INC if i != counter}
    pmu.csr_write(lo, value, op=op)
    _busy(pmu)
    assert get_counter(pmu, counter) == expected
    for i, v in others.items():  # the write suppresses only its own counter's increment
        assert get_counter(pmu, i) == v + BUSY_INC[i], i
    _busy(pmu)
    assert get_counter(pmu, counter) == expected + BUSY_INC[counter]


@pytest.mark.parametrize("width", WIDTHS)
def test_rule_21_write_wins_with_multi_count_event(width):
    pmu = make(counter_width=width)
    arm(pmu, 3, EV_C, start=0)
    pmu.csr_write(mhpmcounter(3), 1)
    pmu.step(events=[EV_C] * 200)
    assert get_counter(pmu, 3) == 1
    pmu.step(events=[EV_C] * 3)
    assert get_counter(pmu, 3) == (1 + 3) % (1 << width)


# ------------------------------------------------------------------------------------------------
# Rule 22: RV32 half writes (chosen reading: the whole increment is dropped, other half kept).
# ------------------------------------------------------------------------------------------------

_PAIRS = {"mcycle": (0, MCYCLE, MCYCLEH), "minstret": (2, MINSTRET, MINSTRETH),
          "mhpmcounter4": (4, mhpmcounter(4), mhpmcounterh(4))}


@pytest.mark.parametrize("half, value, written, next_cycle", [
    # minstret (low) written with 0x10 while 0x5_FFFFFFFF in a retiring cycle: 0x5_00000010,
    # no carry into the high half, which keeps its value
    ("lo", 0x10, 0x0000_0005_0000_0010, 0x0000_0005_0000_0011),
    # the high half written while the low word is 0xFFFF_FFFF: the low word stays (no
    # increment), the high half takes the value (Sail/Spike would give 0x7_00000000)
    ("hi", 7, 0x0000_0007_FFFF_FFFF, 0x0000_0008_0000_0000),
])
@pytest.mark.parametrize("name", list(_PAIRS))
def test_rule_22_rv32_half_write_drops_whole_increment(name, half, value, written, next_cycle):
    """Rule 22 is ambiguous in the spec; rvpmu follows Ibex/CV32E40P (docs/decisions.md 2):
    a write of either half drops the whole increment of its cycle and keeps the other half."""
    i, lo, hi = _PAIRS[name]
    pmu = make(xlen=32)
    _arm_all_sources(pmu)
    set_counter(pmu, i, 0x0000_0005_FFFF_FFFF)
    pmu.step()
    pmu.csr_write(lo if half == "lo" else hi, value)
    _busy(pmu)
    assert (pmu.csr_read(hi), pmu.csr_read(lo)) == (written >> 32, written & M32)
    _busy(pmu)
    assert get_counter(pmu, i) == next_cycle


# ------------------------------------------------------------------------------------------------
# Rule 23: mcountinhibit (and the other configuration) writes take effect after the instruction.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_23_setting_ir_still_counts_the_writing_instruction(xlen):
    pmu = make(xlen=xlen)
    pmu.csr_write(MCOUNTINHIBIT, 1 << 2)  # csrw mcountinhibit sets IR ...
    pmu.step(retired=1)  # ... and retires in this cycle: counted
    assert get_counter(pmu, 2) == 1
    pmu.step(retired=1)
    assert get_counter(pmu, 2) == 1


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_23_clearing_ir_does_not_count_the_writing_instruction(xlen):
    pmu = make(xlen=xlen)
    pmu.csr_write(MCOUNTINHIBIT, 1 << 2)
    pmu.step()
    pmu.step(retired=1)
    assert get_counter(pmu, 2) == 0
    pmu.csr_write(MCOUNTINHIBIT, 0)  # csrw mcountinhibit clears IR ...
    pmu.step(retired=1)  # ... not counted
    assert get_counter(pmu, 2) == 0
    pmu.step(retired=1)
    assert get_counter(pmu, 2) == 1


@pytest.mark.parametrize("bit", [0, 3])
def test_rule_23_cycle_and_hpm_inhibit_from_next_cycle(bit):
    pmu = make()
    arm(pmu, 3, SEL_CYCLES, start=0)
    c0 = get_counter(pmu, bit)
    pmu.csr_write(MCOUNTINHIBIT, 1 << bit)
    pmu.step()  # still counted
    pmu.step()  # inhibited
    assert get_counter(pmu, bit) == c0 + 1
    pmu.csr_write(MCOUNTINHIBIT, 0)
    pmu.step()  # still inhibited
    pmu.step()  # counted
    assert get_counter(pmu, bit) == c0 + 2


def test_rule_23_event_selector_write_applies_from_next_cycle():
    pmu = make()
    set_event(pmu, 3, SEL_INSTRET)
    pmu.step(retired=1)  # selector was 0 in this cycle
    assert get_counter(pmu, 3) == 0
    pmu.step(retired=1)
    assert get_counter(pmu, 3) == 1
    set_event(pmu, 3, SEL_CYCLES)
    pmu.step(retired=0)  # still instret in this cycle: no retirement, no count
    assert get_counter(pmu, 3) == 1
    pmu.step(retired=0)  # now cycles
    assert get_counter(pmu, 3) == 2
    set_event(pmu, 3, 0)
    pmu.step()  # still cycles
    pmu.step()
    assert get_counter(pmu, 3) == 3


def test_rule_23_mode_filter_writes_apply_from_next_cycle():
    pmu = make()
    arm(pmu, 3, SEL_INSTRET, start=0)
    set_event(pmu, 3, INH["U"] | SEL_INSTRET)
    set_cfg(pmu, 2, INH["U"])
    i0 = get_counter(pmu, 2)
    pmu.step(retired=1, mode="U")  # old filters: counted
    pmu.step(retired=1, mode="U")  # UINH now active
    assert get_counter(pmu, 3) == 1
    assert get_counter(pmu, 2) == i0 + 1


# ------------------------------------------------------------------------------------------------
# Rule 24: instructions that trap do not retire (model contract: retired=0 counts nothing).
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_24_no_retirement_no_instret(xlen):
    """The core does not report a trapping instruction (ECALL, EBREAK, any exception) in
    ``retired``; the model's contract is that retired=0 increments neither minstret nor an
    instret-selected counter, while cycles still count."""
    pmu = make(xlen=xlen)
    _arm_all_sources(pmu)
    c0, i0 = get_counter(pmu, 0), get_counter(pmu, 2)
    for mode in modes_of(pmu.config):
        pmu.step(retired=0, mode=mode)
    k = len(modes_of(pmu.config))
    assert get_counter(pmu, 2) == i0
    assert get_counter(pmu, 4) == 0
    assert get_counter(pmu, 0) == c0 + k
    assert get_counter(pmu, 3) == k


def test_rule_24_retire_width_counts_all_retired():
    pmu = make(retire_width=4)
    arm(pmu, 3, SEL_INSTRET, start=0)
    pmu.step(retired=4)
    pmu.step(retired=3)
    assert get_counter(pmu, 2) == 7
    assert get_counter(pmu, 3) == 7


# ------------------------------------------------------------------------------------------------
# Rule 25: stopcount: no counter moves while halted (mcycle included: single-hart block).
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_25_halt_stops_every_counter(xlen):
    pmu = make(xlen=xlen, counter_width=40)
    _arm_all_sources(pmu, start=(1 << 40) - 1)  # would overflow on any increment
    snap = {i: get_counter(pmu, i) for i in BUSY_INC}
    for mode in modes_of(pmu.config):
        pmu.step(events=[EV_A, EV_B, EV_C], retired=1, mode=mode, halted=True)
    for i, v in snap.items():
        assert get_counter(pmu, i) == v
    assert pmu.lcofip is False
    assert all(get_event(pmu, n) >> 63 == 0 for n in SOURCES)
    _busy(pmu)  # counting resumes when not halted
    assert get_counter(pmu, 0) == snap[0] + 1
    assert get_counter(pmu, 3) == 0


def test_rule_25_csr_write_during_halt_still_applies():
    pmu = make()
    pmu.csr_write(MINSTRET, 9)
    pmu.step(retired=1, halted=True)
    assert get_counter(pmu, 2) == 9


# ------------------------------------------------------------------------------------------------
# Rule 26: Sscofpmf mode filtering (M->MINH, S/HS->SINH, U->UINH, VS->VSINH, VU->VUINH).
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sel", [SEL_CYCLES, SEL_INSTRET, EV_B])
@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_26_xinh_filters_exactly_its_mode(xlen, modeset, sel):
    pmu = make(xlen=xlen, modeset=modeset, sscofpmf=True)
    modes = modes_of(pmu.config)
    # counter 3 + k gets the single INH bit of mode k; the last one no INH bit at all
    assignment = {3 + k: INH[m] for k, m in enumerate(modes)}
    free = 3 + len(modes)
    assignment[free] = 0
    for n, inh in assignment.items():
        set_event(pmu, n, inh | sel)
    pmu.step()  # the selectors apply from the next cycle (rule 23)
    for mode in modes:
        pmu.step(events=[EV_B, EV_B], retired=1, mode=mode)
    inc = 2 if sel == EV_B else 1
    for n, inh in assignment.items():
        counted = [m for m in modes if INH[m] != inh]
        assert get_counter(pmu, n) == inc * len(counted), (n, hex(inh))


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_26_all_inh_set_counts_nothing(xlen):
    pmu = make(xlen=xlen)
    arm(pmu, 3, INH["M"] | INH["S"] | INH["U"] | INH["VS"] | INH["VU"] | SEL_CYCLES, start=0)
    for mode in ("M", "S", "U", "VS", "VU"):
        pmu.step(mode=mode)
    assert get_counter(pmu, 3) == 0


def test_rule_26_without_sscofpmf_no_filtering():
    pmu = make(sscofpmf=False)
    arm(pmu, 3, SEL_INSTRET, start=0)
    for mode in ("M", "S", "U", "VS", "VU"):
        pmu.step(retired=1, mode=mode)
    assert get_counter(pmu, 3) == 5


# ------------------------------------------------------------------------------------------------
# Rule 27: Smcntrpmf filtering of mcycle/minstret; xRET attributed to the originating mode.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", [0, 2])
@pytest.mark.parametrize("modeset", MODESET_NAMES)
@pytest.mark.parametrize("xlen", XLENS)
def test_rule_27_cfg_filters_exactly_its_mode(xlen, modeset, which):
    for inh_mode in modes_of(make(modeset=modeset).config):
        pmu = make(xlen=xlen, modeset=modeset, smcntrpmf=True)
        set_cfg(pmu, which, INH[inh_mode])
        pmu.step()
        other = 2 if which == 0 else 0
        v0, o0 = get_counter(pmu, which), get_counter(pmu, other)
        for mode in modes_of(pmu.config):
            pmu.step(retired=1, mode=mode)
        k = len(modes_of(pmu.config))
        assert get_counter(pmu, which) == v0 + k - 1, inh_mode
        assert get_counter(pmu, other) == o0 + k  # the other counter is not filtered


def test_rule_27_xret_counts_against_originating_mode():
    """MRET executed in M returning to U with minstretcfg.UINH=1: it retires in M, so it
    counts; SRET from S to U with SINH=1 does not count, even though U is not inhibited.
    The core reports the xRET's originating mode in ``mode`` (docs/decisions.md 12)."""
    pmu = make()
    set_cfg(pmu, 2, INH["U"])
    pmu.step()
    i0 = get_counter(pmu, 2)
    pmu.step(retired=1, mode="M")  # mret (M -> U)
    assert get_counter(pmu, 2) == i0 + 1
    pmu.step(retired=1, mode="U")  # an instruction in U: inhibited
    assert get_counter(pmu, 2) == i0 + 1
    set_cfg(pmu, 2, INH["S"])
    pmu.step()
    pmu.step(retired=1, mode="S")  # sret (S -> U): originating mode S is inhibited
    assert get_counter(pmu, 2) == i0 + 1
    pmu.step(retired=1, mode="U")
    assert get_counter(pmu, 2) == i0 + 2


def test_rule_27_trapping_instruction_never_counts():
    pmu = make()
    set_cfg(pmu, 2, 0)
    pmu.step()
    i0 = get_counter(pmu, 2)
    for mode in ("M", "S", "U", "VS", "VU"):
        pmu.step(retired=0, mode=mode)
    assert get_counter(pmu, 2) == i0


@pytest.mark.parametrize("xlen", XLENS)
def test_rule_27_without_smcntrpmf_no_filter_and_no_cfg(xlen):
    pmu = make(xlen=xlen, smcntrpmf=False)
    for addr in (0x321, 0x322):
        with pytest.raises(IllegalInstruction):
            pmu.csr_write(addr, 0)
    for mode in ("M", "S", "U", "VS", "VU"):
        pmu.step(retired=1, mode=mode)
    assert get_counter(pmu, 0) == 5
    assert get_counter(pmu, 2) == 5


def test_rule_27_smcntrpmf_does_not_filter_hpm_counters():
    pmu = make()
    set_cfg(pmu, 0, INH["U"])
    set_cfg(pmu, 2, INH["U"])
    set_event(pmu, 3, SEL_CYCLES)
    set_event(pmu, 4, SEL_INSTRET)
    pmu.step()
    c0 = get_counter(pmu, 0)
    pmu.step(retired=1, mode="U")
    assert get_counter(pmu, 0) == c0  # mcycle itself is filtered in U
    assert get_counter(pmu, 3) == 1
    assert get_counter(pmu, 4) == 1


# ------------------------------------------------------------------------------------------------
# Rule 28: mcycle may be shared between harts (not in this single-hart block).
# ------------------------------------------------------------------------------------------------


def test_rule_28_mcycle_and_inhibit_cy_are_per_hart():
    """rvpmu's choice (docs/decisions.md 13): mcycle and mcountinhibit.CY are this hart's own;
    two HartPMU instances (two harts) do not share them."""
    a, b = make(), make()
    a.csr_write(MCOUNTINHIBIT, 1 << 0)
    for _ in range(4):
        a.step()
        b.step()
    assert get_counter(a, 0) == 1
    assert get_counter(b, 0) == 4
    assert b.csr_read(MCOUNTINHIBIT) == 0
    b.csr_write(MCYCLE, 100)
    assert get_counter(a, 0) == 1


@pytest.mark.parametrize("num", [n for n in NUMS if n])
def test_rule_09_external_input_selectors_count_their_input(num):
    """Selector 3 + i counts input i (repeats count multiple times); other inputs don't."""
    pmu = make(num_counters=num)
    n = 3
    arm(pmu, n, sel_ext(1), start=0)
    pmu.step(events=[EV_A, EV_C, EV_C])
    assert get_counter(pmu, n) == 0
    pmu.step(events=[EV_B, EV_B, EV_B])
    assert get_counter(pmu, n) == 3
    pmu.step(events=[EV_A, EV_B, EV_C])
    assert get_counter(pmu, n) == 4
