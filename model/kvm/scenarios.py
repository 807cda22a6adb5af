"""The upstream selftest's four scenarios (``sbi_pmu_test.c``, reference section 6) as guest code.

The scenarios only use the public ``KvmVcpuPmu`` API, so they run unchanged on any backend (the
hart model, a cocotb testbench through ``BlockingBackend``, a board). ``GuestAssert`` is the
selftest's ``GUEST_ASSERT``. The guest's busy loop ``dummy_func_loop(n)`` is ``n`` iterations of
``LOOP_BODY_CYCLES`` cycles retiring one instruction each; ``udelay`` is ``UDELAY_CYCLES``.
"""

from __future__ import annotations

from collections.abc import Callable

from rvpmu import sbi

from ..errors import IllegalInstruction
from .memory import snapshot_value_addr
from .vpmu import KvmVcpuPmu

E, F = sbi.SbiError, sbi.Fid
ULONG_MAX = (1 << 64) - 1
SNAPSHOT_GPA = 1 << 30  # section 6.1: one page at GPA BIT(30)
LOOP_ITERATIONS = 10000
LOOP_BODY_CYCLES = 3
UDELAY_CYCLES = 1000
OVERFLOW_IRQNUM_DEFAULT = 5
CPU_CYCLES = sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.CPU_CYCLES)
INSTRUCTIONS = sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.INSTRUCTIONS)


class GuestAssert(AssertionError):
    """A failed ``GUEST_ASSERT`` of the selftest."""


class Guest:
    """The selftest's guest-side helpers (section 6.1) on one vPMU."""

    def __init__(self, vpmu: KvmVcpuPmu, loop_iterations: int = LOOP_ITERATIONS):
        self.v = vpmu
        self.loop_iterations = loop_iterations
        self.counter_mask_available = 0
        self.ctrinfo: dict[int, int] = {}
        self.illegal_handler_invoked = False
        self.irq_handler: Callable[[], None] | None = None
        self.irq_count = 0
        self.counter_in_use = -1

    def check(self, cond: bool, what: str) -> None:
        if not cond:
            raise GuestAssert(what)

    def sbi(self, fid: int, *args: int) -> tuple[int, int]:
        return self.v.ecall(fid, *args)

    # -- helpers of sbi_pmu_test.c -------------------------------------------------------------

    def start_counter(self, c: int, flags: int, ival: int) -> None:
        err, _ = self.sbi(F.COUNTER_START, c, 1, flags, ival)
        self.check(err == E.SUCCESS, f"start of counter {c} failed with {err}")

    def stop_counter(self, c: int, flags: int) -> None:
        err, _ = self.sbi(F.COUNTER_STOP, c, 1, flags)
        self.check(err in (E.SUCCESS, E.ALREADY_STOPPED), f"stop of counter {c}: error {err}")

    def stop_reset_counter(self, c: int, flags: int) -> None:
        err, _ = self.sbi(F.COUNTER_STOP, c, 1, flags | sbi.StopFlag.RESET)
        self.check(err == E.ALREADY_STOPPED, f"stop+reset of counter {c}: error {err}, "
                   "expected ALREADY_STOPPED")

    def get_counter_index(self, cbase: int, cmask: int, cflags: int, event: int) -> int:
        err, idx = self.sbi(F.COUNTER_CFG_MATCH, cbase, cmask, cflags, event, 0)
        self.check(err == E.SUCCESS, f"config_matching for event 0x{event:X} failed with {err}")
        self.check(idx < 64 and bool(self.counter_mask_available >> idx & 1),
                   f"config_matching returned an unavailable counter {idx}")
        return idx

    def get_num_counters(self) -> int:
        err, n = self.sbi(F.NUM_COUNTERS)
        self.check(err == E.SUCCESS and n < 64, f"num_counters: error {err}, value {n}")
        return n

    def update_counter_info(self, n: int) -> None:
        for i in range(n):
            err, info = self.sbi(F.COUNTER_GET_INFO, i)
            if err != E.SUCCESS:
                continue  # gaps (index 1)
            self.check(info != 0, f"counter_get_info({i}) returned 0")
            self.ctrinfo[i] = info
            self.counter_mask_available |= 1 << i
        self.check(self.counter_mask_available != 0, "no counter available")

    def read_counter(self, idx: int) -> int:
        csr_num, _, fw = sbi.counter_info_fields(self.ctrinfo[idx])
        if not fw:
            return self.v.guest_csr_read(csr_num)
        err, value = self.sbi(F.COUNTER_FW_READ, idx)
        self.check(err == E.SUCCESS, f"fw_read({idx}) failed with {err}")
        return value

    def execute(self, cycles: int) -> None:
        """Run guest code; a pending LCOFI is taken by ``irq_handler`` when one is installed."""
        remaining = cycles
        for _ in range(cycles + 2 * OVERFLOW_IRQNUM_DEFAULT + 2):
            ran = self.v.run(remaining, stop_on_lcofi=self.irq_handler is not None)
            remaining -= ran
            if self.irq_handler is not None and self.v.lcofi_pending:
                self.irq_handler()
            if remaining == 0:
                return
        raise GuestAssert("the LCOFI handler does not make progress")

    def dummy_func_loop(self) -> None:
        self.execute(self.loop_iterations * LOOP_BODY_CYCLES)

    def udelay(self) -> None:
        self.execute(UDELAY_CYCLES)

    # -- snapshot area -------------------------------------------------------------------------

    def snapshot_value(self, i: int) -> int:
        return self.v.guest_memory.read_u64(snapshot_value_addr(SNAPSHOT_GPA, i))

    def set_snapshot_value(self, i: int, value: int) -> None:
        self.v.guest_memory.write_u64(snapshot_value_addr(SNAPSHOT_GPA, i), value)

    def snapshot_overflow_mask(self) -> int:
        return self.v.guest_memory.read_u64(SNAPSHOT_GPA + sbi.SNAPSHOT_OVERFLOW_OFFSET)

    def verify_sbi_requirement(self) -> None:
        self.check(self.v.probe() == 1, "the PMU extension is not available")
        self.check(self.v.sbi_spec_version >= (2, 0), "SBI spec version below 2.0")

    def set_snapshot_shmem(self) -> None:
        err, value = self.sbi(F.SNAPSHOT_SET_SHMEM, SNAPSHOT_GPA, 0, 0)
        self.check(err == E.SUCCESS and value == 0, f"snapshot_set_shmem failed with {err}")


# -- section 6.2 -------------------------------------------------------------------------------

def basic(g: Guest) -> None:
    """``test_pmu_basic_sanity``."""
    g.check(g.v.probe() == 1, "probe(PMU) != 1")
    n = g.get_num_counters()
    for i in range(n):
        err, info = g.sbi(F.COUNTER_GET_INFO, i)
        if err != E.SUCCESS:
            continue
        g.check(info != 0, f"counter_get_info({i}) returned 0")
        csr_num, _, fw = sbi.counter_info_fields(info)
        if not fw:
            try:
                g.v.guest_csr_read(csr_num)
            except IllegalInstruction:
                g.illegal_handler_invoked = True
            g.check(g.illegal_handler_invoked, f"reading unconfigured CSR 0x{csr_num:X} did not "
                    "trap")
        else:
            err, _ = g.sbi(F.COUNTER_FW_READ, i)
            g.check(err == E.INVALID_PARAM, f"fw_read({i}) without configure: error {err}")
            eidx = sbi.fw_event_idx(sbi.FwEvent.ACCESS_LOAD)
            err, idx = g.sbi(F.COUNTER_CFG_MATCH, i, 1, 0, eidx, 0)
            if err == E.SUCCESS:
                g.check(idx == i, f"config_matching on counter {i} returned {idx}")
                err, _ = g.sbi(F.COUNTER_FW_READ, i)
                g.check(err == E.SUCCESS, f"fw_read({i}) after configure failed with {err}")


# -- section 6.3 -------------------------------------------------------------------------------

def _test_pmu_event(g: Guest, event: int) -> None:
    c = g.get_counter_index(0, g.counter_mask_available, 0, event)
    pre = g.read_counter(c)
    g.start_counter(c, 0, 0)
    g.dummy_func_loop()
    g.stop_counter(c, 0)
    post = g.read_counter(c)
    g.check(post > pre, f"counter {c}: {post} not above {pre}")
    g.start_counter(c, sbi.StartFlag.SET_INIT_VALUE, ULONG_MAX // 2)
    g.stop_counter(c, 0)
    pre = g.read_counter(c)
    g.start_counter(c, sbi.StartFlag.SET_INIT_VALUE, 100)
    g.stop_counter(c, 0)
    post = g.read_counter(c)
    g.check(pre > post, f"counter {c}: {pre} not above {post}")
    g.start_counter(c, sbi.StartFlag.SET_INIT_VALUE, 100)
    g.dummy_func_loop()
    g.stop_counter(c, 0)
    post = g.read_counter(c)
    g.check(post > 100, f"counter {c}: {post} not above 100")
    g.stop_reset_counter(c, 0)


def events(g: Guest) -> None:
    """``test_pmu_events``."""
    g.update_counter_info(g.get_num_counters())
    err, _ = g.sbi(F.COUNTER_CFG_MATCH, 0, g.counter_mask_available, 0, 0x1234, 0)
    g.check(err == E.NOT_SUPPORTED, f"invalid event 0x1234: error {err}")
    for event in (CPU_CYCLES, INSTRUCTIONS):
        _test_pmu_event(g, event)


# -- section 6.4 -------------------------------------------------------------------------------

def _test_pmu_event_snapshot(g: Guest, event: int) -> None:
    take, init = sbi.StopFlag.TAKE_SNAPSHOT, sbi.StartFlag.INIT_SNAPSHOT
    c = g.get_counter_index(0, g.counter_mask_available, 0, event)
    pre = g.read_counter(c)
    g.start_counter(c, 0, 0)
    g.dummy_func_loop()
    g.stop_counter(c, take)
    post = g.snapshot_value(0)
    g.check(post > pre, f"snapshot of counter {c}: {post} not above {pre}")
    g.set_snapshot_value(0, ULONG_MAX // 2)
    g.start_counter(c, init, 0)
    g.stop_counter(c, take)
    pre = g.snapshot_value(0)
    g.set_snapshot_value(0, 100)
    g.start_counter(c, init, 0)
    g.stop_counter(c, take)
    post = g.snapshot_value(0)
    g.check(pre > post, f"snapshot of counter {c}: {pre} not above {post}")
    g.set_snapshot_value(0, 100)
    g.start_counter(c, init, 0)
    g.dummy_func_loop()
    g.stop_counter(c, take)
    g.check(g.snapshot_value(0) > 100, f"snapshot of counter {c} not above 100")
    g.stop_reset_counter(c, 0)


def snapshot(g: Guest) -> None:
    """``test_pmu_events_snaphost``."""
    g.verify_sbi_requirement()
    g.set_snapshot_shmem()
    n = g.get_num_counters()
    g.update_counter_info(n)
    g.check(g.snapshot_overflow_mask() == 0, "snapshot overflow mask not zeroed")
    for i in range(n):
        if g.counter_mask_available >> i & 1:
            g.check(g.snapshot_value(i) == 0, f"snapshot value {i} not zeroed")
    for event in (CPU_CYCLES, INSTRUCTIONS):
        _test_pmu_event_snapshot(g, event)


# -- section 6.5 -------------------------------------------------------------------------------

def _overflow_irq_handler(g: Guest) -> None:
    g.stop_counter(g.counter_in_use, sbi.StopFlag.TAKE_SNAPSHOT)
    g.v.clear_lcofi()
    g.check(bool(g.snapshot_overflow_mask() & 1), "overflow bit 0 not set in the snapshot")
    g.irq_count += 1


def _test_pmu_event_overflow(g: Guest, event: int) -> None:
    c = g.get_counter_index(0, g.counter_mask_available, 0, event)
    g.counter_in_use = c
    g.set_snapshot_value(0, ULONG_MAX - 10000)
    g.start_counter(c, sbi.StartFlag.INIT_SNAPSHOT, 0)
    g.dummy_func_loop()
    g.udelay()
    g.stop_counter(c, sbi.StopFlag.TAKE_SNAPSHOT)
    g.check(g.snapshot_value(0) < ULONG_MAX - 10000, "the counter did not wrap")
    g.stop_reset_counter(c, 0)


def overflow(g: Guest, irqnum: int = OVERFLOW_IRQNUM_DEFAULT) -> None:
    """``test_pmu_events_overflow``."""
    g.verify_sbi_requirement()
    g.set_snapshot_shmem()
    g.irq_handler = lambda: _overflow_irq_handler(g)  # csr_set(ie, LCOFIE); local_irq_enable()
    g.update_counter_info(g.get_num_counters())
    for event in (CPU_CYCLES, INSTRUCTIONS):
        g.irq_count = 0
        for _ in range(irqnum):
            _test_pmu_event_overflow(g, event)
        g.check(g.irq_count == irqnum, f"{g.irq_count} LCOFIs for event 0x{event:X}, "
                f"expected {irqnum}")


SCENARIOS: dict[str, Callable[[Guest], None]] = {
    "basic": basic, "events": events, "snapshot": snapshot, "overflow": overflow,
}


def unmet_requirement(config) -> str | None:
    """What a PMU configuration lacks for the selftest scenarios, or None if they apply.

    The selftest skips (``TEST_REQUIRE``) when the guest has no SBI PMU extension, and KVM
    offers none without host Sscofpmf or without a programmable counter wider than one bit
    (``VcpuState`` init, steps 1-2); the model itself takes RV64 hosts with the H extension.
    """
    if config.xlen != 64:
        return "an RV64 PMU (xlen = 64): the KVM vPMU model covers RV64 hosts only"
    if not config.has_h:
        return "the hypervisor extension (has_h = true): KVM guests run in VS/VU modes"
    if not config.sscofpmf:
        return "Sscofpmf (sscofpmf = true): KVM offers no vPMU without it"
    if config.num_counters == 0:
        return "a programmable counter (num_counters >= 1): KVM offers no vPMU without one"
    if config.counter_width < 2:
        return "counter_width >= 2: KVM offers no vPMU on 1-bit counters"
    return None


def run_scenario(name: str, vpmu: KvmVcpuPmu, loop_iterations: int = LOOP_ITERATIONS) -> None:
    """Run scenario ``name`` on ``vpmu`` (each selftest test runs in a fresh VM: pass a fresh
    vPMU). Raises ``GuestAssert`` if a guest assertion fails."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
    vpmu.trace.header["scenario"] = name
    vpmu.note(f"scenario {name} (sbi_pmu_test.c, kvm-vpmu.md section 6)")
    SCENARIOS[name](Guest(vpmu, loop_iterations))
