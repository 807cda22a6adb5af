"""event_get_info (section 2.9)."""

import struct

import pytest

from rvpmu import sbi

from .kvm_helpers import (BRANCH, BUS_CYCLES, CYCLES, E, F, INSTRET, L1D_READ_MISS, LL_READ_ACCESS,
                          NO_EVENT, RAW, RAW_V2, ROM, SHMEM, UNMAPPED, fw, make)

U64 = (1 << 64) - 1
BUF = SHMEM + 0x2000


def entries(*items):
    """(event_idx, event_data) pairs as 16-byte entries with the output word pre-set to ~0."""
    return b"".join(struct.pack("<IIQ", e, 0xFFFF_FFFF, d) for e, d in items)


def outputs(v, n, base=BUF):
    raw = v.guest_memory.read(base, 16 * n)
    return [struct.unpack_from("<IIQ", raw, 16 * k) for k in range(n)]


def info(v, lo=BUF, hi=0, num=1, flags=0):
    return v.ecall(F.EVENT_GET_INFO, lo, hi, num, flags)


CASES = [
    (CYCLES, 0, 1), (INSTRET, 0, 1), (BRANCH, 0, 1),
    (BUS_CYCLES, 0, 0),  # valid SBI event, not implemented by this PMU
    (sbi.event_idx(0, 11), 0, 0),  # HW code >= 11: perf config U64_MAX -> -EINVAL
    (NO_EVENT, 0, 1),  # maps to perf CPU_CYCLES (7.4 item 14)
    (L1D_READ_MISS, 0, 1), (LL_READ_ACCESS, 0, 0),
    (sbi.event_idx(1, 7 << 3), 0, 0),  # invalid cache id
    (RAW, 0xFFFF, 1), (RAW_V2, U64, 1),  # raw: supported whenever the data fits the mask
    (fw(sbi.FwEvent.ACCESS_LOAD), 0, 1), (fw(21), 0, 1),
    (fw(22), 0, 1), (fw(sbi.FW_PLATFORM), 123, 1),  # FW >= 22: U64_MAX looks like FW (7.4)
    (sbi.event_idx(4, 0), 0, 0), (sbi.event_idx(14, 5), 0, 0),
]


def test_outputs_for_every_event_type():
    v = make()
    v.guest_memory.write(BUF, entries(*[(e, d) for e, d, _ in CASES]))
    assert info(v, num=len(CASES)) == (E.SUCCESS, 0)
    got = outputs(v, len(CASES))
    assert [o for _, o, _ in got] == [want for _, _, want in CASES]  # whole u32 written
    assert [(e, d) for e, _, d in got] == [(e, d) for e, d, _ in CASES]  # the rest untouched


def test_reserved_event_idx_bits_ignored():
    v = make()
    v.guest_memory.write(BUF, entries(((0xABC << 20) | CYCLES, 0)))
    assert info(v) == (E.SUCCESS, 0)
    assert outputs(v, 1)[0][1] == 1


@pytest.mark.parametrize("lo,hi,num,flags,err", [
    (BUF, 0, 1, 1, E.INVALID_PARAM),  # flags != 0
    (BUF + 8, 0, 1, 0, E.INVALID_PARAM),  # not 16-byte aligned
    (BUF, 0, 0, 0, E.INVALID_PARAM),  # no entries
    (BUF, 0, 1 << 60, 0, E.INVALID_PARAM),  # num * 16 overflows
    (BUF, 1, 1, 0, E.INVALID_ADDRESS),  # RV64: hi != 0
    (UNMAPPED, 0, 1, 0, E.FAILED),  # read fails -> SBI_ERR_FAILURE (spec: INVALID_ADDRESS)
    (BUF, 0, (1 << 59), 0, E.FAILED),  # far beyond guest RAM
    (ROM, 0, 2, 0, E.INVALID_ADDRESS),  # readable but the write-back fails
])
def test_errors(lo, hi, num, flags, err):
    v = make()
    before = v.guest_memory.read(ROM, 32)
    assert info(v, lo, hi, num, flags) == (err, 0)
    assert v.guest_memory.read(ROM, 32) == before


def test_entries_spanning_pages():
    v = make()
    base = SHMEM + 0x3000 - 16
    v.guest_memory.write(base, entries((CYCLES, 0), (BUS_CYCLES, 0)))
    assert info(v, base, num=2) == (E.SUCCESS, 0)
    assert [o for _, o, _ in outputs(v, 2, base)] == [1, 0]
