"""The port contract (rvpmu/ports.py) is what the gateware, the drivers and the model share."""

import random

import pytest
from amaranth.lib import wiring

from rvpmu import csr, ports
from rvpmu.config import EventInput, PMUConfig
from rvpmu.hdl import PMU
from rvpmu.model.cycle import CSRRequest, CSRResponse, PortInputs, PortOutputs

CONFIGS = [PMUConfig(), PMUConfig(xlen=32, num_counters=3, retire_width=3,
                                  events=(EventInput("a", max_per_cycle=5),)),
           PMUConfig(events=(), has_h=False)]


def flat_members(pmu: PMU) -> dict[str, tuple]:
    pmu._MustUse__silence = True  # only its signature is looked at, never elaborated
    return {"__".join(str(p) for p in path): (member.flow, len(value))
            for path, member, value in pmu.signature.flatten(pmu)}


@pytest.mark.parametrize("cfg", CONFIGS)
@pytest.mark.parametrize("run_status", [False, True])
def test_pmu_signature_is_the_port_table(cfg, run_status):
    got = flat_members(PMU(cfg, run_status=run_status))
    want = {pin: (wiring.In if p.dir == ports.IN else wiring.Out, w)
            for pin, p, w, _ in ports.ports(cfg, run_status=run_status)}
    assert got == want


@pytest.mark.parametrize("cfg", CONFIGS)
def test_pins_round_trip_through_the_monitor_view(cfg):
    rng = random.Random(3)
    pins: dict[str, int] = {pin: 0 for pin, *_ in ports.ports(cfg, direction=ports.IN)}
    for _ in range(200):
        req = None if rng.random() < 0.3 else CSRRequest(
            rng.getrandbits(12), csr.CSROp(rng.randint(0, 3)), rng.getrandbits(cfg.xlen),
            rng.choice(cfg.modes))
        inp = PortInputs(req, tuple(rng.randint(0, e.max_per_cycle) for e in cfg.events),
                         rng.randint(0, cfg.retire_width), rng.choice(cfg.modes),
                         rng.random() < 0.5)
        pins.update(ports.input_pins(cfg, inp))
        assert ports.observed_inputs(cfg, pins) == inp


def test_without_a_request_only_valid_is_driven():
    cfg = PMUConfig()
    pins = ports.input_pins(cfg, PortInputs(None, retired=1))
    assert pins["csr_req__valid"] == 0 and "csr_req__addr" not in pins
    assert "retired" not in ports.input_pins(cfg, PortInputs(None), events=False)


def test_outputs_from_pins():
    cfg = PMUConfig(xlen=32)
    pins = {pin: 0 for pin, *_ in ports.ports(cfg, direction=ports.OUT)}
    pins.update(csr_rsp__valid=1, csr_rsp__hit=1, csr_rsp__rdata=7, csr_rsp__exc=2, lcofip=1,
                scounteren=5)
    assert ports.outputs(cfg, pins) == PortOutputs(
        CSRResponse(True, True, 7, csr.Exc.VIRTUAL_INSTRUCTION), True, 0, 5, 0)
