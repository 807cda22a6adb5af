"""Snapshot shared memory: set_shmem (section 2.8), layout (4.4), state machine (4.5), the
TAKE_SNAPSHOT paths of stop (2.5)."""

import pytest

from rvpmu import csr, sbi

from .kvm_helpers import (ALL_HW, BRANCH, CF, CYCLES, E, ROM, SF, SHMEM, TF, UNMAPPED, cfg, make,
                          read_csr, set_shmem, set_snap_value, snap_mask, snap_value, start, stop)

U64 = (1 << 64) - 1


def test_set_shmem_zero_fills_the_area():
    """2.8 / 6.4: installing writes 4096 zero bytes into guest memory."""
    v = make()
    base = SHMEM + 0x10000
    v.guest_memory.write(base - 8, b"\xAA" * (4096 + 16))
    assert set_shmem(v, base) == (E.SUCCESS, 0)
    assert v.guest_memory.read(base, 4096) == bytes(4096)
    assert v.guest_memory.read(base - 8, 8) == b"\xAA" * 8
    assert v.guest_memory.read(base + 4096, 8) == b"\xAA" * 8


@pytest.mark.parametrize("lo,hi,flags,err", [
    (SHMEM, 0, 1, E.INVALID_PARAM),  # flags must be 0
    (SHMEM, 0, 1 << 63, E.INVALID_PARAM),
    (SHMEM, 1, 0, E.INVALID_ADDRESS),  # RV64: hi != 0
    (UNMAPPED, 0, 0, E.INVALID_ADDRESS),  # not guest RAM
    (ROM, 0, 0, E.INVALID_ADDRESS),  # read-only memslot
    (0x4000_0000 + 0x5000_0000 - 2048, 0, 0, E.INVALID_ADDRESS),  # runs past the end of RAM
    (U64, 0, 0, E.INVALID_ADDRESS),  # only lo all-ones: not the disable request
])
def test_set_shmem_errors(lo, hi, flags, err):
    assert set_shmem(make(), lo, hi, flags) == (err, 0)


def test_set_shmem_unaligned_accepted():
    """2.8: no 4 KiB alignment check in KVM."""
    v = make()
    assert set_shmem(v, SHMEM + 8) == (E.SUCCESS, 0)
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, c) == (E.SUCCESS, 0)
    assert stop(v, c, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)


def test_disable_and_failed_reinstall():
    """2.8: all-ones disables (memory untouched); a failed re-install leaves no area."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert set_shmem(v) == (E.SUCCESS, 0)
    set_snap_value(v, 0, 42)
    assert set_shmem(v, U64, U64) == (E.SUCCESS, 0)
    assert snap_value(v, 0) == 42
    assert stop(v, c, 1, TF.TAKE_SNAPSHOT) == (E.NO_SHMEM, 0)
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert set_shmem(v, UNMAPPED) == (E.INVALID_ADDRESS, 0)
    assert start(v, c, 1, SF.INIT_SNAPSHOT) == (E.NO_SHMEM, 0)
    assert set_shmem(v, U64, U64, 0) == (E.SUCCESS, 0)  # disabling twice is fine


def test_take_snapshot_saves_value_relative_to_cbase():
    """2.5 / 4.4: ctr_values[i] is counter cbase+i, little-endian u64."""
    v = make()
    cfg(v, 0, ALL_HW, 0, BRANCH)  # 3
    cfg(v, 0, ALL_HW, 0, BRANCH)  # 4
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert start(v, 3, 0b11, SF.SET_INIT_VALUE, 0x0102030405060708) == (E.SUCCESS, 0)
    v.run(3, events={"branch": 1})
    assert stop(v, 3, 0b11, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert v.guest_memory.read(SHMEM + 8, 8) == (0x0102030405060708 + 3).to_bytes(8, "little")
    assert snap_value(v, 1) == 0x0102030405060708 + 3
    assert snap_mask(v) == 0


def test_stop_reset_take_snapshot_saves_stale_value():
    """2.5 / 7.4 item 10: with RESET the perf event is released before the save: the value of
    the last read is stored, the events since are lost."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert start(v, c, 1, SF.SET_INIT_VALUE, 100) == (E.SUCCESS, 0)
    v.run(5, events={"branch": 1})
    assert read_csr(v, csr.hpmcounter(c)) == 105
    v.run(5, events={"branch": 1})
    assert stop(v, c, 1, TF.RESET | TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert snap_value(v, 0) == 105


def test_sticky_error_suppresses_later_saves():
    """2.5 / 7.4 item 9: after ALREADY_STOPPED no later counter of the call is saved."""
    v = make()
    cfg(v, 0, ALL_HW, 0, BRANCH)  # 3 (stays stopped)
    cfg(v, 0, ALL_HW, 0, BRANCH)  # 4
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert start(v, 4, 1, SF.SET_INIT_VALUE, 77) == (E.SUCCESS, 0)
    assert stop(v, 3, 0b11, TF.TAKE_SNAPSHOT) == (E.ALREADY_STOPPED, 0)
    assert snap_value(v, 1) == 0
    assert read_csr(v, csr.hpmcounter(4)) == 77  # it was stopped nevertheless
    assert start(v, 4) == (E.SUCCESS, 0)


def test_whole_area_written_back():
    """2.5 / 7.4 item 11: KVM writes its whole host copy, overwriting the guest's entries."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert set_shmem(v) == (E.SUCCESS, 0)
    set_snap_value(v, 9, 999)
    v.guest_memory.write(SHMEM + 4000, b"guest")  # reserved area, too
    assert start(v, c) == (E.SUCCESS, 0)
    assert stop(v, c, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert snap_value(v, 9) == 0
    assert v.guest_memory.read(SHMEM + 4000, 5) == bytes(5)


def test_init_snapshot_reloads_host_copy():
    """4.5: start(INIT_SNAPSHOT) reads the whole area into the host copy, so guest entries
    written before it survive a later write-back."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert set_shmem(v) == (E.SUCCESS, 0)
    set_snap_value(v, 9, 999)
    set_snap_value(v, 0, 5)
    assert start(v, c, 1, SF.INIT_SNAPSHOT) == (E.SUCCESS, 0)
    v.run(2, events={"branch": 1})
    assert stop(v, c, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert (snap_value(v, 0), snap_value(v, 9)) == (7, 999)


def test_overflow_bit_set_by_stop_and_cleared_by_reset():
    """4.4 / 4.5: stop ORs in overflow bits; stop+RESET+TAKE_SNAPSHOT clears the bit."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, CYCLES)[1]
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert start(v, c, 1, SF.SET_INIT_VALUE, U64 - 4) == (E.SUCCESS, 0)
    v.run(10)
    assert stop(v, c, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert snap_mask(v) == 1
    assert snap_value(v, 0) == 5  # wrapped: 2^64 - 5 + 10
    assert stop(v, c, 1, TF.RESET | TF.TAKE_SNAPSHOT) == (E.ALREADY_STOPPED, 0)
    assert snap_mask(v) == 0


def test_mask_bits_are_only_ored_in():
    """4.5: a later stop without overflow does not clear a bit the host copy still has."""
    v = make()
    c = cfg(v, 0, ALL_HW, 0, CYCLES)[1]
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert start(v, c, 1, SF.SET_INIT_VALUE, U64) == (E.SUCCESS, 0)
    v.run(3)
    assert stop(v, c, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert start(v, c) == (E.SUCCESS, 0)  # clears pmc_overflown, not the host copy's bit
    assert stop(v, c, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert snap_mask(v) == 1


def test_snapshot_flags_with_fw_counters():
    v = make()
    fw_idx = cfg(v, 0, (1 << 54) - 1, 0, sbi.fw_event_idx(sbi.FwEvent.IPI_SENT))[1]
    assert set_shmem(v) == (E.SUCCESS, 0)
    set_snap_value(v, 0, 40)
    assert start(v, fw_idx, 1, SF.INIT_SNAPSHOT) == (E.SUCCESS, 0)
    v.fw_event("IPI_SENT", 2)
    assert stop(v, fw_idx, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    assert snap_value(v, 0) == 42
    assert cfg(v, fw_idx, 1, CF.SKIP_MATCH, sbi.fw_event_idx(sbi.FwEvent.IPI_SENT))[0] == E.SUCCESS


def test_guest_memory_touched_only_by_the_snapshot_calls():
    """4.5: KVM reads/writes the area only in set_shmem, start(INIT_SNAPSHOT) and
    stop(TAKE_SNAPSHOT); everything else, overflow included, leaves it alone."""
    v = make()
    assert set_shmem(v) == (E.SUCCESS, 0)
    pattern = bytes(range(256)) * 16
    v.guest_memory.write(SHMEM, pattern)
    c = cfg(v, 0, ALL_HW, CF.AUTO_START, CYCLES)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, U64 - 3) == (E.SUCCESS, 0)
    v.run(10)
    read_csr(v, csr.CYCLE)
    assert stop(v, c, 1, TF.RESET) == (E.SUCCESS, 0)
    v.fw_event("IPI_SENT")
    v.reset()
    assert v.guest_memory.read(SHMEM, 4096) == pattern
