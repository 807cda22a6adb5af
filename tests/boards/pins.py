"""The board builds' tests: ``rvpmu board build`` of a small configuration, and the pins
amaranth-boards gives each resource the board design uses (the reference the generated
constraint files are checked against)."""

import subprocess
import sys
from pathlib import Path

from rvpmu.config import EventInput, PMUConfig

RVPMU = Path(sys.executable).parent / "rvpmu"
SMALL = PMUConfig(num_counters=2, counter_width=16, events=(EventInput("a"), EventInput("b")))


def board_build(d: Path, *args: str, out: Path | None = None, env=None, timeout: float = 600):
    """``rvpmu board build ARGS`` of ``SMALL`` (written to ``d/pmu.toml``) into ``out``
    (``d/out``)."""
    cfg = d / "pmu.toml"
    cfg.write_text(SMALL.to_toml())
    return subprocess.run([str(RVPMU), "board", "build", *args, "--config", str(cfg), "-o",
                           str(out or d / "out")], capture_output=True, text=True, env=env,
                          timeout=timeout)


def resource_pins(platform, name: str, number: int, sub: str | None = None) -> list[str]:
    for res in platform.resources.values():
        if res.name == name and res.number == number:
            ios = res.ios
            if sub is not None:
                ios = [s for s in ios if getattr(s, "name", None) == sub][0].ios
            return [p for io in ios if hasattr(io, "names") for p in io.names]
    raise KeyError((name, number))


def design_pins(platform, spec) -> dict[str, list[str]]:
    """Port name in the constraints -> the pins it must be on."""
    clk = platform.default_clk
    out = {f"{clk}_0__io": resource_pins(platform, clk, 0),
           "uart_0__rx__io": resource_pins(platform, "uart", 0, "rx"),
           "uart_0__tx__io": resource_pins(platform, "uart", 0, "tx")}
    for kind, n in (("led", spec.leds), ("button", spec.buttons), ("switch", spec.switches)):
        for i in range(n):
            out[f"{kind}_{i}__io"] = resource_pins(platform, kind, i)
    return out
