"""``BoardPMUBackend``: a board as the hardware of the KVM vPMU model.

The same four operations as the hart model's backend and the cocotb RTL backend
(``rvpmu.model.kvm.backend``): ``read_csr``/``write_csr`` are M-mode CSR requests, each one
halted cycle on the board; ``advance`` programs the event generator with the stimulus and runs
exactly that many cycles with the run control, stopping right after a cycle that leaves LCOFIP
set; ``lcofip`` is the PMU's LCOFIP as the last response reported it. So ``KvmVcpuPmu``
scenarios run unchanged on a board.

A stimulus that is the same every cycle (what the scenarios use) becomes constant generator
lines (step 0, the first ``count`` thresholds at 1) and one RUN; a stimulus with a longer
pattern is run one cycle per RUN, slow but exact.
"""

from __future__ import annotations

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.model.eventgen import (REG_START, REG_STEP, REG_THRESHOLD0, line_levels,
                                  register_address)

from .driver import BoardClient, BoardError

MAX_RUN = (1 << 32) - 1


class BoardAccessError(BoardError):
    """An M-mode access of the host side trapped or missed: the board's PMU is wrong."""


class BoardPMUBackend:
    name = "board"

    def __init__(self, client: BoardClient, config: PMUConfig):
        self.client = client
        self.config = config
        self.cycles = 0  # cycles run
        self.accesses = 0
        self._gen: dict[int, int] | None = None  # register -> value, while lines are constant

    def reset(self) -> None:
        """The RESET command: the PMU, generator and run control as after power-on."""
        self.client.reset()
        # after reset every generator register is 0: constant lines that count nothing
        self._gen = {}

    def forget_generator(self) -> None:
        """Someone else programmed the generator: reload every register on the next run."""
        self._gen = None

    # -- the four operations -----------------------------------------------------------------

    def _access(self, addr: int, op: csr.CSROp, value: int = 0) -> int:
        r = self.client.csr(op, addr, value & ((1 << self.config.xlen) - 1), csr.Mode.M)
        self.accesses += 1
        if not r.hit or r.exc != csr.Exc.NONE:
            raise BoardAccessError(f"M-mode {op.name} of CSR 0x{addr:03X} answered "
                                   f"hit={r.hit} exc={r.exc.name}")
        return r.rdata

    def read_csr(self, addr: int) -> int:
        return self._access(addr, csr.CSROp.READ)

    def write_csr(self, addr: int, value: int) -> None:
        self._access(addr, csr.CSROp.WRITE, value)

    def advance(self, cycles: int, stream, mode: csr.Mode) -> int:
        if cycles <= 0:
            return 0
        if getattr(stream, "period", None) == 1:
            self._load(*stream.at(0))
            done = 0
            while done < cycles:
                r = self._run(min(cycles - done, MAX_RUN), mode)
                done += r
                if self.client.lcofip:
                    break
            return done
        for i in range(cycles):
            self._load(*stream.at(i))
            self._run(1, mode)
            if self.client.lcofip:
                return i + 1
        return cycles

    def lcofip(self) -> bool:
        return self.client.lcofip

    # -- helpers -------------------------------------------------------------------------------

    def _run(self, n: int, mode: csr.Mode) -> int:
        r = self.client.run(n, mode, stop_on_lcofip=True)
        self.cycles += r.cycles
        if r.cycles == 0:
            raise BoardError(f"the board ran no cycle of a {n}-cycle run")
        return r.cycles

    def _load(self, counts: tuple[int, ...], retired: int) -> None:
        """Make every generator line report a constant count per cycle (``counts`` per event
        input, as the pins carry them)."""
        cfg = self.config
        if self._gen is None:
            self._gen = {}
            full = True
        else:
            full = False
        for line, (levels, count) in enumerate(zip(line_levels(cfg), [*counts, retired])):
            regs = [(register_address(cfg, line, REG_STEP), 0),
                    *((register_address(cfg, line, REG_THRESHOLD0 + k), int(k < count))
                      for k in range(levels)),
                    (register_address(cfg, line, REG_START), 0)]
            for addr, value in regs:
                if full or self._gen.get(addr, 0) != value:
                    self.client.gen_write(addr, value)
                    self._gen[addr] = value
