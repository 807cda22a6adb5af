"""Golden model of the Linux KVM virtual PMU (SBI PMU extension) on a hardware PMU.

Reference: ``kvm-vpmu.md``; design: ``docs/kvm-model.md``; traces: ``docs/trace-format.md``;
profile differences: ``docs/kvm-profiles.md``.
"""

from .backend import (AsyncHartBackend, AsyncPMUBackend, BlockingBackend, HartBackend,
                      PMUBackend, as_backend, asyncio_resume)
from .memory import GuestMemoryError
from .profiles import DIFFERENCES, PROFILES, Profile
from .stream import EventStream
from .trace import Trace, TraceError
from .vpmu import KvmVcpuPmu

__all__ = [
    "KvmVcpuPmu", "PMUBackend", "AsyncPMUBackend", "HartBackend", "AsyncHartBackend",
    "BlockingBackend", "asyncio_resume", "as_backend", "EventStream", "Trace", "TraceError",
    "GuestMemoryError", "DIFFERENCES", "PROFILES", "Profile",
]
