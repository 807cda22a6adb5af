"""The scoreboard: the golden model fed with the same stimulus, compared every checked cycle.

One scoreboard for every design under check. Cycle level (``check``, ``expect``): a testbench
that sees every pin every cycle (the cocotb regression). Transaction level (``advance`` for
cycles the design ran on its own; ``check_access`` and ``check_run`` for a design seen only
through its answers): the long regression and the board check (``rvpmu.boards.host.checks``).
It needs no simulator.
"""

from __future__ import annotations

from rvpmu.config import PMUConfig
from rvpmu.csrmap import lookup
from rvpmu.model.cycle import CSRRequest, CSRResponse, PMUPorts, PortInputs, PortOutputs

from .bins import CounterBins
from .coverage import Coverage


class Mismatch(AssertionError):
    """The design answered differently from the model; the message says how to reproduce it."""


class Scoreboard:
    def __init__(self, config: PMUConfig, *, seed: int, label: str = "",
                 reproduce: str | None = None):
        self.config = config
        self.reproduce = reproduce or f"rvpmu sim --seed {seed}"
        self.model = PMUPorts(config)
        self.coverage = Coverage(config)
        self.bins = CounterBins(config)
        self.seed = seed
        self.label = label
        self.checked_cycles = 0
        self.accesses = 0
        self.history: list = []  # the latest steps, formatted only for a mismatch message

    def expect(self, inp: PortInputs) -> PortOutputs:
        """Advance the model by the cycle ``inp`` describes; return what the design must show."""
        before = self.model.hart.snapshot()
        applied = self.model.in_flight  # the increments this edge adds
        out = self.model.clock(inp)
        wrote = None
        if self.model.performed is not None:  # the access performed in this cycle
            req, rsp = self.model.performed
            self.accesses += 1
            self.coverage.sample_access(req, rsp, before)
            self.bins.sample_access(req, rsp, before)
            info = lookup(self.config, req.addr)
            if info is not None and req.op != 0 and rsp.exc == 0:
                wrote = info.reg
        after = self.model.hart.snapshot()
        self.coverage.sample_cycle(before, after, inp.halt, wrote)
        self.bins.sample_step(before, after, inp.mode, inp.halt, self.model.in_flight, applied,
                              wrote)
        self.history = (self.history + [(self.checked_cycles, inp)])[-6:]
        return out

    def check(self, inp: PortInputs, got: PortOutputs, lcofi_set: bool | None = None) -> None:
        """Compare every output of one cycle; ``lcofi_set`` too when the top has it."""
        want = self.expect(inp)
        self.checked_cycles += 1
        want_set = self.model.lcofi_set() if lcofi_set is not None else None
        self.bins.sample_ports(("csr_rsp", "lcofip", "counteren")
                               + (("lcofi_set",) if lcofi_set is not None else ()))
        if got != want or lcofi_set != want_set:
            if lcofi_set != want_set:
                want, got = f"{want} lcofi_set={want_set}", f"{got} lcofi_set={lcofi_set}"
            raise self._mismatch(f"after checked cycle {self.checked_cycles - 1}", want, got)

    def check_answer(self, inputs: list[PortInputs], got: PortOutputs,
                     lcofi_set: bool | None = None) -> None:
        """Cycles the pins are compared at the last of: an access's request and the cycles
        until its answer, where the response and every other output show the outcome (the
        long regression). The model steps every one of them."""
        for inp in inputs[:-1]:
            self.expect(inp)
            self.checked_cycles += 1
        self.check(inputs[-1], got, lcofi_set)

    def _mismatch(self, where: str, want, got) -> Mismatch:
        return Mismatch(
            f"{self.label} seed {self.seed}: design and model differ {where} (model cycle "
            f"{self.model.hart.cycle}):\n  model:  {want}\n  design: {got}\n  recent inputs:"
            "\n    " + "\n    ".join(h if isinstance(h, str) else f"cycle {h[0]}: {h[1]}"
                                   for h in self.history)
            + f"\n  reproduce with: {self.reproduce}")

    # -- transaction level ---------------------------------------------------------------------

    def check_access(self, req: CSRRequest, got: CSRResponse, lcofip: bool) -> None:
        """One CSR access made with the PMU halted, as a design answers it once the response
        is out (``got``, and LCOFIP after it)."""
        out = self.expect(PortInputs(req, halt=True))
        for _ in range(self.model.latency - 1):
            out = self.expect(PortInputs(None, halt=True))
        self.checked_cycles += self.model.latency
        if (out.csr_rsp, out.lcofip) != (got, lcofip):
            raise self._mismatch(f"at {req.op.name} of CSR 0x{req.addr:03X} in "
                                 f"{req.mode.name} (response, lcofip)", (out.csr_rsp, out.lcofip),
                                 (got, lcofip))

    def check_run(self, cycles: int, source, t: int, mode, got_cycles: int, lcofip: bool, *,
                  stop_on_lcofip: bool = False) -> int:
        """A run of the design's run control: ``cycles`` cycles of events from ``source``
        from its cycle ``t`` in ``mode``, with ``stop_on_lcofip`` ending right after the cycle
        whose events set LCOFIP; then halted until nothing is in flight. ``got_cycles`` and
        ``lcofip``: what the design reports. Returns the cycles the run took."""
        ran = cycles
        if not stop_on_lcofip:
            self.advance(cycles, source, t, mode, False)
        else:
            for i in range(cycles):
                out = self.expect(PortInputs(None, *source.at(t + i), mode))
                self.checked_cycles += 1
                if out.lcofip or self.model.lcofi_set():  # as the run control sees it
                    ran = i + 1
                    break
        for _ in range(self.model.latency):
            self.expect(PortInputs(None, halt=True))
        if (got_cycles, lcofip) != (ran, self.model.hart.lcofip):
            raise self._mismatch(f"at a run of {cycles} cycles in {mode.name}"
                                 + (" stopping at LCOFIP" if stop_on_lcofip else "")
                                 + " (cycles, lcofip)", (ran, self.model.hart.lcofip),
                                 (got_cycles, lcofip))
        return ran

    def advance(self, cycles: int, source, t: int, mode, halt: bool) -> None:
        """Cycles the design ran on its own: events from ``source`` (the generator) from its
        cycle ``t``, no CSR access."""
        if cycles <= 0:
            return
        before = self.model.hart.snapshot()
        self.model.run(cycles, lambda k, n: source.totals(t + k, n),
                       lambda k: source.at(t + k), mode, halt)
        after = self.model.hart.snapshot()
        self.coverage.sample_cycle(before, after, halt, None)
        self.bins.sample_overflow(before, after, None)
        self.checked_cycles += cycles
        self.history = (self.history + [f"{cycles} free-running cycles in {mode.name}"
                                        + (" halted" if halt else "")])[-6:]
