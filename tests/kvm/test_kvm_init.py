"""Initialisation from the host (section 1.2), counter info (3.1), layout (3.2), the dispatcher
(2.0), num_counters (2.1), get_info (2.2) and the constructor's checks."""

import pytest

from rvpmu import csr, sbi
from rvpmu.model import HartPMU, KvmVcpuPmu, PMUConfig

from .kvm_helpers import CYCLES, E, F, FW0, NUM, NUM_HW, fw_read, make, read_csr, small


def test_default_host_gives_32_hw_and_22_fw_counters():
    """1.2: num_hw_ctrs = host HW counters (cycle, instret, 29 hpm) + 1, num_fw_ctrs = 22."""
    v = make()
    assert v.probe() == 1
    assert v.ecall(F.NUM_COUNTERS) == (E.SUCCESS, 54)


def test_small_host_counts_time_slot():
    """1.2 step 3 / 3.2: 4 hpm counters -> 6 host counters -> 7 guest HW indices, FW 7..28."""
    v = make(config=small())
    assert v.ecall(F.NUM_COUNTERS) == (E.SUCCESS, 29)
    assert v.ecall(F.COUNTER_GET_INFO, 6) == (E.SUCCESS, 0x3FC06)
    assert v.ecall(F.COUNTER_GET_INFO, 7) == (E.SUCCESS, 0x8000_0000_0003_F000)
    assert v.ecall(F.COUNTER_GET_INFO, 28) == (E.SUCCESS, 0x8000_0000_0003_F000)


@pytest.mark.parametrize("idx,info", [
    (0, 0x3FC00), (2, 0x3FC02), (3, 0x3FC03), (17, 0x3FC11), (31, 0x3FC1F),
    (FW0, 0x8000_0000_0003_F000), (NUM - 1, 0x8000_0000_0003_F000),
])
def test_counter_info_values(idx, info):
    """3.1: cycle 0x3FC00, instret 0x3FC02, hpm (0xC00+i)|hpm_width<<12, FW 1<<63|63<<12."""
    assert make().ecall(F.COUNTER_GET_INFO, idx) == (E.SUCCESS, info)


def test_counter_info_uses_host_hpm_width():
    """3.1: hpm_width = host counter width - 1 (48-bit counters -> 47); cycle/instret stay 63."""
    v = make(config=small(counter_width=48))
    assert v.ecall(F.COUNTER_GET_INFO, 3)[1] == 0x2FC03
    assert v.ecall(F.COUNTER_GET_INFO, 0)[1] == 0x3FC00
    assert v.ecall(F.COUNTER_GET_INFO, 2)[1] == 0x3FC02


@pytest.mark.parametrize("idx", [1, 64, 65, 1 << 40, (1 << 64) - 1])
def test_get_info_invalid_index(idx):
    """2.2: index 1 (time) and idx >= 64 -> INVALID_PARAM (64 was an OOB read before 2026)."""
    assert make().ecall(F.COUNTER_GET_INFO, idx) == (E.INVALID_PARAM, 0)


@pytest.mark.parametrize("idx", [NUM, 60, 63])
def test_get_info_between_num_counters_and_64(idx):
    """2.2 / 7.4 item 1: KVM bounds by 64, so these return SUCCESS with a zero cinfo."""
    assert make().ecall(F.COUNTER_GET_INFO, idx) == (E.SUCCESS, 0)


@pytest.mark.parametrize("fid", [9, 10, 0xFF, (1 << 64) - 1])
def test_unknown_fid_not_supported(fid):
    """2.0: FIDs above 8 -> NOT_SUPPORTED."""
    assert make().ecall(fid) == (E.NOT_SUPPORTED, 0)


def _no_pmu_checks(v: KvmVcpuPmu) -> None:
    """2.0: every FID NOT_SUPPORTED, probe 0; 3.3: cycle/instret read 0, others illegal."""
    assert v.probe() == 0
    for fid in [*sbi.Fid, 9]:
        assert v.ecall(fid, 0, 1, 0, CYCLES) == (E.NOT_SUPPORTED, 0)
    assert read_csr(v, csr.CYCLE) == 0
    assert read_csr(v, csr.INSTRET) == 0
    assert read_csr(v, csr.hpmcounter(3)) == "illegal"


@pytest.mark.parametrize("config", [
    PMUConfig(sscofpmf=False),  # step 1: host without Sscofpmf
    PMUConfig(num_counters=0),  # step 2: no counter besides cycle/instret -> hpm_width 0
    PMUConfig(counter_width=1),  # step 2: hpm_width = 0
], ids=["no-sscofpmf", "no-hpm-counters", "width-1"])
def test_no_pmu(config):
    _no_pmu_checks(make(config=config))


def test_no_pmu_ignores_firmware_events_and_still_runs():
    v = make(config=PMUConfig(sscofpmf=False))
    v.fw_event("IPI_SENT")
    assert v.run(10) == 10
    assert v.ecall(F.COUNTER_FW_READ, FW0) == (E.NOT_SUPPORTED, 0)


def test_rv32_and_no_hypervisor_rejected():
    """7.4 item 15: the model is RV64 only; KVM needs the H extension (VS/VU modes)."""
    with pytest.raises(ValueError, match="RV64"):
        KvmVcpuPmu(HartPMU(PMUConfig(xlen=32)))
    with pytest.raises(ValueError, match="hypervisor"):
        KvmVcpuPmu(HartPMU(PMUConfig(has_h=False)))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="profile"):
        make("qemu")
    with pytest.raises(TypeError, match="backend"):
        KvmVcpuPmu(object())
    with pytest.raises(ValueError, match="accumulate_on_read"):
        make(accumulate_on_read=1)


def test_fw_read_hi_rv64_always_zero():
    """2.7: on RV64 KVM returns (SUCCESS, 0) for any index, without validation."""
    v = make()
    for idx in (0, 1, 3, FW0, NUM, 1 << 63):
        assert v.ecall(F.COUNTER_FW_READ_HI, idx) == (E.SUCCESS, 0)


def test_ecall_argument_checks():
    v = make()
    with pytest.raises(ValueError, match="a0"):
        v.ecall(F.NUM_COUNTERS, 1 << 64)
    with pytest.raises(ValueError, match="fid"):
        v.ecall("num_counters")
    # negative arguments are two's complement XLEN values
    assert v.ecall(F.COUNTER_GET_INFO, -1) == (E.INVALID_PARAM, 0)


def test_hw_indices_and_fw_indices_layout():
    """3.2: HW indices 0..num_hw-1 (1 invalid), FW indices num_hw..num_counters-1."""
    v = make()
    kinds = [sbi.counter_info_fields(v.ecall(F.COUNTER_GET_INFO, i)[1])[2]
             for i in range(NUM) if i != 1]
    assert kinds == [False] * (NUM_HW - 1) + [True] * 22
    assert fw_read(v, FW0) == (E.INVALID_PARAM, 0)  # unconfigured
