"""Functional coverage per counter and per register field, with the holes it leaves.

``rvpmu.sim.coverage.Coverage`` counts rules and CSR classes; the bins here are what issue 14
asked for instead of per-class coverage, each named by a tuple whose first item is its family:

- ``("route", counter, selector)``: the counter counted through that selector;
- ``("overflow", counter, stage)``: OF set by an overflow, the bit read back in scountovf, LCOFIP
  raised by it, LCOFIP acknowledged after it (stages ``of``, ``scountovf``, ``lcofip``, ``ack``);
- ``("filter", counter, mode, outcome)``: a cycle in that mode counted, or was filtered by the
  xINH bit of that mode (mcyclecfg/minstretcfg for cycle and instret);
- ``("setclr", register, field, op)``: csrrs/csrrc whose data changes that field;
- ``("warl", register, boundary)``: WARL boundary values (selector at and above the legal range,
  all-ones into every WARL register);
- ``("carry", counter)``: a read in the cycle a split counter's carry is pending;
- ``("scountovf", mode, enables)``: scountovf read below M while an OF bit is set, with the
  counter enables none / all / mixed over the implemented counters;
- ``("port", name)``: an output compared with the model (every checked cycle).

Bins are sampled from the model's view (``Scoreboard`` calls ``sample_*``), so they mean the
same on every simulator. ``holes()`` lists what was not hit; ``rvpmu.sim.steer`` aims stimulus
at them.
"""

from __future__ import annotations

import itertools
from collections import Counter

from rvpmu import csr
from rvpmu.config import PMUConfig
from rvpmu.csrmap import Kind, csr_map, lookup
from rvpmu.model.cycle import CSRRequest, CSRResponse

OF_BIT = 1 << csr.MHPMEVENT_OF
LOW32 = 0xFFFF_FFFF
M64 = (1 << 64) - 1
STAGES = ("of", "scountovf", "lcofip", "ack")
PORTS = ("csr_rsp", "lcofip", "lcofi_set", "counteren")


def register_fields(config: PMUConfig, reg: str, kind: Kind, writable: int) -> dict[str, int]:
    """The software-writable fields of a 64-bit register, name -> mask."""
    if kind == Kind.EVENT:
        fields = {f.name: f.mask for f in csr.MHPMEVENT_FIELDS}
    elif kind == Kind.CFG:
        fields = {f.name: f.mask for f in csr.CFG_FIELDS}
    elif kind == Kind.MIP:
        fields = {"LCOFIP": 1 << csr.MIP_LCOFIP_BIT}
    else:
        fields = {"value" if kind == Kind.COUNTER else "bits": M64}
    return {name: mask & writable for name, mask in fields.items() if mask & writable}


def selector_boundaries(config: PMUConfig) -> dict[int, str]:
    """Selector values at the WARL edge; "all_ones" as far as software can write the field."""
    n = config.num_selectors
    reachable = csr.EVENT_SEL_MASK if config.xlen == 64 else LOW32  # one write, one half
    return {n - 1: "last_legal", n: "first_illegal", n + 1: "above", reachable: "all_ones"}


def enable_class(value: int, implemented: int) -> str:
    v = value & implemented
    return "none" if v == 0 else "all" if v == implemented else "mixed"


_ZEROS = itertools.repeat(0)  # the default of every register a snapshot lacks


class CounterBins:
    def __init__(self, config: PMUConfig):
        self.config = config
        self.hits: Counter[tuple] = Counter()
        self._recent_of: dict[int, int] = {}  # counter -> steps since its OF was set
        self._raiser: int | None = None  # the counter whose overflow raised LCOFIP last
        self._applied: list[dict[int, int]] = [{}, {}]  # increments applied at the last edges
        self.goals = self._goals()
        # the counting-configuration register of each counter, named once (sample_step)
        self._cfg_reg = {i: {csr.CY: "mcyclecfg", csr.IR: "minstretcfg"}.get(i, f"mhpmevent{i}")
                         for i in (csr.CY, csr.IR, *config.hpm_indices)}
        self._event_names = tuple(f"mhpmevent{i}" for i in config.hpm_indices)

    # -- the goals ------------------------------------------------------------------------------

    def _writable(self):
        seen = {}
        for info in csr_map(self.config).values():
            if info.exists and not info.read_only and info.kind != Kind.SCOUNTOVF:
                seen.setdefault(info.reg, info)
        return seen

    def _goals(self) -> set[tuple]:
        cfg = self.config
        goals: set[tuple] = {("port", p) for p in PORTS}
        hpm = list(cfg.hpm_indices)
        for i in hpm:
            goals |= {("route", i, s) for s in range(1, cfg.num_selectors)}
            goals |= {("warl", f"mhpmevent{i}", b) for b in selector_boundaries(cfg).values()}
            if cfg.sscofpmf:
                goals |= {("overflow", i, st) for st in STAGES}
        for i in [csr.CY, csr.IR, *hpm]:
            filtered = cfg.smcntrpmf if i in (csr.CY, csr.IR) else cfg.sscofpmf
            for md in cfg.modes:
                goals.add(("filter", i, md.name, "counted"))
                if filtered:
                    goals.add(("filter", i, md.name, "inhibited"))
            if (64 if i in (csr.CY, csr.IR) else cfg.counter_width) > 32:
                goals.add(("carry", i))
        for reg, info in self._writable().items():
            for field in register_fields(cfg, reg, info.kind, info.writable):
                goals |= {("setclr", reg, field, "set"), ("setclr", reg, field, "clear")}
            if info.kind != Kind.EVENT:
                goals.add(("warl", reg, "all_ones"))
        scountovf = csr_map(cfg).get(csr.SCOUNTOVF)
        if scountovf is None or not scountovf.exists:
            goals = {g for g in goals if g[:1] != ("overflow",) or g[2] != "scountovf"}
        elif hpm:
            for md in cfg.modes:
                if md != csr.Mode.M:
                    goals |= {("scountovf", md.name, c) for c in ("none", "all", "mixed")}
        return goals

    def holes(self) -> list[tuple]:
        return sorted((g for g in self.goals if not self.hits[g]), key=str)

    def report(self) -> dict:
        return {"bins": len(self.goals), "hit": sum(1 for g in self.goals if self.hits[g]),
                "holes": [list(h) for h in self.holes()]}

    # -- sampling ---------------------------------------------------------------------------

    def sample_ports(self, compared: tuple[str, ...]) -> None:
        for p in compared:
            self.hits[("port", p)] += 1

    def sample_access(self, req: CSRRequest, rsp: CSRResponse, before: dict[str, int]) -> None:
        """One performed access, with the model state before its edge."""
        cfg = self.config
        info = lookup(cfg, req.addr)
        if info is None or not info.exists or not rsp.hit:
            return
        ok = rsp.exc == csr.Exc.NONE
        if info.kind == Kind.SCOUNTOVF:
            self._sample_scountovf(req, rsp, before, ok)
            return
        if not ok:
            return
        shift = 32 if info.half == "hi" else 0
        xmask = ((1 << cfg.xlen) - 1) << shift
        data = (req.wdata << shift) & xmask
        old = before.get("lcofip", 0) << csr.MIP_LCOFIP_BIT if info.kind == Kind.MIP else \
            before.get(info.reg, 0)
        if req.op == csr.CSROp.READ:
            self._sample_read(info, rsp)
            return
        if req.op in (csr.CSROp.SET, csr.CSROp.CLEAR):
            changed = (data & ~old) if req.op == csr.CSROp.SET else (data & old)
            op = "set" if req.op == csr.CSROp.SET else "clear"
            for field, mask in register_fields(cfg, info.reg, info.kind, info.writable).items():
                if changed & mask:
                    self.hits[("setclr", info.reg, field, op)] += 1
        new = {csr.CSROp.WRITE: data | (old & ~xmask), csr.CSROp.SET: old | data,
               csr.CSROp.CLEAR: old & ~data}[req.op]
        if info.kind == Kind.EVENT:
            name = selector_boundaries(cfg).get(new & csr.EVENT_SEL_MASK)
            if name:
                self.hits[("warl", info.reg, name)] += 1
        elif req.op != csr.CSROp.CLEAR and info.writable & xmask & ~new == 0:
            self.hits[("warl", info.reg, "all_ones")] += 1
        if info.kind == Kind.MIP and before.get("lcofip") and not new >> csr.MIP_LCOFIP_BIT & 1 \
                and self._raiser is not None:
            self.hits[("overflow", self._raiser, "ack")] += 1

    def _sample_read(self, info, rsp: CSRResponse) -> None:
        if info.kind not in (Kind.COUNTER, Kind.SHADOW) or info.half == "hi":
            return
        i = info.index
        inc = self._applied[0].get(i, 0)  # added at the edge before this access's edge
        if inc and (rsp.rdata & LOW32) < inc:
            self.hits[("carry", i)] += 1

    def _sample_scountovf(self, req, rsp, before, ok) -> None:
        cfg = self.config
        ovf = sum(1 << i for i in cfg.hpm_indices if before.get(f"mhpmevent{i}", 0) & OF_BIT)
        if ok and req.mode == csr.Mode.M:
            for i in cfg.hpm_indices:
                if rsp.rdata >> i & 1:
                    self.hits[("overflow", i, "scountovf")] += 1
        if req.mode != csr.Mode.M and ovf:
            impl = sum(1 << i for i in cfg.hpm_indices)
            en = before.get("mcounteren", 0)
            if req.mode in (csr.Mode.VS, csr.Mode.VU):
                en &= before.get("hcounteren", 0)
            self.hits[("scountovf", req.mode.name, enable_class(en, impl))] += 1

    def sample_step(self, before: dict[str, int], after: dict[str, int], mode: csr.Mode,
                    halted: bool, incs: dict[int, int], applied: dict[int, int],
                    wrote: str | None) -> None:
        """One clock edge: ``incs`` the increments this cycle's inputs select (applied at the
        next edge), ``applied`` those added at this edge."""
        self._applied = [applied, self._applied[0]]
        if not halted:
            inhibit, hits, name = before.get("mcountinhibit", 0), self.hits, mode.name
            for i, reg in self._cfg_reg.items():
                inc = incs.get(i)
                if inc:
                    hits[("filter", i, name, "counted")] += 1
                    if i >= csr.HPM_FIRST:
                        hits[("route", i, before.get(reg, 0) & csr.EVENT_SEL_MASK)] += 1
                elif inc is None and not inhibit >> i & 1:
                    value = before.get(reg, 0)
                    counts = i < csr.HPM_FIRST or value & csr.EVENT_SEL_MASK
                    if counts and value >> csr.INH_BIT[mode] & 1:
                        self.hits[("filter", i, mode.name, "inhibited")] += 1
        self.sample_overflow(before, after, wrote)

    def sample_overflow(self, before: dict[str, int], after: dict[str, int],
                        wrote: str | None) -> None:
        """OF and LCOFIP around one edge or a bulk advance."""
        if self._recent_of:
            self._recent_of = {i: n + 1 for i, n in self._recent_of.items() if n < 3}
        names = self._event_names
        evb = tuple(map(before.get, names, _ZEROS))
        eva = tuple(map(after.get, names, _ZEROS))
        if eva != evb:  # only a changed event register can have had its OF set
            for i, reg, b, a in zip(self.config.hpm_indices, names, evb, eva):
                if not b & OF_BIT and a & OF_BIT and wrote != reg:
                    self.hits[("overflow", i, "of")] += 1
                    self._recent_of[i] = 0
        if not before.get("lcofip") and after.get("lcofip") and self._recent_of:
            self._raiser = min(self._recent_of, key=self._recent_of.get)
            self.hits[("overflow", self._raiser, "lcofip")] += 1
