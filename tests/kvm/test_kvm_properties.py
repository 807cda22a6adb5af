"""Property-based tests: counter mask validation (section 2.3 validate_mask) and counter
selection (2.3 / 3.4), with oracles written from the reference."""

from hypothesis import given, settings
from hypothesis import strategies as st

from .kvm_helpers import ACCESS_LOAD, BRANCH, CF, CYCLES, E, NUM, TF, cfg, make, small, start, stop

U64 = (1 << 64) - 1
SMALL_HW, SMALL_NUM = 7, 29  # small(): 4 programmable counters

words = st.one_of(st.integers(0, 70), st.integers(0, U64),
                  st.integers(0, 70).map(lambda k: (1 << k) if k < 64 else U64))


def mask_valid(cbase, cmask, n):
    """2.3: invalid iff cmask == 0 or cbase >= n or cbase + fls0(cmask) >= n."""
    return cmask != 0 and cbase < n and cbase + cmask.bit_length() - 1 < n


@settings(max_examples=150, deadline=None)
@given(cbase=words, cmask=words)
def test_mask_validation_start_stop(cbase, cmask):
    v = make()
    want = (E.SUCCESS, 0) if mask_valid(cbase, cmask, NUM) else (E.INVALID_PARAM, 0)
    assert start(v, cbase, cmask) == want  # nothing configured: all skipped (kvm)
    assert stop(v, cbase, cmask) == want


@settings(max_examples=150, deadline=None)
@given(cbase=words, cmask=words, profile=st.sampled_from(["kvm", "spec"]))
def test_mask_validation_cfg_match(cbase, cmask, profile):
    v = make(profile)
    if not mask_valid(cbase, cmask, NUM):
        assert cfg(v, cbase, cmask, 0, ACCESS_LOAD) == (E.INVALID_PARAM, 0)
        return
    fw = [cbase + i for i in range(cmask.bit_length()) if cmask >> i & 1 and cbase + i >= 32]
    want = (E.SUCCESS, fw[0]) if fw else (E.NOT_SUPPORTED, 0)
    assert cfg(v, cbase, cmask, 0, ACCESS_LOAD) == want


def pick_counter(kind, cbase, cmask, in_use, profile):
    """3.4: the counter KVM (or the spec profile) chooses, or None."""
    if kind == "cycles" and profile == "kvm":
        return 0
    lo, hi = (SMALL_HW, SMALL_NUM) if kind == "fw" else (3, SMALL_HW)
    for i in range(cmask.bit_length()):
        p = cbase + i
        if cmask >> i & 1 and p not in in_use and (lo <= p < hi or (kind == "cycles" and p == 0)):
            return p
    return None


@st.composite
def operations(draw):
    ops = []
    for _ in range(draw(st.integers(1, 14))):
        if draw(st.integers(0, 4)) == 0:
            ops.append(("reset", draw(st.integers(0, SMALL_NUM - 1))))
        else:
            cbase = draw(st.integers(0, SMALL_NUM - 1))
            cmask = draw(st.integers(1, (1 << (SMALL_NUM - cbase)) - 1))
            ops.append((draw(st.sampled_from(["prog", "fw", "cycles"])), cbase, cmask))
    return ops


EVENTS = {"prog": BRANCH, "fw": ACCESS_LOAD, "cycles": CYCLES}


@settings(max_examples=60, deadline=None)
@given(ops=operations(), profile=st.sampled_from(["kvm", "spec"]))
def test_counter_selection(ops, profile):
    v = make(profile, config=small())
    in_use: set[int] = set()
    for op in ops:
        if op[0] == "reset":
            if profile == "spec" and op[1] not in in_use:
                continue  # spec: INVALID_PARAM for an unconfigured counter
            assert stop(v, op[1], 1, TF.RESET)[0] in (E.SUCCESS, E.ALREADY_STOPPED)
            in_use.discard(op[1])
            continue
        kind, cbase, cmask = op
        want = pick_counter(kind, cbase, cmask, in_use, profile)
        got = cfg(v, cbase, cmask, 0, EVENTS[kind])
        if want is None:
            assert got == (E.NOT_SUPPORTED, 0)
        else:
            assert got == (E.SUCCESS, want)
            in_use.add(want)
    for p in range(SMALL_NUM):  # every counter the oracle holds is configured, no other
        err = cfg(v, p, 1, CF.SKIP_MATCH, ACCESS_LOAD)[0]  # needs a configured counter (2.3)
        assert (err not in (E.FAILED, E.INVALID_PARAM)) == (p in in_use)
