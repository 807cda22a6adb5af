"""Guest physical memory, and the little-endian layouts KVM reads and writes in it.

Memory is a list of regions (memslots), each ``(base, size, writable)``, backed by sparse 4 KiB
pages so a large guest costs nothing until touched. KVM's own accesses
(``kvm_vcpu_read_guest`` / ``write_guest``) fail as a whole when any byte lies outside guest RAM,
and writes also fail on a read-only region; the guest's (or VMM's) accesses through
``GuestMemoryView`` may write read-only regions (userspace fills ROM) but not unmapped addresses.

Default map: a read-only page at 0x1000 (to exercise KVM's write failures) and RAM from
0x4000_0000 (the selftest's snapshot page is GPA BIT(30), reference section 6.1).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rvpmu import sbi

PAGE = 4096
DEFAULT_REGIONS = ((0x1000, 0x1000, False), (0x4000_0000, 0x5000_0000, True))


class GuestMemoryError(ValueError):
    """A guest memory access outside guest RAM (a model input error, not a KVM result)."""


@dataclass(frozen=True)
class Region:
    base: int
    size: int
    writable: bool

    def contains(self, addr: int, size: int) -> bool:
        return self.base <= addr and addr + size <= self.base + self.size


class GuestMemory:
    """Sparse guest physical memory (zero-filled until written)."""

    def __init__(self, regions: Iterable[tuple[int, int, bool]] = DEFAULT_REGIONS):
        self.regions: tuple[Region, ...] = tuple(_region(r) for r in regions)
        self._pages: dict[int, bytearray] = {}

    def describe(self) -> list[list[object]]:
        return [[r.base, r.size, r.writable] for r in self.regions]

    def _region(self, addr: int, size: int) -> Region | None:
        for r in self.regions:
            if r.contains(addr, size):
                return r
        return None

    def can_read(self, addr: int, size: int) -> bool:
        return size >= 0 and addr >= 0 and self._region(addr, size) is not None

    def can_write(self, addr: int, size: int) -> bool:
        r = self._region(addr, size) if size >= 0 and addr >= 0 else None
        return r is not None and r.writable

    def load(self, addr: int, size: int) -> bytes:
        out = bytearray()
        while size > 0:
            page, off = divmod(addr, PAGE)
            n = min(size, PAGE - off)
            data = self._pages.get(page)
            out += data[off:off + n] if data is not None else bytes(n)
            addr, size = addr + n, size - n
        return bytes(out)

    def store(self, addr: int, data: bytes) -> None:
        pos = 0
        while pos < len(data):
            page, off = divmod(addr + pos, PAGE)
            n = min(len(data) - pos, PAGE - off)
            buf = self._pages.setdefault(page, bytearray(PAGE))
            buf[off:off + n] = data[pos:pos + n]
            pos += n

    # -- KVM's accesses: all or nothing --------------------------------------------------------

    def kvm_read(self, addr: int, size: int) -> bytes | None:
        """``kvm_vcpu_read_guest``: the bytes, or None on failure."""
        return self.load(addr, size) if self.can_read(addr, size) else None

    def kvm_write(self, addr: int, data: bytes) -> bool:
        """``kvm_vcpu_write_guest``: True on success; nothing is written on failure."""
        if not self.can_write(addr, len(data)):
            return False
        self.store(addr, data)
        return True


def _region(r: object) -> Region:
    if isinstance(r, Region):
        return r
    if not isinstance(r, list | tuple) or len(r) != 3:
        raise ValueError(f"memory region must be (base, size, writable), got {r!r}")
    base, size, writable = r
    for name, v in (("base", base), ("size", size)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(f"memory region {name} must be a non-negative integer, got {v!r}")
    if not isinstance(writable, bool):
        raise ValueError(f"memory region writable must be true or false, got {writable!r}")
    return Region(base, size, writable)


class GuestMemoryView:
    """``vpmu.guest_memory``: the guest's own loads and stores, recorded in the trace."""

    def __init__(self, mem: GuestMemory, record: Callable[..., object]):
        self._mem, self._record = mem, record

    def _check(self, addr: int, size: int) -> None:
        for name, v in (("address", addr), ("size", size)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise GuestMemoryError(f"guest memory {name} must be a non-negative integer, "
                                       f"got {v!r}")
        if not self._mem.can_read(addr, size):
            raise GuestMemoryError(f"guest memory 0x{addr:X}..+0x{size:X} is not guest RAM "
                                   f"(regions: {self._mem.describe()})")

    def read(self, addr: int, size: int) -> bytes:
        self._check(addr, size)
        data = self._mem.load(addr, size)
        self._record("mem_read", {"addr": addr, "size": size}, {"data": data.hex()})
        return data

    def write(self, addr: int, data: bytes) -> None:
        data = bytes(data)
        self._check(addr, len(data))
        self._mem.store(addr, data)
        self._record("mem_write", {"addr": addr, "data": data.hex()}, None)

    def read_u64(self, addr: int) -> int:
        return int.from_bytes(self.read(addr, 8), "little")

    def write_u64(self, addr: int, value: int) -> None:
        self.write(addr, (value & (1 << 64) - 1).to_bytes(8, "little"))

    def read_u32(self, addr: int) -> int:
        return int.from_bytes(self.read(addr, 4), "little")

    def write_u32(self, addr: int, value: int) -> None:
        self.write(addr, (value & 0xFFFF_FFFF).to_bytes(4, "little"))


# -- snapshot area (section 4.4) ---------------------------------------------------------------


class Snapshot:
    """Host copy of ``struct riscv_pmu_snapshot_data`` (``sdata``)."""

    def __init__(self, raw: bytes | None = None):
        self.raw = bytearray(raw if raw is not None else bytes(sbi.SNAPSHOT_SIZE))

    @property
    def overflow_mask(self) -> int:
        return struct.unpack_from("<Q", self.raw, sbi.SNAPSHOT_OVERFLOW_OFFSET)[0]

    @overflow_mask.setter
    def overflow_mask(self, value: int) -> None:
        struct.pack_into("<Q", self.raw, sbi.SNAPSHOT_OVERFLOW_OFFSET, value & (1 << 64) - 1)

    def value(self, i: int) -> int:
        return struct.unpack_from("<Q", self.raw, sbi.SNAPSHOT_VALUES_OFFSET + 8 * i)[0]

    def set_value(self, i: int, value: int) -> None:
        struct.pack_into("<Q", self.raw, sbi.SNAPSHOT_VALUES_OFFSET + 8 * i, value & (1 << 64) - 1)


def snapshot_value_addr(base: int, i: int) -> int:
    """Guest address of ``counter_values[i]`` in the snapshot area at ``base``."""
    return base + sbi.SNAPSHOT_VALUES_OFFSET + 8 * i
