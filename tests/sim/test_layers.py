"""The verification components need no simulator: they import with cocotb unavailable, and
every module of rvpmu.sim belongs to exactly one layer (rvpmu/sim/__init__.py)."""

import subprocess
import sys
from pathlib import Path

from rvpmu import sim

SIM_DIR = Path(sim.__file__).parent


def test_every_module_has_one_layer():
    layers = sim.VERIFICATION_COMPONENTS + sim.COCOTB_BOUND + sim.TOOL_FLOW
    modules = {p.stem for p in SIM_DIR.glob("*.py") if p.stem != "__init__"} | \
        {p.parent.name for p in SIM_DIR.glob("*/__init__.py")}
    assert len(set(layers)) == len(layers)  # no module in two layers
    assert modules <= set(layers), sorted(modules - set(layers))  # a new module picks a layer
    assert set(sim.VERIFICATION_COMPONENTS + sim.COCOTB_BOUND) <= modules


def test_components_import_without_cocotb():
    code = ("import sys; sys.modules['cocotb'] = None\n"  # any `import cocotb` now fails
            "import importlib\n"
            f"for m in {sim.VERIFICATION_COMPONENTS!r}:\n"
            "    importlib.import_module('rvpmu.sim.' + m)\n"
            "import rvpmu.boards.host.checks\n"
            "assert 'cocotb' not in [k for k, v in sys.modules.items() if v is not None]\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    bound = ("import sys; sys.modules['cocotb'] = None\nimport rvpmu.sim.drivers\n")
    r = subprocess.run([sys.executable, "-c", bound], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "cocotb" in r.stderr  # the check itself can fail
