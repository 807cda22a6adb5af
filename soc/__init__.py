"""rvpmu inside a real CPU: a picorv32 SoC whose Zicsr instructions reach the PMU.

The core (picorv32, unmodified Verilog from PyPI ``pythondata-cpu-picorv32``), the PCPI
adapter, the event wiring, the firmware tool flow and the cocotb run that checks every CSR
response against ``rvpmu.model.PMUPorts`` and every printed count against the RVFI trace.
docs/integration.md describes the wiring port by port.
"""
