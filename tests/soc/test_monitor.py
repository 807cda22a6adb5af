"""The monitor's model check on hand-made pin values: a wrong response names the access."""

from rvpmu import csr
from rvpmu.soc.config import SOC_CONFIG
from rvpmu.soc.monitor import Monitor


def _pins(mon, **values):
    v = 0
    for name, off, mask in mon.fields:
        v |= (values.get(name, 0) & mask) << off
    return v


def _run(rdata):
    """mcycle read presented in cycle 3: by docs/timing.md it sees cycles 0..2, so 3."""
    mon = Monitor(SOC_CONFIG)
    for cycle in range(8):
        pins = {"mode": csr.Mode.M}
        if cycle == 3:
            pins.update(req_valid=1, req_op=csr.CSROp.READ, req_addr=csr.MCYCLE,
                        req_mode=csr.Mode.M)
        if cycle == 6:
            pins.update(rsp_valid=1, rsp_hit=1, rsp_rdata=rdata)
        mon.sample(_pins(mon, **pins))
    return mon


def test_correct_read_passes():
    mon = _run(3)
    assert mon.mismatch is None and mon.reads_checked == 1


def test_wrong_read_names_the_access():
    mon = _run(4)
    assert mon.mismatch == ("cycle 6: READ mcycle (0xb00) presented in cycle 3: model "
                            "rdata=0x3 exc=0 hit=1, design rdata=0x4 exc=0 hit=1 (valid 1/1)")


def test_x_on_a_checked_pin_fails():
    mon = Monitor(SOC_CONFIG)
    off = next(o for n, o, _m in mon.fields if n == "retired")
    mon.sample(_pins(mon, mode=csr.Mode.M), xmask=1 << off)
    assert mon.mismatch == "cycle 0: X/Z on the PMU's pins retired"


def test_x_on_an_idle_request_is_ignored():
    mon = Monitor(SOC_CONFIG)
    off = next(o for n, o, _m in mon.fields if n == "req_addr")
    mon.sample(_pins(mon, mode=csr.Mode.M), xmask=0xFFF << off)
    assert mon.mismatch is None
