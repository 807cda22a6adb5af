"""The scoreboard: the golden model fed with the same stimulus, compared every checked cycle."""

from __future__ import annotations

from rvpmu.config import PMUConfig
from rvpmu.csrmap import lookup
from rvpmu.model.cycle import PMUPorts, PortInputs, PortOutputs

from .coverage import Coverage


class Mismatch(AssertionError):
    """The design answered differently from the model; the message says how to reproduce it."""


class Scoreboard:
    def __init__(self, config: PMUConfig, *, seed: int, label: str = ""):
        self.config = config
        self.model = PMUPorts(config)
        self.coverage = Coverage(config)
        self.seed = seed
        self.label = label
        self.checked_cycles = 0
        self.accesses = 0
        self.history: list[str] = []

    def expect(self, inp: PortInputs) -> PortOutputs:
        """Advance the model by the cycle ``inp`` describes; return what the design must show."""
        before = self.model.hart.snapshot()
        out = self.model.clock(inp)
        wrote = None
        req = inp.csr_req
        if req is not None:
            self.accesses += 1
            self.coverage.sample_access(req, out.csr_rsp, before)
            info = lookup(self.config, req.addr)
            if info is not None and req.op != 0 and out.csr_rsp.exc == 0:
                wrote = info.reg
        self.coverage.sample_cycle(before, self.model.hart.snapshot(), inp.halt, wrote)
        self.history = (self.history + [f"cycle {self.checked_cycles}: {inp}"])[-6:]
        return out

    def check(self, inp: PortInputs, got: PortOutputs) -> None:
        want = self.expect(inp)
        self.checked_cycles += 1
        if got != want:
            raise Mismatch(
                f"{self.label} seed {self.seed}: design and model differ after checked cycle "
                f"{self.checked_cycles - 1} (model cycle {self.model.hart.cycle}):\n"
                f"  model:  {want}\n  design: {got}\n  recent inputs:\n    "
                + "\n    ".join(self.history)
                + f"\n  reproduce with: rvpmu sim --seed {self.seed}")

    def advance(self, cycles: int, totals: tuple[tuple[int, ...], int], mode, halt: bool) -> None:
        """Cycles the design ran on its own (generator events, no CSR access)."""
        before = self.model.hart.snapshot()
        events, retired = totals
        self.model.hart.advance(cycles, events, retired, mode=mode, halted=halt)
        self.coverage.sample_cycle(before, self.model.hart.snapshot(), halt, None)
        self.checked_cycles += cycles
        self.history = (self.history + [f"{cycles} free-running cycles in {mode.name}"
                                        + (" halted" if halt else "")])[-6:]
