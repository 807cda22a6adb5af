"""rvpmu: a RISC-V PMU generator (Amaranth) with golden models.

Subpackages: ``rvpmu.model`` (golden models), ``rvpmu.hdl`` (gateware), ``rvpmu.sim``
(cocotb testbenches), ``rvpmu.boards`` (FPGA tops). Shared definitions live here:
``rvpmu.csr`` (CSR map), ``rvpmu.config`` (``PMUConfig``), ``rvpmu.sbi`` (SBI constants).
"""

__version__ = "0.1.0"
