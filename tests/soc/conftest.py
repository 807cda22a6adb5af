"""Shared SoC builds for the tests: one per simulator (and per deliberate mis-wiring)."""

import pytest

from rvpmu.soc import runner


@pytest.fixture(scope="session")
def soc_build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("soc")


@pytest.fixture(scope="session")
def soc_build(soc_build_dir):
    cache = {}

    def get(simulator, swap_events=None):
        key = (simulator, swap_events)
        if key not in cache:
            cache[key] = runner.build(simulator, build_root=soc_build_dir,
                                      swap_events=swap_events, log=lambda *_: None)
        return cache[key]

    return get


@pytest.fixture
def rvpmu_soc(soc_build_dir, capsys):
    """Run ``rvpmu soc run ...`` in this process: (exit status, stdout, stderr)."""
    from rvpmu.cli import main

    def run(*args):
        capsys.readouterr()
        rc = main(["soc", "run", *args, "--build-dir", str(soc_build_dir)])
        out = capsys.readouterr()
        return rc, out.out, out.err

    return run
