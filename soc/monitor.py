"""The passive monitor: what the checker sees of the SoC, one sample per clock.

Each cycle it decodes the ``mon`` pins (``rvpmu.soc.top.mon_layout``), compares the PMU's
outputs with the golden model (``PMUPorts``, clocked with exactly the observed inputs: CSR
request, events, retired, mode, halt), and keeps what the RVFI cross-check needs: its own
count of every event from the RVFI trace and the memory bus (decoded here, not by the SoC's
event wiring), snapshotted at each CSR request, plus the MMIO writes of the program.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import lookup
from rvpmu.model.cycle import CSR_RESPONSE_LATENCY, CSRRequest, CSRResponse, PMUPorts, \
    PortInputs, PortOutputs

from . import config as soc
from .top import mon_layout

# The PMU's port contract: inputs the model is clocked with, outputs compared with it.
CHECKED = ("req_valid", "req_op", "req_addr", "req_wdata", "req_mode", "events", "retired",
           "mode", "halt", "rsp_valid", "rsp_hit", "rsp_exc", "rsp_rdata", "lcofip",
           "mcounteren", "scounteren", "hcounteren")
OPS = {int(op): op.name for op in csr.CSROp}
# The host's own RV32 decoder (the unprivileged spec's opcode map) for the cross-check.
_LOAD, _STORE, _BRANCH, _JAL, _JALR, _OP = 0x03, 0x23, 0x63, 0x6F, 0x67, 0x33


def classify(insn: int, pc: int, next_pc: int) -> tuple[str, ...]:
    """The instruction events one retired instruction contributes (names of soc.EVENTS)."""
    opcode = insn & 0x7F
    if opcode == _LOAD:
        return ("loads",)
    if opcode == _STORE:
        return ("stores",)
    if opcode == _BRANCH:
        return ("branches", "branches_taken") if next_pc != (pc + 4) & 0xFFFF_FFFF \
            else ("branches",)
    if opcode in (_JAL, _JALR):
        return ("jumps",)
    if opcode == _OP and insn >> 25 == 1:
        return ("muldiv",)
    return ()


def csr_name(cfg: PMUConfig, addr: int) -> str:
    info = lookup(cfg, addr)
    return f"{info.name} (0x{addr:03x})" if info else f"0x{addr:03x} (not a PMU CSR)"


class Mismatch(AssertionError):
    """The PMU answered differently from the model."""


@dataclass
class Monitor:
    cfg: PMUConfig
    model: PMUPorts = field(init=False)
    cycle: int = 0
    accesses: int = 0
    reads_checked: int = 0
    output: bytearray = field(default_factory=bytearray)
    exit_code: int | None = None
    trapped_core: bool = False
    marks: list = field(default_factory=list)  # (cycle, value)
    results: list = field(default_factory=list)  # (cycle, csr, value)
    samples: list = field(default_factory=list)  # profiler sample PCs, as written
    requests: list = field(default_factory=list)  # (cycle, addr, op, totals before, wdata)
    refusals: list = field(default_factory=list)  # (cycle, csr name, exc) of refused accesses
    lcofip_rises: int = 0
    mismatch: str | None = None

    def __post_init__(self):
        self.model = PMUPorts(self.cfg)
        self.fields = [(name, f.offset, (1 << f.width) - 1)
                       for name, f in mon_layout(self.cfg)]
        self.names = [e.name for e in self.cfg.events]
        self.valid_off = next(off for n, off, _m in self.fields if n == "req_valid")
        self.checked_mask = sum(m << off for n, off, m in self.fields if n in CHECKED)
        # every quantity the trace gives, whichever of them this configuration counts
        self.totals = {n: 0 for n in ("cycles", "instret", *(e.name for e in soc.EVENTS))}
        self.pending: list[tuple[int, CSRRequest]] = []
        self._key = None
        self._trap_next = False
        self._lcofip = False

    def decode(self, v: int) -> dict[str, int]:
        return {name: (v >> off) & mask for name, off, mask in self.fields}

    def sample(self, v: int, xmask: int = 0) -> None:
        """One clock: ``v`` is the ``mon`` value between two rising edges; ``xmask`` its
        X/Z bits (Icarus), an error on any pin of the PMU's port contract."""
        if xmask & self.checked_mask and self.mismatch is None:
            # a request's fields matter only with req_valid (the model gets no request else)
            idle = not (v >> self.valid_off) & 1 and not (xmask >> self.valid_off) & 1
            bad = [n for n, off, m in self.fields if n in CHECKED and (xmask >> off) & m
                   and not (idle and n.startswith("req_"))]
            if bad:
                self.mismatch = f"cycle {self.cycle}: X/Z on the PMU's pins {', '.join(bad)}"
        s = self.decode(v)
        got = PortOutputs(CSRResponse(bool(s["rsp_valid"]), bool(s["rsp_hit"]), s["rsp_rdata"],
                                      csr.Exc(s["rsp_exc"])), bool(s["lcofip"]),
                          s["mcounteren"], s["scounteren"], s["hcounteren"])
        want = self.model.outputs
        if got != want and self.mismatch is None:
            self.mismatch = self._describe(want, got)
        if got.csr_rsp.valid:
            req = self.pending.pop(0)[1] if self.pending else None
            if req is not None and req.op == csr.CSROp.READ:
                self.reads_checked += 1
            if not (got.csr_rsp.hit and got.csr_rsp.exc == csr.Exc.NONE):
                self._trap_next = True
                self.refusals.append((self.cycle, csr_name(self.cfg, req.addr) if req else "?",
                                      int(got.csr_rsp.exc), bool(got.csr_rsp.hit)))
        if got.lcofip and not self._lcofip:
            self.lcofip_rises += 1
        self._lcofip = got.lcofip

        req = None
        if s["req_valid"]:
            req = CSRRequest(s["req_addr"], csr.CSROp(s["req_op"]), s["req_wdata"],
                             csr.Mode(s["req_mode"]))
            self.pending.append((self.cycle, req))
            self.requests.append((self.cycle, req.addr, int(req.op), dict(self.totals),
                                  req.wdata))
            self.accesses += 1
        events = tuple((s["events"] >> i) & 1 for i in range(len(self.names)))
        self.model.clock(PortInputs(req, events, s["retired"], csr.Mode(s["mode"]),
                                    bool(s["halt"])))
        self._trace(s)
        self.cycle += 1

    def _trace(self, s: dict[str, int]) -> None:
        t = self.totals
        t["cycles"] += 1
        if s["mem_valid"] and not s["mem_ready"]:
            t["fetch_stall" if s["mem_instr"] else "data_stall"] += 1
        if s["rvfi_valid"]:
            if self._trap_next:  # the refused CSR instruction: it trapped, it does not retire
                self._trap_next = False
            else:
                t["instret"] += 1
                for name in classify(s["rvfi_insn"], s["rvfi_pc_rdata"], s["rvfi_pc_wdata"]):
                    t[name] += 1
        if s["mmio_we"]:
            addr, data = soc.MMIO_BASE | s["mmio_addr"], s["mmio_data"]
            if addr == soc.MMIO["UART_TX"]:
                self.output.append(data & 0xFF)
            elif addr == soc.MMIO["EXIT"]:
                self.exit_code = data
            elif addr == soc.MMIO["MARK"]:
                self.marks.append((self.cycle, data))
            elif addr == soc.MMIO["RESULT_KEY"]:
                self._key = data
            elif addr == soc.MMIO["RESULT_VAL"]:
                self.results.append((self.cycle, self._key, data))
            elif addr == soc.MMIO["SAMPLE"]:
                self.samples.append(data)
        if s["trap"]:
            self.trapped_core = True

    def _describe(self, want: PortOutputs, got: PortOutputs) -> str:
        """The first differing access (or output), by cycle and CSR name."""
        latency = CSR_RESPONSE_LATENCY
        at = self.cycle - latency
        req = next((r for c, r in self.pending if c == at), None)
        what = (f"{OPS[int(req.op)]} {csr_name(self.cfg, req.addr)} presented in cycle {at}"
                if req else "no access")
        if want.csr_rsp != got.csr_rsp:
            return (f"cycle {self.cycle}: {what}: model rdata=0x{want.csr_rsp.rdata:x} "
                    f"exc={int(want.csr_rsp.exc)} hit={int(want.csr_rsp.hit)}, design "
                    f"rdata=0x{got.csr_rsp.rdata:x} exc={int(got.csr_rsp.exc)} "
                    f"hit={int(got.csr_rsp.hit)} (valid {int(want.csr_rsp.valid)}/"
                    f"{int(got.csr_rsp.valid)})")
        return f"cycle {self.cycle}: outputs differ ({what}): model {want}, design {got}"
