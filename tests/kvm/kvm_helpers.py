"""Shared helpers of the KVM vPMU tests. Expected values in the tests come from the reference
``kvm-vpmu.md`` (section numbers in the test docstrings), never from running the model."""

from __future__ import annotations

from rvpmu import csr, sbi
from rvpmu.model import HartPMU, KvmVcpuPmu, PMUConfig

E = sbi.SbiError
F = sbi.Fid
CF = sbi.CfgFlag
SF = sbi.StartFlag
TF = sbi.StopFlag
U64 = (1 << 64) - 1

CYCLES = sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.CPU_CYCLES)  # 0x00001
INSTRET = sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.INSTRUCTIONS)  # 0x00002
BRANCH = sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.BRANCH_INSTRUCTIONS)  # default config input 0
BUS_CYCLES = sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.BUS_CYCLES)  # not in the default config
NO_EVENT = sbi.event_idx(sbi.EventType.HW, sbi.HwEvent.NO_EVENT)
L1D_READ_MISS = sbi.cache_event_idx(sbi.CacheId.L1D, sbi.CacheOp.READ, sbi.CacheResult.MISS)
LL_READ_ACCESS = sbi.cache_event_idx(sbi.CacheId.LL, sbi.CacheOp.READ, sbi.CacheResult.ACCESS)
RAW = sbi.event_idx(sbi.EventType.RAW, 0)
RAW_V2 = sbi.event_idx(sbi.EventType.RAW_V2, 0)
BRANCH_SEL = csr.event_selector(0)  # the default config's "branch" input


def fw(code: int) -> int:
    return sbi.fw_event_idx(code)


ACCESS_LOAD = fw(sbi.FwEvent.ACCESS_LOAD)
IPI_SENT = fw(sbi.FwEvent.IPI_SENT)

# Default PMUConfig: 29 programmable counters -> host counts 31 HW counters -> num_hw_ctrs 32
# (section 1.2 step 3), FW counters 32..53, num_counters 54.
NUM_HW = 32
NUM = NUM_HW + 22
FW0 = NUM_HW  # first firmware counter index
SHMEM = 1 << 30  # guest RAM (default memory map)
ROM = 0x1000  # read-only guest page (default memory map)
UNMAPPED = 0x2000_0000
ALL_HW = (1 << NUM_HW) - 1


def make(profile: str = "kvm", config: PMUConfig | None = None, **kw) -> KvmVcpuPmu:
    return KvmVcpuPmu(HartPMU(config if config is not None else PMUConfig()), profile=profile,
                      **kw)


def small(**kw) -> PMUConfig:
    """4 programmable counters: num_hw_ctrs 7, FW counters 7..28, num_counters 29."""
    return PMUConfig(num_counters=4, **kw)


def cfg(v: KvmVcpuPmu, cbase: int, cmask: int, flags: int, eidx: int, edata: int = 0):
    return v.ecall(F.COUNTER_CFG_MATCH, cbase, cmask, flags, eidx, edata)


def start(v: KvmVcpuPmu, cbase: int, cmask: int = 1, flags: int = 0, ival: int = 0):
    return v.ecall(F.COUNTER_START, cbase, cmask, flags, ival)


def stop(v: KvmVcpuPmu, cbase: int, cmask: int = 1, flags: int = 0):
    return v.ecall(F.COUNTER_STOP, cbase, cmask, flags)


def fw_read(v: KvmVcpuPmu, cidx: int):
    return v.ecall(F.COUNTER_FW_READ, cidx)


def set_shmem(v: KvmVcpuPmu, lo: int = SHMEM, hi: int = 0, flags: int = 0):
    return v.ecall(F.SNAPSHOT_SET_SHMEM, lo, hi, flags)


def snap_value(v: KvmVcpuPmu, i: int, base: int = SHMEM) -> int:
    return v.guest_memory.read_u64(base + sbi.SNAPSHOT_VALUES_OFFSET + 8 * i)


def set_snap_value(v: KvmVcpuPmu, i: int, value: int, base: int = SHMEM) -> None:
    v.guest_memory.write_u64(base + sbi.SNAPSHOT_VALUES_OFFSET + 8 * i, value)


def snap_mask(v: KvmVcpuPmu, base: int = SHMEM) -> int:
    return v.guest_memory.read_u64(base + sbi.SNAPSHOT_OVERFLOW_OFFSET)


def read_csr(v: KvmVcpuPmu, addr: int) -> int | str:
    """The value, or "illegal" when KVM injects an illegal-instruction exception."""
    from rvpmu.model import IllegalInstruction

    try:
        return v.guest_csr_read(addr)
    except IllegalInstruction:
        return "illegal"


def configured_cycles(v: KvmVcpuPmu, value: int = 0) -> int:
    """Configure CPU_CYCLES (counter 0 under KVM), start it at ``value``."""
    err, c = cfg(v, 0, ALL_HW, 0, CYCLES)
    assert err == E.SUCCESS
    assert start(v, c, 1, SF.SET_INIT_VALUE, value) == (E.SUCCESS, 0)
    return c
