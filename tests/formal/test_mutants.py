"""The proofs catch bugs: a deliberately broken design fails the property it breaks.

The mutations live here, injected through ``PMU.counter_class`` (a subclass) or by replacing
the access-check builder for one test; the shipped design is untouched.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal

from rvpmu.hdl import formal, pmu
from rvpmu.hdl.counter import PipelinedCounter, write_bits
from rvpmu.hdl.pmu import PMU

from .helpers import CONFIGS, require_tools


class IncrementWinsCounter(PipelinedCounter):
    """The classic bug (cva6#1965, VexRiscv#341): the increment wins over the CSR write."""

    def elaborate(self, platform):
        if self.split:  # mcycle/minstret: the small configurations' HPM counters are narrow
            return super().elaborate(platform)
        m = Module()
        w = self.width
        count = Signal(w)
        total = Signal(max(w, self.inc_width) + 1)
        m.d.comb += [self.value.eq(count), self.raw.eq(count), total.eq(count + self.inc),
                     self.overflow.eq(total[w:].any())]
        with m.If(self.inc != 0):
            m.d.sync += count.eq(total[:w])
        with m.Else():
            m.d.sync += count.eq(write_bits(self.wop_lo, count, self.wdata[:w]))
        return m


class OverflowOnWriteCounter(PipelinedCounter):
    """Reports the carry of the dropped increment when a write wins (rule 30 broken)."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        if self.split:
            return m
        total = Signal(max(self.width, self.inc_width) + 1)
        m.d.comb += total.eq(self.raw + self.inc)
        with m.If((self.wop_lo | self.wop_hi).any()):
            m.d.comb += self.overflow.eq(total[self.width:].any())
        return m


class IncrementWinsPMU(PMU):
    counter_class = IncrementWinsCounter


class OverflowOnWritePMU(PMU):
    counter_class = OverflowOnWriteCounter


def _prove(tmp_path, config, prop, pmu_class=PMU, depth=None):
    [result] = formal.run(config, tmp_path, properties=[prop], modes=("prove",),
                          pmu_class=pmu_class, depth=depth)
    return result


def test_increment_winning_over_write_fails_write(tmp_path):
    require_tools()
    # From reset: select an event (performed in cycle 1), then a write of the counter
    # performed while that event's increment is added: cycle 3, found at depth 5.
    result = _prove(tmp_path, CONFIGS["rv64"], "write", IncrementWinsPMU, depth=5)
    assert result.status == "FAIL", formal.table([result])
    assert 'check("write"' in result.detail and "counterexample" in result.detail, result.detail
    assert (result.workdir / "engine_0" / "trace.vcd").is_file()


def test_overflow_on_write_fails_overflow(tmp_path):
    require_tools()
    # From reset: select an event, write the counter to all ones, then write it again while
    # the increment would carry: OF must stay 0. Depth 5 reaches that counterexample (at the
    # default depth 3 the induction step alone already fails: status UNKNOWN).
    result = _prove(tmp_path, CONFIGS["rv32"], "overflow", OverflowOnWritePMU, depth=5)
    assert result.status == "FAIL", formal.table([result])
    assert "counterexample" in result.detail and 'check("overflow"' in result.detail, \
        result.detail


def test_overflow_on_write_fails_lcofip(tmp_path):
    """The same bug raises LCOFIP for a carry that never happened (rule 31): lcofip, stated
    over the PMU's OF sets and each set's match with the expected one, catches it."""
    require_tools()
    result = _prove(tmp_path, CONFIGS["rv32"], "lcofip", OverflowOnWritePMU, depth=5)
    assert result.status == "FAIL", formal.table([result])
    assert 'check("lcofip"' in result.detail, result.detail


def test_the_same_properties_hold_for_the_shipped_counter(tmp_path):
    require_tools()
    assert _prove(tmp_path / "w", CONFIGS["rv64"], "write").passed
    assert _prove(tmp_path / "o", CONFIGS["rv32"], "overflow").passed


def test_scounteren_ignored_in_u_mode_fails_access(tmp_path, monkeypatch):
    """Rule 13's bug pattern (sargantana#63): U-mode access not revoked by scounteren."""
    require_tools()
    real = pmu.counter_enable_exception

    def ignore_scounteren(m, cfg, index, mode_is, men, sen, hen):
        return real(m, cfg, index, mode_is, men, sen | ~sen, hen)  # all ones

    monkeypatch.setattr(pmu, "counter_enable_exception", ignore_scounteren)
    # From reset: mcounteren written (performed in cycle 1), then a U-mode read of cycle
    # answered in cycle 4 with no exception: depth 6 reaches it.
    result = _prove(tmp_path, CONFIGS["rv64"], "access", depth=6)
    assert result.status == "FAIL", formal.table([result])
    assert 'check("access", rsp.exc' in result.detail, result.detail
