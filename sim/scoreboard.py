"""The scoreboard: the golden model fed with the same stimulus, compared every checked cycle."""

from __future__ import annotations

from rvpmu.config import PMUConfig
from rvpmu.csrmap import lookup
from rvpmu.model.cycle import PMUPorts, PortInputs, PortOutputs

from .bins import CounterBins
from .coverage import Coverage


class Mismatch(AssertionError):
    """The design answered differently from the model; the message says how to reproduce it."""


class Scoreboard:
    def __init__(self, config: PMUConfig, *, seed: int, label: str = ""):
        self.config = config
        self.model = PMUPorts(config)
        self.coverage = Coverage(config)
        self.bins = CounterBins(config)
        self.seed = seed
        self.label = label
        self.checked_cycles = 0
        self.accesses = 0
        self.history: list[str] = []

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
        self.history = (self.history + [f"cycle {self.checked_cycles}: {inp}"])[-6:]
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
            raise Mismatch(
                f"{self.label} seed {self.seed}: design and model differ after checked cycle "
                f"{self.checked_cycles - 1} (model cycle {self.model.hart.cycle}):\n"
                f"  model:  {want}\n  design: {got}\n  recent inputs:\n    "
                + "\n    ".join(self.history)
                + f"\n  reproduce with: rvpmu sim --seed {self.seed}")

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
