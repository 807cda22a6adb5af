"""A deliberately wrong event wiring (two event inputs swapped) is caught by the RVFI
cross-check, while the model check (which follows the pins) still agrees with the PMU."""

from rvpmu.soc import config as soc
from rvpmu.soc import elf, firmware, runner

PROGRAM = r"""
#include "soc.h"
static volatile uint32_t buf[16];
int main(void) {
    CSR_WRITE(RVPMU_CSR_MHPMEVENT3, RVPMU_EVENT_LOADS);
    CSR_WRITE(RVPMU_CSR_MHPMEVENT4, RVPMU_EVENT_STORES);
    soc_mark(SOC_MARK_BEGIN);
    uint32_t l0 = CSR_READ(RVPMU_CSR_MHPMCOUNTER3), s0 = CSR_READ(RVPMU_CSR_MHPMCOUNTER4);
    uint32_t sum = 0;
    for (int i = 0; i < 12; i++)
        sum += buf[i];
    buf[0] = sum;
    uint32_t l1 = CSR_READ(RVPMU_CSR_MHPMCOUNTER3), s1 = CSR_READ(RVPMU_CSR_MHPMCOUNTER4);
    soc_mark(SOC_MARK_END);
    soc_result(RVPMU_CSR_MHPMCOUNTER3, l1 - l0);
    soc_result(RVPMU_CSR_MHPMCOUNTER4, s1 - s0);
    return 0;
}
"""


def _run(soc_build, tmp_path, swap):
    src = tmp_path / "loads_stores.c"
    src.write_text(PROGRAM)
    image = elf.read_elf(firmware.build(src, tmp_path)).image(soc.RAM_BASE, soc.RAM_BYTES)
    return runner.run(soc_build("icarus", swap), image, max_cycles=50_000)


def test_correct_wiring_passes(soc_build, tmp_path):
    rep = _run(soc_build, tmp_path, None)
    assert rep["stop"] == "exit" and rep["mismatch"] is None
    assert rep["cross_check"]["failed"] == []
    assert len(rep["cross_check"]["passed"]) == 2


def test_swapped_events_caught(soc_build, tmp_path):
    rep = _run(soc_build, tmp_path, ("loads", "stores"))
    assert rep["stop"] == "exit" and rep["mismatch"] is None  # the PMU does what its pins say
    failed = rep["cross_check"]["failed"]
    assert len(failed) == 2
    assert "mhpmcounter3 (loads)" in failed[0] and "mhpmcounter4 (stores)" in failed[1]
