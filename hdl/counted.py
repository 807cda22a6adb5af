"""``CountedPMU``: the PMU with the event generator and the run control around it, wired once.

The simulation top (``rvpmu.hdl.simtop``) and the board top (``rvpmu.boards.gateware.top``)
both need the same three pieces joined the same way: the run control halts the PMU outside a
run and stops a run on the PMU's LCOFIP (``lcofip | lcofi_set``: set now or at the end of this
cycle), and the generator's lines feed the PMU's event and retire inputs unless the top picks
an outside source for a line. Each top used to repeat that wiring; now both instantiate this
component and differ only in what they drive its ports with.

The PMU inside is ``rvpmu.hdl.pmu.PMU`` built with ``run_status``, unchanged: the component adds
no logic in the PMU's paths beyond the multiplexers that choose its inputs.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rvpmu import ports
from rvpmu.config import PMUConfig

from .eventgen import EventGenerator, GenWriteSignature
from .layouts import Members, event_lines, pmu_members
from .pmu import PMU
from .runctl import RunControl, RunSignature


class CountedPMU(wiring.Component):
    """The PMU, fed by the event generator or by outside events, counting under run control.

    Members (besides the PMU's own, ``rvpmu.ports`` with ``run_status``):

    ``ext_select``
        One bit per generator line (``rvpmu.model.eventgen``: the event inputs in
        configuration order, then the retire count): 1 lets the PMU's ``events``/``retired``
        member of that line through, 0 the generator's line. The simulation top sets all or
        none; a board sets the lines its buttons and switches drive.
    ``gen``
        The generator's register port (``GenWriteSignature``); ``gen_run`` advances it.
    ``run``, ``run_ctl``
        The run control (``RunSignature``). With ``run_ctl`` the PMU counts only during a run
        (``halt`` is ignored); without, ``halt`` decides and runs still count their cycles.
    ``counting``
        The PMU counts in this cycle (its halt input is low).
    """

    def __init__(self, config: PMUConfig, *, target: str = "generic"):
        self.config = config
        self.pmu = PMU(config, run_status=True, target=target)
        self.eventgen = EventGenerator(config)
        self.runctl = RunControl()
        super().__init__({
            **pmu_members(config, run_status=True),
            "ext_select": In(len(config.events) + 1),
            "gen": In(GenWriteSignature(config)),
            "gen_run": In(1),
            "run": In(RunSignature()),
            "run_ctl": In(1),
            "counting": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        m.submodules.pmu = pmu = self.pmu
        m.submodules.gen = gen = self.eventgen
        m.submodules.runctl = runctl = self.runctl
        wiring.connect(m, wiring.flipped(self.csr_req), pmu.csr_req)
        wiring.connect(m, pmu.csr_rsp, wiring.flipped(self.csr_rsp))
        wiring.connect(m, wiring.flipped(self.run), Members(RunSignature().flip(), runctl))
        wiring.connect(m, wiring.flipped(self.gen), Members(GenWriteSignature(cfg).flip(), gen))
        halt = Mux(self.run_ctl, ~runctl.active, self.halt)
        m.d.comb += [
            pmu.mode.eq(self.mode),
            pmu.halt.eq(halt),
            self.counting.eq(~halt),
            runctl.lcofip.eq(pmu.lcofip | pmu.lcofi_set),
            gen.run.eq(self.gen_run),
        ]
        for _pin, p, _w, _i in ports.ports(cfg, run_status=True, direction=ports.OUT):
            if p.group is None:  # every plain output of the PMU is this component's too
                m.d.comb += getattr(self, p.name).eq(getattr(pmu, p.name))
        lines = list(enumerate(zip(event_lines(pmu, cfg), event_lines(self, cfg),
                                   event_lines(gen, cfg), strict=True)))
        # retired first: the PMU module's Verilog ports keep the order they had in both tops
        for i, (dst, outside, generated) in lines[-1:] + lines[:-1]:
            m.d.comb += dst.eq(Mux(self.ext_select[i], outside, generated))
        return m
