"""The simulation top: the PMU fed either by the testbench or by the on-chip event generator."""

from __future__ import annotations

from amaranth.hdl import Module, Mux
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rvpmu import ports
from rvpmu.config import PMUConfig

from .eventgen import EventGenerator
from .layouts import pmu_members
from .pmu import PMU
from .runctl import COUNT_WIDTH, RunControl


class SimTop(wiring.Component):
    """``PMU`` plus ``EventGenerator`` and ``RunControl``.

    With ``use_gen`` = 0 the ``events``/``retired`` inputs drive the PMU (cycle-by-cycle
    tests); with 1 the generator does (long regressions, boards). With ``ctl_en`` = 1 the run
    control decides when the PMU counts (``halt`` is ignored).
    """

    def __init__(self, config: PMUConfig, target: str = "generic"):
        self.config = config
        self.pmu = PMU(config, run_status=True, target=target)
        self.gen = EventGenerator(config)
        self.runctl = RunControl()
        ports = pmu_members(config, run_status=True)  # the PMU's own ports (rvpmu.ports)
        ports.update({
            "use_gen": In(1),
            "gen_run": In(1),
            "gen_wr_en": In(1),
            "gen_wr_addr": In(self.gen.wr_addr.shape()),
            "gen_wr_data": In(32),
            # run control: with ctl_en the PMU only counts during runs of exactly ctl_cycles
            "ctl_en": In(1),
            "ctl_start": In(1),
            "ctl_cycles": In(COUNT_WIDTH),
            "ctl_stop_on_lcofip": In(1),
            "ctl_busy": Out(1),
            "ctl_count": Out(COUNT_WIDTH),
        })
        super().__init__(ports)

    def elaborate(self, platform):
        m = Module()
        m.submodules.pmu = pmu = self.pmu
        m.submodules.gen = gen = self.gen
        m.submodules.runctl = runctl = self.runctl
        wiring.connect(m, wiring.flipped(self.csr_req), pmu.csr_req)
        wiring.connect(m, pmu.csr_rsp, wiring.flipped(self.csr_rsp))
        m.d.comb += [
            pmu.mode.eq(self.mode),
            pmu.halt.eq(Mux(self.ctl_en, ~runctl.active, self.halt)),
            runctl.start.eq(self.ctl_start),
            runctl.cycles.eq(self.ctl_cycles),
            runctl.stop_on_lcofip.eq(self.ctl_stop_on_lcofip),
            runctl.lcofip.eq(pmu.lcofip | pmu.lcofi_set),
            self.ctl_busy.eq(runctl.busy),
            self.ctl_count.eq(runctl.count),
            gen.run.eq(self.gen_run),
            gen.wr_en.eq(self.gen_wr_en),
            gen.wr_addr.eq(self.gen_wr_addr),
            gen.wr_data.eq(self.gen_wr_data),
            pmu.retired.eq(Mux(self.use_gen, gen.retired, self.retired)),
        ]
        for _pin, p, _w, _i in ports.ports(self.config, run_status=True, direction=ports.OUT):
            if p.group is None:  # every plain output of the PMU is the top's too
                m.d.comb += getattr(self, p.name).eq(getattr(pmu, p.name))
        for e in self.config.events:
            m.d.comb += getattr(pmu.events, e.name).eq(
                Mux(self.use_gen, getattr(gen.events, e.name), getattr(self.events, e.name)))
        return m
