"""The SoC as one Verilog text: picorv32 (with RVFI) followed by the Amaranth-generated top."""

from __future__ import annotations

from pathlib import Path

from rvpmu.toolchain import ToolchainError

TOP = "rvpmu_soc"


def picorv32_source() -> str:
    """picorv32.v from the ``pythondata-cpu-picorv32`` wheel, unmodified."""
    try:
        import pythondata_cpu_picorv32 as pd
    except ImportError:
        raise ToolchainError("picorv32 comes from PyPI `pythondata-cpu-picorv32`: run "
                             "`bash tools/bootstrap.sh` (or `make test`)") from None
    return (Path(pd.data_location) / "picorv32.v").read_text(encoding="utf-8")


def soc_verilog(soc) -> str:
    """``RISCV_FORMAL`` is defined for picorv32's rvfi_* outputs, which the events use."""
    from rvpmu.hdl.verilog import convert

    top = convert(soc, TOP)
    return "`define RISCV_FORMAL\n" + picorv32_source() + "\n" + top
