"""Per-counter coverage, sweeps and hole steering, on the golden model alone (no simulator).

The cocotb tests run the same sequences against the RTL; here the claims about the stimulus
itself are checked: the sweeps reach every bin of every configuration kind, a bin is hit only by
the behaviour it names, and steering closes holes the sweeps are not given.
"""

import random

import pytest

from rvpmu import csr, rules
from rvpmu.config import EventInput, PMUConfig
from rvpmu.model.cycle import CSRRequest, PortInputs
from rvpmu.sim.directed import acc, idle
from rvpmu.sim.scoreboard import Scoreboard
from rvpmu.sim.steer import steer
from rvpmu.sim.sweeps import SWEEPS, write_event

CONFIGS = {
    "4x40": PMUConfig(num_counters=4, counter_width=40),
    "rv32-5x48": PMUConfig(xlen=32, num_counters=5, counter_width=48),
    "rv32-plain": PMUConfig(xlen=32, num_counters=3, sscofpmf=False, smcntrpmf=False),
    "mu-w1": PMUConfig(num_counters=3, counter_width=1, has_s=False, has_h=False,
                       events=(EventInput("a", max_per_cycle=3), EventInput("b"))),
    "0ctr": PMUConfig(num_counters=0),
}


def run(cfg, seq, sb=None):
    sb = sb or Scoreboard(cfg, seed=0)
    for inp in seq:
        sb.expect(inp)
        sb.bins.sample_ports(("csr_rsp", "lcofip", "counteren", "lcofi_set"))
    return sb


@pytest.mark.parametrize("name", CONFIGS)
def test_sweeps_then_steering_close_every_bin(name):
    cfg = CONFIGS[name]
    sb = Scoreboard(cfg, seed=0)
    for make in SWEEPS.values():
        run(cfg, make(cfg), sb)
    rng = random.Random(5)
    for _ in range(3):
        for hole in sb.bins.holes():
            run(cfg, steer(cfg, hole, rng), sb)
    assert sb.bins.holes() == []
    hpm = list(cfg.hpm_indices)
    # every counter x every selector, every counter's overflow stages, exist as bins
    assert {("route", i, s) for i in hpm for s in range(1, cfg.num_selectors)} <= sb.bins.goals
    if cfg.sscofpmf:
        assert {("overflow", i, "ack") for i in hpm} <= sb.bins.goals


@pytest.mark.parametrize("name", ["4x40", "rv32-5x48"])
def test_steering_alone_closes_the_bins(name):
    """Without any sweep: what the coverage-driven loop of the directed test relies on."""
    cfg = CONFIGS[name]
    sb = Scoreboard(cfg, seed=0)
    rng = random.Random(9)
    for _ in range(4):
        for hole in sb.bins.holes():
            run(cfg, steer(cfg, hole, rng), sb)
    assert sb.bins.holes() == []


def test_route_bin_needs_the_counter_to_count_through_that_selector():
    cfg = CONFIGS["4x40"]
    sel = csr.event_selector(2)
    fire = PortInputs(None, tuple(1 if k == 2 else 0 for k in range(len(cfg.events))))
    sb = run(cfg, write_event(cfg, 5, sel) + idle(3) + [fire] * 2 + idle(2))
    assert sb.bins.hits[("route", 5, sel)]
    assert not sb.bins.hits[("route", 4, sel)]  # another counter was not programmed
    sb = run(cfg, write_event(cfg, 5, sel) + idle(6))  # programmed, input never fired
    assert not sb.bins.hits[("route", 5, sel)]


def test_setclr_bin_only_for_data_that_changes_the_field():
    cfg = CONFIGS["4x40"]
    ev = csr.mhpmevent(3)
    of = 1 << csr.MHPMEVENT_OF
    sb = run(cfg, [acc(ev, csr.CSROp.WRITE, of), acc(ev, csr.CSROp.SET, of)] + idle(3))
    assert not sb.bins.hits[("setclr", "mhpmevent3", "OF", "set")]  # already 1: no change
    sb = run(cfg, [acc(ev, csr.CSROp.WRITE, 0), acc(ev, csr.CSROp.SET, of)] + idle(3))
    assert sb.bins.hits[("setclr", "mhpmevent3", "OF", "set")]
    sb = run(cfg, [acc(ev, csr.CSROp.WRITE, of), acc(ev, csr.CSROp.CLEAR, 0)] + idle(3))
    assert not sb.bins.hits[("setclr", "mhpmevent3", "OF", "clear")]


def test_warl_selector_boundaries_and_carry_read():
    cfg = CONFIGS["4x40"]
    n = cfg.num_selectors
    seq = [acc(csr.mhpmevent(4), csr.CSROp.WRITE, n), acc(csr.mhpmevent(4), csr.CSROp.WRITE, n - 1)]
    sb = run(cfg, seq + idle(3))
    assert sb.bins.hits[("warl", "mhpmevent4", "first_illegal")]
    assert sb.bins.hits[("warl", "mhpmevent4", "last_legal")]
    assert not sb.bins.hits[("warl", "mhpmevent4", "above")]
    # mcycle's low half wraps at the edge before the read: the split carry is pending
    wrap = [acc(csr.MCYCLE, csr.CSROp.WRITE, 0xFFFF_FFFE)] + [acc(csr.MCYCLE)] * 5
    assert run(cfg, wrap + idle(3)).bins.hits[("carry", csr.CY)]
    assert not run(cfg, [acc(csr.MCYCLE, csr.CSROp.WRITE, 5)] + [acc(csr.MCYCLE)] * 5
                   + idle(3)).bins.hits[("carry", csr.CY)]


def test_overflow_stages_are_attributed_to_the_counter_that_overflowed():
    cfg = CONFIGS["4x40"]
    top = (1 << 40) - 1
    seq = write_event(cfg, 6, csr.EVENT_CYCLES) + [acc(csr.mhpmcounter(6), csr.CSROp.WRITE, top)]
    seq += idle(3) + [acc(csr.SCOUNTOVF), acc(csr.MIP, csr.CSROp.CLEAR, 1 << 13)] + idle(3)
    hits = run(cfg, seq).bins.hits
    assert all(hits[("overflow", 6, st)] for st in ("of", "scountovf", "lcofip", "ack"))
    assert not any(hits[("overflow", 5, st)] for st in ("of", "scountovf", "lcofip", "ack"))


def test_rules_table_numbers_and_applicability():
    assert [r.number for r in rules.RULES] == list(range(1, 43))
    default = {r.number for r in rules.applicable(PMUConfig())}
    assert {24, 28, 35, 40, 41, 42} & default == set()  # the core's, or not implemented
    assert {3, 22, 36, 18} & default == set()  # RV32 only, without Sscofpmf, all implemented
    rv32 = {r.number for r in rules.applicable(PMUConfig(xlen=32, sscofpmf=False))}
    assert {3, 22, 36} <= rv32 and 4 not in rv32
    assert "S-mode" in rules.why_not(rules.BY_NUMBER[13], PMUConfig(has_s=False, has_h=False))


def test_unused_request_fields_do_not_matter():
    """A read's wdata is not data: a READ never hits a set/clear bin."""
    cfg = CONFIGS["4x40"]
    req = CSRRequest(csr.MCOUNTINHIBIT, csr.CSROp.READ, 0xFFFF, csr.Mode.M)
    sb = run(cfg, [PortInputs(req)] + idle(3))
    assert not any(k[0] == "setclr" and sb.bins.hits[k] for k in sb.bins.goals)
