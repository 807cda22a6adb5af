"""The set-up of the README's two commands (Makefile, tools/bootstrap.sh): `make run` installs
only what the main job needs, `make test` everything its tests need (issue 17 item 9)."""

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def recipe(target: str, *overrides: str) -> str:
    """What make would run to set ``target`` up (dry run, as if out of date)."""
    return subprocess.run(["make", "-n", "-B", *overrides, target], cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=60).stdout


def extras(text: str) -> set[str]:
    found = re.findall(r"RVPMU_EXTRAS=(\S*) bash tools/bootstrap.sh", text)
    assert len(found) == 1, text
    return {e for e in found[0].split(",") if e}


def test_run_installs_no_fpga_or_formal_tools():
    assert extras(recipe(".venv/.rvpmu-run")) == set()


def test_test_installs_every_extra():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert extras(recipe(".venv/.rvpmu-test")) == set(declared)
    assert extras(recipe(".venv/.rvpmu-test", "EXTRAS=test,fpga")) == {"test", "fpga"}


def test_bootstrap_says_before_it_uses_apt_get():
    text = (ROOT / "tools" / "bootstrap.sh").read_text()
    said = text.index('echo "bootstrap: installing Debian packages with ${SUDO:+sudo }apt-get"')
    assert said < text.index("$SUDO apt-get update")
    assert 'RVPMU_APT:-yes}" = no' in text  # a way to only list the packages
