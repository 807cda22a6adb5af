"""The hardware underneath the vPMU: a four-operation backend interface.

The vPMU (in KVM's place, with the host perf driver and the SBI firmware folded in) only ever
needs to:

* ``read_csr(addr)`` / ``write_csr(addr, value)``: access a PMU CSR in M-mode, in a clock
  cycle of its own during which the PMU is halted (nothing counts);
* ``advance(cycles, stream, mode)``: run up to ``cycles`` clock cycles in privilege ``mode`` with
  the per-cycle stimulus ``stream.at(i)`` (see ``stream.py``), stopping early right after a cycle
  at the end of which LCOFIP is set; it returns the number of cycles run;
* ``lcofip()``: observe the local counter-overflow interrupt request (mip bit 13).

Design for asynchronous simulators (docs/kvm-model.md, "Backends"): the KVM logic stays plain
synchronous Python against ``PMUBackend``. A simulator whose operations are coroutines (cocotb
driving the RTL) implements ``AsyncPMUBackend`` and is wrapped in ``BlockingBackend`` together
with a *resume* function that turns a coroutine function into a blocking call from a worker
thread: ``cocotb.task.resume`` inside a ``cocotb.task.bridge`` thread, or ``asyncio_resume(loop)``
for asyncio. Only one side runs at a time (the simulator is paused while the model thread works),
so the same scenario code runs unchanged and cycle-for-cycle identically on every backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from rvpmu import csr
from rvpmu.config import PMUConfig

from ..hart import HartPMU


class Stimulus(Protocol):
    def at(self, cycle: int) -> tuple[tuple[int, ...], int]:
        """(occurrences of each event input, as the pins carry them; instructions retired)."""


@runtime_checkable
class PMUBackend(Protocol):
    """A synchronous hardware PMU (see the module docstring)."""

    name: str
    config: PMUConfig

    def read_csr(self, addr: int) -> int: ...

    def write_csr(self, addr: int, value: int) -> None: ...

    def advance(self, cycles: int, stream: Stimulus, mode: csr.Mode) -> int: ...

    def lcofip(self) -> bool: ...


class AsyncPMUBackend(Protocol):
    """The same four operations as coroutines (a cocotb testbench, an async board link)."""

    name: str
    config: PMUConfig

    async def read_csr(self, addr: int) -> int: ...

    async def write_csr(self, addr: int, value: int) -> None: ...

    async def advance(self, cycles: int, stream: Stimulus, mode: csr.Mode) -> int: ...

    async def lcofip(self) -> bool: ...


MAX_CLOSED_FORM_PERIOD = 1 << 12  # a longer event pattern is stepped cycle by cycle


class HartBackend:
    """The hart PMU golden model as a backend (``KvmVcpuPmu(HartPMU(...))`` wraps it so)."""

    name = "hart-model"

    def __init__(self, hart: HartPMU):
        self.hart = hart
        self.config = hart.config

    # Each access is one clock cycle with the PMU halted, as on the RTL and on a board (where
    # the host's CSR traffic takes real cycles): the counters only move in ``advance``, and a
    # written value is exactly what the next counted cycle starts from.
    def read_csr(self, addr: int) -> int:
        value = self.hart.csr_read(addr, csr.Mode.M)
        self.hart.step(halted=True)
        return value

    def write_csr(self, addr: int, value: int) -> None:
        self.hart.csr_write(addr, value, csr.Mode.M)
        self.hart.step(halted=True)

    def advance(self, cycles: int, stream: Stimulus, mode: csr.Mode) -> int:
        hart = self.hart
        if getattr(stream, "period", None) == 1 and cycles > 0:
            # The same stimulus every cycle: jump, in closed form, to the end or to the cycle
            # whose overflow sets LCOFIP (exactly what stepping would do, only faster).
            events, retired = stream.at(0)
            n = 1 if hart.lcofip else cycles
            k = hart.cycles_until_lcofi(retired=retired, mode=mode, counts=events)
            if k is not None:
                n = min(n, k)
            hart.advance(n, [c * n for c in events], retired * n, mode=mode)
            return n
        done = self._whole_periods(cycles, stream, mode)
        for i in range(done, cycles):
            events, retired = stream.at(i)
            hart.step(counts=events, retired=retired, mode=mode)
            if hart.lcofip:
                return i + 1
        return cycles

    def _whole_periods(self, cycles: int, stream: Stimulus, mode: csr.Mode) -> int:
        """A repeating stream: jump, in closed form, over the whole periods in which no counter
        can overflow (its count is then below its limit at every cycle); the caller steps the
        rest, at most about one period. Returns the cycles jumped."""
        hart, cfg = self.hart, self.config
        period = getattr(stream, "period", None)
        if not period or period > MAX_CLOSED_FORM_PERIOD or cycles < 2 * period or hart.lcofip:
            return 0
        per: dict[int, int] = {}
        events = [0] * len(cfg.events)
        retired = 0
        for i in range(period):
            counts, r = stream.at(i)
            for idx, inc in hart.increments(retired=r, mode=mode, counts=counts).items():
                per[idx] = per.get(idx, 0) + inc
            events = [e + c for e, c in zip(events, counts)]
            retired += r
        mask = (1 << cfg.counter_width) - 1
        k = (cycles - period) // period
        for idx in cfg.hpm_indices:
            if per.get(idx) and cfg.sscofpmf and not hart.mhpmevent[idx] >> csr.MHPMEVENT_OF & 1:
                k = min(k, (mask - hart.counters[idx]) // per[idx])
        if k <= 0:
            return 0
        hart.advance(k * period, [e * k for e in events], retired * k, mode=mode)
        return k * period

    def lcofip(self) -> bool:
        return self.hart.lcofip


class AsyncHartBackend:
    """The hart model behind coroutines, yielding to the event loop every cycle like a simulator.

    The reference ``AsyncPMUBackend``: the tests run the scenarios through it and
    ``BlockingBackend`` to show that the bridge reproduces the synchronous traces exactly.
    """

    name = "hart-model-async"

    def __init__(self, hart: HartPMU):
        self._sync = HartBackend(hart)
        self.config = hart.config

    async def read_csr(self, addr: int) -> int:
        await asyncio.sleep(0)
        return self._sync.read_csr(addr)

    async def write_csr(self, addr: int, value: int) -> None:
        await asyncio.sleep(0)
        self._sync.write_csr(addr, value)

    async def advance(self, cycles: int, stream: Stimulus, mode: csr.Mode) -> int:
        hart = self._sync.hart
        for i in range(cycles):
            await asyncio.sleep(0)  # a clock edge
            events, retired = stream.at(i)
            hart.step(counts=events, retired=retired, mode=mode)
            if hart.lcofip:
                return i + 1
        return cycles

    async def lcofip(self) -> bool:
        return self._sync.lcofip()


Resume = Callable[[Callable[..., Awaitable[Any]]], Callable[..., Any]]


class BlockingBackend:
    """A synchronous facade over an ``AsyncPMUBackend``, for use from a bridge thread.

    ``resume`` converts a coroutine function into a blocking function callable from the worker
    thread the model runs in: pass ``cocotb.task.resume`` (model started with
    ``cocotb.task.bridge``) or ``asyncio_resume(loop)``.
    """

    def __init__(self, backend: AsyncPMUBackend, resume: Resume):
        self._backend = backend
        self.name = getattr(backend, "name", type(backend).__name__)
        self.config = backend.config
        self._read = resume(backend.read_csr)
        self._write = resume(backend.write_csr)
        self._advance = resume(backend.advance)
        self._lcofip = resume(backend.lcofip)

    def read_csr(self, addr: int) -> int:
        return self._read(addr)

    def write_csr(self, addr: int, value: int) -> None:
        self._write(addr, value)

    def advance(self, cycles: int, stream: Stimulus, mode: csr.Mode) -> int:
        return self._advance(cycles, stream, mode)

    def lcofip(self) -> bool:
        return self._lcofip()


def asyncio_resume(loop: asyncio.AbstractEventLoop) -> Resume:
    """The asyncio counterpart of ``cocotb.task.resume`` for a model running in another thread."""

    def resume(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        def blocking(*args: Any) -> Any:
            return asyncio.run_coroutine_threadsafe(fn(*args), loop).result()
        return blocking

    return resume


def as_backend(hw: object) -> PMUBackend:
    """Accept a ``HartPMU`` or anything implementing ``PMUBackend``."""
    if isinstance(hw, HartPMU):
        return HartBackend(hw)
    if asyncio.iscoroutinefunction(getattr(hw, "read_csr", None)):
        raise TypeError(f"{type(hw).__name__} is asynchronous: wrap it in BlockingBackend(hw, "
                        "resume) and run the model in a bridge thread (docs/kvm-model.md)")
    if isinstance(hw, PMUBackend):
        return hw
    raise TypeError("KvmVcpuPmu needs a HartPMU or a PMU backend with name, config, read_csr, "
                    f"write_csr, advance and lcofip; got {type(hw).__name__}")
