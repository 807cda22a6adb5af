"""Golden models: the hart PMU (cycle-exact oracle of the gateware) and the KVM virtual PMU."""

from rvpmu.config import ConfigError, EventInput, PMUConfig

from .cycle import CSRRequest, CSRResponse, PMUPorts, PortInputs, PortOutputs
from .errors import CSRAccessFault, IllegalInstruction, NotPMUCSR, VirtualInstruction
from .hart import HartPMU
from .kvm import KvmVcpuPmu

__all__ = [
    "ConfigError", "EventInput", "PMUConfig", "HartPMU", "CSRAccessFault", "IllegalInstruction",
    "VirtualInstruction", "NotPMUCSR", "CSRRequest", "CSRResponse", "PMUPorts", "PortInputs",
    "PortOutputs", "KvmVcpuPmu",
]
