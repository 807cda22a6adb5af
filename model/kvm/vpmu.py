"""``KvmVcpuPmu``: the public face of the model, what a guest sees of one vCPU's virtual PMU.

Every public operation is a guest action or observation and is appended to ``self.trace``
(``trace.py``): SBI calls, counter CSR reads, runs, firmware events, guest memory accesses,
LCOFI observations. The state machine lives in ``state.py`` and the calls in ``counters.py`` /
``calls.py``; the hardware is reached only through the backend (``backend.py``) by the host
perf layer (``host.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rvpmu import csr, sbi
from rvpmu.csrmap import by_name

from ..errors import IllegalInstruction
from ..inputs import parse_mode
from . import calls, counters
from .backend import as_backend
from .host import HostPerf
from .memory import DEFAULT_REGIONS, GuestMemory, GuestMemoryView
from .profiles import get_profile
from .state import KVM_SBI_VERSION, U64, VcpuState
from .stream import EventStream
from .trace import EXCEPTION_ILLEGAL, FORMAT, VERSION, Trace

E = sbi.SbiError
F = sbi.Fid
_MAX_HOST_IRQ_ROUNDS = 8


def _u64(name: str, v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not -(1 << 63) <= v <= U64:
        raise ValueError(f"{name} must be a 64-bit integer, got {v!r}")
    return int(v) & U64


MAX_INTERRUPTS_PER_RUN = 10_000  # narrow counters overflow every few cycles: bound the work


class KvmVcpuPmu:
    """One vCPU's SBI PMU as Linux KVM implements it (``profile="kvm"``) or as the SBI
    specification requires (``profile="spec"``), on a hardware PMU backend.

    ``accumulate_on_read=True`` reproduces KVM's literal arithmetic of section 1.4 (every read
    adds the cumulative perf count again) instead of the intended value. ``memory`` is the guest
    memory map, regions ``(base, size, writable)``.
    """

    sbi_spec_version = KVM_SBI_VERSION

    def __init__(self, hw: object, profile: str = "kvm", *, accumulate_on_read: bool = False,
                 memory: Iterable[tuple[int, int, bool]] = DEFAULT_REGIONS):
        self.backend = as_backend(hw)
        cfg = self.config = self.backend.config
        if cfg.xlen != 64:
            raise ValueError("the KVM vPMU model is RV64 only (RV32 hosts: reference 7.4 item 15)")
        if not cfg.has_h:
            raise ValueError("KVM needs the hypervisor extension: this PMU has no VS/VU modes")
        if not isinstance(accumulate_on_read, bool):
            raise ValueError("accumulate_on_read must be True or False, "
                             f"got {accumulate_on_read!r}")
        self.profile = get_profile(profile)
        self._mem = GuestMemory(memory)
        self.host = HostPerf(self.backend)
        self.host.init_hardware()
        self.state = VcpuState(self.host, self._mem, self.profile, accumulate_on_read)
        self.trace = Trace({
            "format": FORMAT, "version": VERSION, "profile": self.profile.name,
            "accumulate_on_read": accumulate_on_read, "config": cfg.to_dict(),
            "memory": self._mem.describe(), "backend": self.backend.name,
        })
        self.guest_memory = GuestMemoryView(self._mem, self._record)

    # -- trace ---------------------------------------------------------------------------------

    def _record(self, op: str, inputs: Mapping[str, Any], result: dict | None) -> None:
        rec: dict[str, Any] = {"op": op, **inputs}
        if result is not None:
            rec["result"] = result
        self.trace.records.append(rec)

    def note(self, text: str) -> None:
        """Annotate the trace (scenario steps); no effect on the model."""
        self._record("note", {"text": str(text)}, None)

    def _host_sync(self) -> None:
        """Commit host CSR writes; serve an overflow interrupt the backend may have raised."""
        self.host.settle()
        for _ in range(_MAX_HOST_IRQ_ROUNDS):
            if not self.backend.lcofip():
                return
            self.host.handle_irq()
            self.host.settle()

    # -- SBI -----------------------------------------------------------------------------------

    def probe(self) -> int:
        """``sbi_probe_extension(PMU)``: 1 if the vPMU exists, else 0 (section 2.0)."""
        value = int(self.state.init_done)
        self._record("probe", {}, {"value": value})
        return value

    def ecall(self, fid: int, a0: int = 0, a1: int = 0, a2: int = 0, a3: int = 0, a4: int = 0,
              a5: int = 0) -> tuple[int, int]:
        """An SBI PMU call: returns ``(error, value)`` (error negative on failure)."""
        fid = _u64("fid", fid)
        args = [_u64(f"a{i}", a) for i, a in enumerate((a0, a1, a2, a3, a4, a5))]
        err, value = self._dispatch(fid, *args)
        self._host_sync()
        name = F(fid).name.lower() if fid in set(F) else "unknown"
        self._record("ecall", {"fid": fid, "fn": name, "args": args},
                     {"error": int(err), "value": value})
        return int(err), value

    def _dispatch(self, fid: int, a0: int, a1: int, a2: int, a3: int, a4: int,
                  a5: int) -> tuple[int, int]:
        """``kvm_sbi_ext_pmu_handler`` (section 2.0)."""
        st = self.state
        if not st.init_done:
            return E.NOT_SUPPORTED, 0
        if fid == F.NUM_COUNTERS:
            return calls.num_counters(st)
        if fid == F.COUNTER_GET_INFO:
            return calls.get_info(st, a0)
        if fid == F.COUNTER_CFG_MATCH:
            return counters.cfg_match(st, a0, a1, a2, a3, a4)
        if fid == F.COUNTER_START:
            return counters.start(st, a0, a1, a2, a3)
        if fid == F.COUNTER_STOP:
            return counters.stop(st, a0, a1, a2)
        if fid == F.COUNTER_FW_READ:
            return calls.fw_read(st, a0)
        if fid == F.COUNTER_FW_READ_HI:
            return calls.fw_read_hi(st, a0)
        if fid == F.SNAPSHOT_SET_SHMEM:
            return calls.set_shmem(st, a0, a1, a2)
        if fid == F.EVENT_GET_INFO:
            return calls.event_get_info(st, a0, a1, a2, a3)
        return E.NOT_SUPPORTED, 0

    # -- counter CSRs (section 3.3) ------------------------------------------------------------

    def guest_csr_read(self, csr_num: int | str) -> int:
        """A VS-mode read of cycle/instret/hpmcounterN: KVM traps it (``hcounteren = 0x2``) and
        emulates it, or injects an illegal-instruction exception (raised here)."""
        addr = self._counter_csr(csr_num)
        try:
            value = self._read_hpm(addr)
        except IllegalInstruction:
            self._host_sync()
            self._record("csr_read", {"csr": addr}, {"exception": EXCEPTION_ILLEGAL})
            raise
        self._host_sync()
        self._record("csr_read", {"csr": addr}, {"value": value})
        return value

    def _counter_csr(self, csr_num: int | str) -> int:
        if isinstance(csr_num, str):
            try:
                addr = by_name(self.config, csr_num).addr
            except KeyError:
                raise ValueError(f"{csr_num!r} is not a counter CSR name (cycle, instret, "
                                 "hpmcounter3..31)") from None
        elif isinstance(csr_num, bool) or not isinstance(csr_num, int):
            raise ValueError(f"CSR must be a number or a name, got {csr_num!r}")
        else:
            addr = csr_num
        if addr in (csr.TIME, csr.TIMEH):
            raise ValueError("time is read natively by the guest (hcounteren.TM = 1); the vPMU "
                             "model has no timer")
        if not (csr.HPMCOUNTER_BASE <= addr < csr.HPMCOUNTER_BASE + 32
                or csr.HPMCOUNTERH_BASE <= addr < csr.HPMCOUNTERH_BASE + 32):
            raise ValueError(f"CSR 0x{addr:X} is not a counter CSR (0xC00..0xC1F)")
        return addr

    def _read_hpm(self, addr: int) -> int:
        """``kvm_riscv_vcpu_pmu_read_hpm``."""
        st = self.state

        def illegal(reason: str) -> IllegalInstruction:
            return IllegalInstruction(addr, csr.Mode.VS, csr.CSROp.READ, reason)

        if addr >= csr.HPMCOUNTERH_BASE:
            raise illegal("RV64 has no high-half counter CSRs")
        if not st.init_done:
            if addr in (csr.CYCLE, csr.INSTRET):
                return 0  # legacy guests without Sscofpmf read 0 instead of trapping
            raise illegal("no vPMU on this host")
        cidx = addr - csr.HPMCOUNTER_BASE
        if cidx >= st.num_hw_ctrs and not st.quirk("csr_alias_fw_counters"):
            raise illegal(f"counter {cidx} is not a hardware counter of this vCPU")
        err, value = st.ctr_read(cidx)
        if err != E.SUCCESS:
            raise illegal(f"counter {cidx} is not configured or does not exist")
        return value

    # -- time, firmware events, interrupts, reset ----------------------------------------------

    def run(self, cycles: int, events: Mapping[str, object] | None = None, mode: str = "VS",
            stop_on_lcofi: bool = False) -> int:
        """Run the guest for ``cycles`` clock cycles in ``mode`` with the event stream
        ``events`` (stream.py). With ``stop_on_lcofi`` the run ends as soon as LCOFI is pending
        for the guest (its interrupt would be taken). Returns the cycles run."""
        if isinstance(cycles, bool) or not isinstance(cycles, int) or cycles < 0:
            raise ValueError(f"cycles must be a non-negative integer, got {cycles!r}")
        if not isinstance(stop_on_lcofi, bool):
            raise ValueError(f"stop_on_lcofi must be True or False, got {stop_on_lcofi!r}")
        m = parse_mode(mode)
        if m not in self.config.modes:
            raise ValueError(f"mode {m.name} does not exist on this hart")
        stream = EventStream(self.config, events)
        done = interrupts = 0
        while done < cycles and not (stop_on_lcofi and self.state.lcofi_pending):
            n = self.backend.advance(cycles - done, stream.shifted(done), m)
            done += n
            if self.backend.lcofip():
                interrupts += 1
                if interrupts > MAX_INTERRUPTS_PER_RUN:  # each one is served in Python
                    raise ValueError(f"a run of {cycles:,} cycles takes more than "
                                     f"{MAX_INTERRUPTS_PER_RUN:,} host overflow interrupts "
                                     f"(after {done:,} cycles); run fewer cycles")
                self.host.handle_irq()
                self.host.settle()
            elif n <= 0:
                raise RuntimeError(f"backend {self.backend.name} advanced no cycle")
        self._record("run", {"cycles": cycles, "mode": m.name, "events": stream.description(),
                             "stop_on_lcofi": stop_on_lcofi},
                     {"cycles": done, "lcofi_pending": self.state.lcofi_pending})
        return done

    def fw_event(self, code: int | str, count: int = 1) -> None:
        """Firmware event ``code`` (SBI meaning, section 5.1) happened ``count`` times."""
        ev = sbi.parse_fw_event(code)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count must be a non-negative integer, got {count!r}")
        self.state.incr_fw(ev, count)
        self._record("fw_event", {"code": int(ev), "name": ev.name, "count": count}, None)

    @property
    def lcofi_pending(self) -> bool:
        """The guest's pending LCOFI (an observation: recorded in the trace)."""
        value = self.state.lcofi_pending
        self._record("lcofi", {}, {"pending": value})
        return value

    @lcofi_pending.setter
    def lcofi_pending(self, value: bool) -> None:
        if value is not False:
            raise ValueError("the guest can only clear LCOFIP (KVM syncs only the clearing)")
        self.clear_lcofi()

    def clear_lcofi(self) -> None:
        """The guest clears sip.LCOFIP (section 4.3)."""
        self.state.lcofi_pending = False
        self._record("lcofi_clear", {}, None)

    def reset(self) -> None:
        """vCPU reset: ``kvm_riscv_vcpu_pmu_reset`` (section 1.5)."""
        self.state.reset()
        self._host_sync()
        self._record("reset", {}, None)
