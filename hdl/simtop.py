"""The simulation top: the PMU fed either by the testbench or by the on-chip event generator."""

from __future__ import annotations

from amaranth.hdl import Module, Mux
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from rvpmu.config import PMUConfig

from .counted import CountedPMU
from .eventgen import GenWriteSignature
from .layouts import Members, members_of, pmu_members, prefixed
from .runctl import RunSignature


class SimTop(wiring.Component):
    """``CountedPMU`` with its interfaces spelt as flat pins for the cocotb testbenches.

    With ``use_gen`` = 0 the ``events``/``retired`` inputs drive the PMU (cycle-by-cycle
    tests); with 1 the generator does (long regressions). ``gen_*`` is the generator's
    register port and ``gen_run`` advances it. With ``ctl_en`` = 1 the run control
    (``ctl_*``) decides when the PMU counts (``halt`` is ignored).
    """

    def __init__(self, config: PMUConfig, target: str = "generic"):
        self.config = config
        self.counted = CountedPMU(config, target=target)
        super().__init__({
            **pmu_members(config, run_status=True),  # the PMU's own ports (rvpmu.ports)
            "use_gen": In(1),
            "gen_run": In(1),
            **prefixed("gen_", GenWriteSignature(config).flip()),
            "ctl_en": In(1),
            **prefixed("ctl_", RunSignature().flip()),
        })

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        m.submodules.counted = counted = self.counted
        pmu = pmu_members(cfg, run_status=True)  # the PMU's ports: the same on both
        wiring.connect(m, wiring.flipped(members_of(self, pmu)), members_of(counted, pmu))
        wiring.connect(m, wiring.flipped(Members(GenWriteSignature(cfg).flip(), self, "gen_")),
                       counted.gen)
        wiring.connect(m, wiring.flipped(Members(RunSignature().flip(), self, "ctl_")),
                       counted.run)
        m.d.comb += [
            counted.ext_select.eq(Mux(self.use_gen, 0, -1)),  # every line, or none
            counted.gen_run.eq(self.gen_run),
            counted.run_ctl.eq(self.ctl_en),
        ]
        return m
