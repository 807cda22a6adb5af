"""Property tests of counter arithmetic, wrap, overflow and filtering (hypothesis).

Each property compares the model with a formula written here from hardware-pmu.md rules
20-32 and 38: a counter of width w that starts at s and gets increments i_1..i_k ends at
(s + sum i) mod 2^w; with OF initially 0 it overflows (OF and LCOFIP set) iff s + sum i >= 2^w;
inhibited or filtered cycles add nothing; a written counter takes the written value instead of
that cycle's increment.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .pmu_helpers import (
    EV_A, EV_B, EV_C, INH, LCOFIP, M32, M64, MCOUNTINHIBIT, MIP, OF, SCOUNTOVF, SEL_CYCLES,
    SEL_INSTRET, arm, get_counter, get_event, make, mhpmcounter, mhpmcounterh, set_cfg,
    set_counter, set_event,
)

PROPS = settings(max_examples=150, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])
MODES = ("M", "S", "U", "VS", "VU")


@st.composite
def width_and_start(draw, slack: int = 6000):
    """A width 1..64 and a start value, often close to the top so that overflow is exercised."""
    width = draw(st.one_of(st.sampled_from([1, 2, 8, 32, 40, 63, 64]), st.integers(1, 64)))
    top = (1 << width) - 1
    start = draw(st.one_of(st.integers(0, top), st.integers(max(0, top - slack), top)))
    return width, start


# ------------------------------------------------------------------------------------------------


@PROPS
@given(ws=width_and_start(), incs=st.lists(st.integers(0, 255), max_size=20),
       xlen=st.sampled_from([32, 64]), of0=st.booleans())
def test_prop_multi_count_wrap_and_overflow(ws, incs, xlen, of0):
    width, start = ws
    pmu = make(xlen=xlen, counter_width=width, num_counters=1)
    arm(pmu, 3, (OF if of0 else 0) | EV_C, start=start)
    for k in incs:
        pmu.step(events=[EV_C] * k)
    total = start + sum(incs)
    assert get_counter(pmu, 3) == total % (1 << width)
    overflowed = total >= 1 << width
    assert bool(get_event(pmu, 3) & OF) == (of0 or overflowed)
    assert pmu.lcofip == (overflowed and not of0)
    assert bool(pmu.csr_read(MIP) & LCOFIP) == pmu.lcofip
    assert bool(pmu.csr_read(SCOUNTOVF) >> 3 & 1) == (of0 or overflowed)


@PROPS
@given(ws=width_and_start(slack=60), xlen=st.sampled_from([32, 64]),
       trace=st.lists(st.tuples(st.sampled_from(MODES), st.integers(0, 4), st.integers(0, 3),
                                st.booleans(), st.booleans()), max_size=25),
       inh=st.sets(st.sampled_from(MODES)), sel=st.sampled_from([SEL_CYCLES, SEL_INSTRET, EV_B]))
def test_prop_mode_filter_halt_and_sources(ws, xlen, trace, inh, sel):
    """Cycles: (mode, retired, ev_b count, ev_a fires, halted)."""
    width, start = ws
    pmu = make(xlen=xlen, counter_width=width, retire_width=4)
    inh_bits = sum(INH[m] for m in inh)
    arm(pmu, 3, inh_bits | sel, start=start)
    expected, overflowed = start, False
    for mode, retired, nb, fire_a, halted in trace:
        pmu.step(events=[EV_B] * nb + ([EV_A] if fire_a else []), retired=retired, mode=mode,
                 halted=halted)
        if halted or mode in inh:
            continue
        inc = {SEL_CYCLES: 1, SEL_INSTRET: retired, EV_B: nb}[sel]
        expected += inc
        if expected > (1 << width) - 1:
            overflowed = True
            expected %= 1 << width
    assert get_counter(pmu, 3) == expected
    assert bool(get_event(pmu, 3) & OF) == overflowed
    assert pmu.lcofip == overflowed


@PROPS
@given(ws=width_and_start(slack=20), xlen=st.sampled_from([32, 64]),
       trace=st.lists(st.tuples(st.sampled_from(MODES), st.integers(0, 4), st.integers(0, 255)),
                      max_size=15),
       how=st.sampled_from(["mcountinhibit", "all_inh", "selector0", "unsupported"]))
def test_prop_inhibited_or_unselected_counter_never_changes(ws, xlen, trace, how):
    width, start = ws
    pmu = make(xlen=xlen, counter_width=width, retire_width=4)
    event = {"mcountinhibit": EV_C, "all_inh": sum(INH.values()) | SEL_CYCLES,
             "selector0": 0, "unsupported": 100}[how]
    if how == "mcountinhibit":
        pmu.csr_write(MCOUNTINHIBIT, 1 << 3)
    arm(pmu, 3, event, start=start)
    for mode, retired, nc in trace:
        pmu.step(events=[EV_C] * nc, retired=retired, mode=mode)
    assert get_counter(pmu, 3) == start
    assert not get_event(pmu, 3) & OF
    assert pmu.lcofip is False


@PROPS
@given(ws=width_and_start(slack=40), xlen=st.sampled_from([32, 64]),
       trace=st.lists(st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(0, M64))),
                      max_size=25))
def test_prop_write_wins_over_increment(ws, xlen, trace):
    """Cycles: (ev_b count, value written to the counter in that cycle or None)."""
    width, start = ws
    mask = (1 << width) - 1
    pmu = make(xlen=xlen, counter_width=width)
    arm(pmu, 3, EV_B, start=start)
    expected, overflowed = start, False
    for nb, written in trace:
        if written is not None:
            set_counter(pmu, 3, written)
        pmu.step(events=[EV_B] * nb)
        if written is not None:
            expected = written & mask  # write wins; a write never overflows
        else:
            expected += nb
            if expected > mask:
                overflowed, expected = True, expected & mask
    assert get_counter(pmu, 3) == expected
    assert bool(get_event(pmu, 3) & OF) == overflowed
    assert pmu.lcofip == overflowed


@PROPS
@given(ws=width_and_start(slack=40),
       trace=st.lists(st.tuples(st.integers(0, 3), st.sampled_from([None, "lo", "hi"]),
                                st.integers(0, M32)), max_size=25))
def test_prop_rv32_half_writes(ws, trace):
    """RV32: a half write replaces that half (within the implemented width), keeps the other
    half and drops the cycle's whole increment (rules 3, 22; docs/decisions.md 2)."""
    width, start = ws
    mask = (1 << width) - 1
    pmu = make(xlen=32, counter_width=width)
    arm(pmu, 3, EV_B, start=start)
    expected = start
    for nb, half, value in trace:
        if half == "lo":
            pmu.csr_write(mhpmcounter(3), value)
            expected = ((expected & ~M32) | value) & mask
        elif half == "hi":
            pmu.csr_write(mhpmcounterh(3), value)
            expected = ((expected & M32) | value << 32) & mask
        else:
            expected = (expected + nb) & mask
        pmu.step(events=[EV_B] * nb)
        assert get_counter(pmu, 3) == expected


@PROPS
@given(start=st.one_of(st.integers(0, M64), st.integers(M64 - 30, M64)),
       xlen=st.sampled_from([32, 64]),
       trace=st.lists(st.tuples(st.sampled_from(MODES), st.integers(0, 4), st.booleans(),
                                st.booleans()), max_size=25),
       cyc_inh=st.sets(st.sampled_from(MODES)), ins_inh=st.sets(st.sampled_from(MODES)))
def test_prop_mcycle_minstret_64bit_with_filters(start, xlen, trace, cyc_inh, ins_inh):
    """mcycle/minstret: 64-bit wrap, Smcntrpmf filters, mcountinhibit toggles applied from the
    next cycle, halt; never an overflow interrupt (rule 39)."""
    pmu = make(xlen=xlen, retire_width=4)
    set_cfg(pmu, 0, sum(INH[m] for m in cyc_inh))
    set_cfg(pmu, 2, sum(INH[m] for m in ins_inh))
    set_counter(pmu, 0, start)
    set_counter(pmu, 2, start)
    pmu.step()
    cyc = ins = start
    inhibit = 0
    for mode, retired, halted, toggle in trace:
        new_inhibit = inhibit ^ 0b101 if toggle else inhibit
        if toggle:
            pmu.csr_write(MCOUNTINHIBIT, new_inhibit)
        pmu.step(retired=retired, mode=mode, halted=halted)
        if not halted:
            if not inhibit & 1 and mode not in cyc_inh:
                cyc = (cyc + 1) & M64
            if not inhibit & 4 and mode not in ins_inh:
                ins = (ins + retired) & M64
        inhibit = new_inhibit
    assert get_counter(pmu, 0) == cyc
    assert get_counter(pmu, 2) == ins
    assert pmu.lcofip is False


@PROPS
@given(counters=st.lists(st.tuples(st.sampled_from([0, SEL_CYCLES, SEL_INSTRET, EV_A, EV_B,
                                                    EV_C]), st.integers(0, 255)),
                         min_size=1, max_size=6),
       trace=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 3), st.integers(0, 255),
                                st.integers(0, 4)), max_size=10))
def test_prop_independent_counters_width_8(counters, trace):
    """Several 8-bit counters on different sources at once; each follows its own formula and
    scountovf collects exactly the overflowed ones."""
    pmu = make(counter_width=8, retire_width=4)
    for k, (sel, start) in enumerate(counters):
        set_event(pmu, 3 + k, sel)
        set_counter(pmu, 3 + k, start)
    pmu.step()
    totals = [start for _, start in counters]
    for na, nb, nc, retired in trace:
        pmu.step(events=[EV_A] * na + [EV_B] * nb + [EV_C] * nc, retired=retired)
        for k, (sel, _) in enumerate(counters):
            totals[k] += {0: 0, SEL_CYCLES: 1, SEL_INSTRET: retired, EV_A: na, EV_B: nb,
                          EV_C: nc}[sel]
    ovf = 0
    for k, total in enumerate(totals):
        assert get_counter(pmu, 3 + k) == total % 256
        if total >= 256:
            ovf |= 1 << (3 + k)
    assert pmu.csr_read(SCOUNTOVF) == ovf
    assert pmu.lcofip == (ovf != 0)


@PROPS
@given(ws=width_and_start(slack=300), xlen=st.sampled_from([32, 64]),
       sels=st.lists(st.sampled_from([0, SEL_CYCLES, SEL_INSTRET, EV_A, EV_B, EV_C]),
                     min_size=1, max_size=4),
       of0=st.booleans(), mode=st.sampled_from(MODES), halted=st.booleans(),
       inh=st.sets(st.sampled_from(MODES)),
       per_cycle=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 3), st.integers(0, 255),
                                    st.integers(0, 4)), min_size=1, max_size=12))
def test_prop_advance_equals_steps(ws, xlen, sels, of0, mode, halted, inh, per_cycle):
    """``HartPMU.advance(cycles, totals)`` is documented to equal ``cycles`` step() calls with
    any per-cycle split of the totals (no CSR access in between)."""
    width, start = ws
    inh_bits = sum(INH[m] for m in inh)
    pmus = [make(xlen=xlen, counter_width=width, retire_width=4) for _ in range(2)]
    for pmu in pmus:
        for k, sel in enumerate(sels):
            set_event(pmu, 3 + k, (OF if of0 else 0) | (inh_bits if k % 2 else 0) | sel)
            set_counter(pmu, 3 + k, start)
        set_cfg(pmu, 0, inh_bits)
        pmu.step()
    stepped, advanced = pmus
    for na, nb, nc, retired in per_cycle:
        stepped.step(events=[EV_A] * na + [EV_B] * nb + [EV_C] * nc, retired=retired,
                     mode=mode, halted=halted)
    totals = [sum(c[i] for c in per_cycle) for i in range(3)]
    advanced.advance(len(per_cycle), totals, sum(c[3] for c in per_cycle), mode=mode,
                     halted=halted)
    assert advanced.snapshot() == stepped.snapshot()
    assert advanced.lcofip == stepped.lcofip
    assert advanced.cycle == stepped.cycle
