"""Generated documentation is current: it is printed from the single sources of truth."""

from pathlib import Path

from rvpmu import regmap
from rvpmu.config import PMUConfig

ROOT = Path(__file__).resolve().parent.parent


def test_csr_map_doc_is_generated_from_csr_module():
    committed = (ROOT / "docs" / "csr-map.md").read_text(encoding="utf-8")
    assert committed == regmap.markdown(PMUConfig()), (
        "docs/csr-map.md is stale: run `.venv/bin/rvpmu csr-map -o docs/csr-map.md`")


def test_docs_named_in_readme_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("configuration.md", "csr-map.md", "timing.md", "decisions.md",
                 "hart-script.md", "access.md"):
        assert (ROOT / "docs" / name).is_file(), name
        assert name in readme or name == "access.md", name


def test_rules_doc_is_generated_from_the_rules_table():
    from rvpmu import rules

    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules.markdown(), (
        "docs/rules.md is stale: run `.venv/bin/python -c \"from rvpmu.rules import markdown; "
        "open('docs/rules.md', 'w').write(markdown())\"`")


def test_timing_doc_port_table_is_generated_from_the_port_contract():
    from rvpmu import ports

    committed = (ROOT / "docs" / "timing.md").read_text(encoding="utf-8")
    assert ports.markdown_table() in committed, (
        "the port table of docs/timing.md is stale: paste rvpmu.ports.markdown_table()")
