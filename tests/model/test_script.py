"""The hart script runner (model/script.py ``run_script``; docs/hart-script.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rvpmu.config import EventInput, PMUConfig
from rvpmu.model.script import ScriptError, run_script

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "overflow.hart"


def run(text: str, cfg: PMUConfig | None = None, source: str = "t.hart"):
    return run_script(cfg or PMUConfig(), text.splitlines(), source=source)


def test_example_overflow_hart_passes():
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    result = run_script(PMUConfig(), lines, source=str(EXAMPLE))
    assert result.failures == []
    n_commands = sum(1 for ln in lines if ln.split("#", 1)[0].strip())
    assert len(result.lines) == n_commands
    assert sum("ok (" in ln for ln in result.lines) == sum(
        ln.split("#", 1)[0].strip().startswith("expect") for ln in lines)


def test_example_overflow_hart_via_cli(capsys):
    from rvpmu.cli import main

    assert main(["model", "hart", "-q", str(EXAMPLE)]) == 0
    assert "all expectations hold" in capsys.readouterr().out


def test_basic_commands_and_results():
    cfg = PMUConfig(events=(EventInput("br", max_per_cycle=2), EventInput("miss")))
    r = run("""
        # comment line
        csrw mhpmevent3 3        # selector 3 = input br
        csrw mhpmevent4 0x4
        step
        step events=br*2,miss
        step 2 events=br mode=U retired=1
        expect mhpmcounter3 4
        expect mhpmcounter4 1
        expect minstret 2
        expect mcycle 4
        csrs mcountinhibit 0b101
        csrc mcountinhibit 1
        expect mcountinhibit 0x4
        csrr 0xB03
        expect cycle illegal U
        expect lcofip 0
    """, cfg)
    assert r.failures == []
    assert any(ln.rstrip().endswith("-> 0x4") for ln in r.lines)  # csrr 0xB03
    assert any("-> old 0x0" in ln for ln in r.lines)


def test_step_halt_and_expect_virtual():
    r = run("""
        step 3 halt
        expect mcycle 0
        csrw mcounteren 1
        expect cycle virtual VS
        expect cycle virtual mode=VU
        csrw hcounteren 1
        csrw scounteren 1
        expect cycle 0 VU
    """)
    assert r.failures == []


def test_failed_expectations_are_listed_with_file_and_line():
    r = run("step\nexpect mcycle 5\n\nexpect cycle 0 U\nexpect lcofip 1\nexpect mcycle illegal\n",
            source="my.hart")
    assert len(r.failures) == 4
    assert r.failures[0].startswith("my.hart:2: expected 5, got 0x1")
    assert r.failures[1].startswith("my.hart:4: expected 0, got illegal")
    assert r.failures[2].startswith("my.hart:5: expected 1, got lcofip=0")
    assert r.failures[3].startswith("my.hart:6: expected illegal")
    assert sum("FAIL" in ln for ln in r.lines) == 4


@pytest.mark.parametrize("line,phrase", [
    ("bogus 1", "unknown command 'bogus'"),
    ("csrr", "csrr takes 1..2 arguments, got 0"),
    ("csrr mcycle M extra", "csrr takes 1..2 arguments, got 3"),
    ("csrw mcycle", "csrw takes 2..3 arguments, got 1"),
    ("csrw mcycle 12z", "value '12z' is not an integer"),
    ("csrw mcycle -5", "must not be negative"),
    ("csrw mcycle 0x10000000000000000", "must be within 0..0xffffffffffffffff"),
    ("csrw nosuchcsr 1", "neither a CSR number nor a PMU CSR name"),
    ("csrr 0x1000", "outside 0x000..0xFFF"),
    ("csrr 0x300", "not a PMU CSR"),
    ("csrr mcycle Q", "mode must be one of"),
    ("csrr mcycle mode=HS", "mode must be one of"),
    ("step speed=3", "unknown step option 'speed'"),
    ("step fast", "unknown step argument 'fast'"),
    ("step -1", "unknown step argument '-1'"),
    ("step retired=x", "retired 'x' is not an integer"),
    ("step retired=9", "retired must be an integer 0..1"),
    ("step mode=Z", "mode must be one of"),
    ("step events=nosuch", "no event input named 'nosuch'"),
    ("step events=branch*x", "repeat count 'x' is not an integer"),
    ("step events=branch*2", "it can report at most 1"),
    ("expect mcycle", "expect takes 2..3 arguments, got 1"),
    ("expect mcycle abc", "expected value 'abc' is not an integer"),
    ("expect lcofip yes", "lcofip 'yes' is not an integer"),
])
def test_malformed_line_raises_script_error_with_location(line, phrase):
    text = "# header\n\nstep\n" + line + "\nexpect mcycle 999\n"
    with pytest.raises(ScriptError, match=phrase) as e:
        run(text, source="bad.hart")
    assert str(e.value).startswith("bad.hart:4: ")


def test_mode_not_in_config_is_a_script_error():
    cfg = PMUConfig(has_h=False)
    with pytest.raises(ScriptError, match=r"^s\.hart:1: mode VS does not exist"):
        run("csrr cycle VS", cfg, source="s.hart")


def test_rv32_script():
    cfg = PMUConfig(xlen=32, counter_width=40)
    r = run("""
        csrw mhpmcounter3h 0xFFFFFFFF
        expect mhpmcounter3h 0xFF
        csrw mhpmevent3 1
        step
        csrw mhpmcounter3 0xFFFFFFFF
        step
        step
        expect mhpmcounter3 0
        expect mhpmcounter3h 0
        expect mhpmevent3h 0x80000000
        expect scountovf 0x8
        expect lcofip 1
    """, cfg)
    assert r.failures == []


def test_script_error_is_a_value_error():
    assert issubclass(ScriptError, ValueError)


def test_cli_reports_failed_expectation_exit_1(tmp_path, capsys):
    from rvpmu.cli import main

    p = tmp_path / "f.hart"
    p.write_text("expect mcycle 1\n", encoding="utf-8")
    assert main(["model", "hart", "-q", str(p)]) == 1
    err = capsys.readouterr().err
    assert f"{p}:1: expected 1" in err


def test_cli_reports_malformed_line(tmp_path, capsys):
    from rvpmu.cli import main

    p = tmp_path / "m.hart"
    p.write_text("step\nfrobnicate\n", encoding="utf-8")
    assert main(["model", "hart", str(p)]) == 1
    err = capsys.readouterr().err.strip()
    assert f"{p}:2: unknown command 'frobnicate'" in err
    assert len(err.splitlines()) == 1
