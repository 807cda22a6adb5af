"""Every property holds by k-induction and every cover is reached (not vacuous), for small
configurations on RV32 and RV64, and for the access rules of the default configuration
(docs/formal.md)."""

from __future__ import annotations

import pytest

from rvpmu.config import PMUConfig
from rvpmu.hdl import formal

from .helpers import CONFIGS, require_tools

CASES = [(name, prop) for name, cfg in CONFIGS.items() for prop in formal.properties_for(cfg)]


@pytest.mark.parametrize("config_name, prop", CASES, ids=[f"{c}-{p}" for c, p in CASES])
def test_property_is_proved_and_covered(tmp_path, config_name, prop):
    require_tools()
    results = formal.run(CONFIGS[config_name], tmp_path, properties=[prop],
                         modes=("prove", "cover"), jobs=2)
    assert [r.mode for r in results] == ["prove", "cover"]
    assert all(r.passed for r in results), formal.table(results)
    prove, cover = results
    assert "k-induction" in prove.detail, prove.detail
    assert not prove.detail.startswith("0 assertions"), prove.detail
    reached, total = cover.detail.split(" ", 1)[0].split("/")
    assert reached == total and int(total) > 0, cover.detail


@pytest.mark.parametrize("prop", ["access", "read"])
def test_default_configuration_access_and_read(tmp_path, prop):
    """29 x 64-bit counters, all modes: the access rules and reads by k-induction (the other
    properties of the default configuration take minutes: `rvpmu formal`, docs/formal.md)."""
    require_tools()
    [result] = formal.run(PMUConfig(), tmp_path, properties=[prop], modes=("prove",))
    assert result.passed, formal.table([result])


def test_half_applies_to_rv32_only():
    assert "half" in formal.properties_for(CONFIGS["rv32"])
    assert "half" not in formal.properties_for(CONFIGS["rv64"])
    with pytest.raises(ValueError, match="half"):
        formal.PMUFormal(CONFIGS["rv64"], ["half"])
