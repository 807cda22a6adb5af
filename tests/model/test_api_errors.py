"""Bad configuration values and bad API arguments give clear exceptions with useful messages.

ConfigError is a ValueError (rvpmu/config.py); NotPMUCSR is a ValueError (model/errors.py).
Each test asserts the exception class and a key phrase of the message.
Longer than 400 lines on purpose: one test (or table) per check of the API, in API order.
"""

from __future__ import annotations

import os

import pytest

from rvpmu import csr
from rvpmu.config import ConfigError, EventInput, PMUConfig
from rvpmu.model import HartPMU, NotPMUCSR

from .pmu_helpers import EV_A, EV_B, MCOUNTINHIBIT, mhpmcounter, make


def test_error_classes_are_value_errors():
    assert issubclass(ConfigError, ValueError)
    assert issubclass(NotPMUCSR, ValueError)


# ------------------------------------------------------------------------------------------------
# PMUConfig fields
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field,value,phrase", [
    ("xlen", 16, "xlen must be 32 or 64"),
    ("xlen", 128, "xlen must be 32 or 64"),
    ("xlen", "64", "xlen must be 32 or 64"),
    ("xlen", 64.0, "xlen must be 32 or 64"),
    ("xlen", True, "xlen must be 32 or 64"),
    ("num_counters", -1, "num_counters must be an integer 0..29"),
    ("num_counters", 30, "num_counters must be an integer 0..29"),
    ("num_counters", 2.0, "num_counters must be an integer 0..29"),
    ("num_counters", None, "num_counters must be an integer 0..29"),
    ("counter_width", 0, "counter_width must be an integer 1..64"),
    ("counter_width", 65, "counter_width must be an integer 1..64"),
    ("counter_width", "40", "counter_width must be an integer 1..64"),
    ("counter_width", False, "counter_width must be an integer 1..64"),
    ("retire_width", 0, "retire_width must be an integer 1..255"),
    ("retire_width", 256, "retire_width must be an integer 1..255"),
    ("retire_width", 1.5, "retire_width must be an integer 1..255"),
    ("has_s", 1, "has_s must be true or false"),
    ("has_u", "yes", "has_u must be true or false"),
    ("has_h", None, "has_h must be true or false"),
    ("sscofpmf", 0, "sscofpmf must be true or false"),
    ("smcntrpmf", "true", "smcntrpmf must be true or false"),
    ("events", "branch", "events must be a sequence of EventInput"),
    ("events", ("branch",), "events must be a sequence of EventInput"),
    ("events", {"branch": 1}, "events must be a sequence of EventInput"),
    ("events", None, "events must be a sequence of EventInput"),
])
def test_config_field_errors(field, value, phrase):
    with pytest.raises(ConfigError, match=phrase):
        PMUConfig(**{field: value})


def test_config_too_many_events():
    events = tuple(EventInput(f"e{i}") for i in range(254))
    with pytest.raises(ConfigError, match="at most 253 event inputs"):
        PMUConfig(events=events)
    assert len(PMUConfig(events=events[:253]).events) == 253  # the limit itself is fine


def test_config_duplicate_event_names():
    with pytest.raises(ConfigError, match="duplicate event names: a"):
        PMUConfig(events=(EventInput("a"), EventInput("b"), EventInput("a")))


def test_config_events_list_is_accepted_as_tuple():
    cfg = PMUConfig(events=[EventInput("a")])
    assert cfg.events == (EventInput("a"),)


@pytest.mark.parametrize("kw,phrase", [
    (dict(has_s=True, has_u=False, has_h=False), "S-mode requires U-mode"),
    (dict(has_s=False, has_u=True, has_h=True), "hypervisor extension requires S-mode"),
    (dict(has_s=False, has_u=False, has_h=True), "requires"),
])
def test_config_inconsistent_modes(kw, phrase):
    with pytest.raises(ConfigError, match=phrase):
        PMUConfig(**kw)


@pytest.mark.parametrize("kw,phrase", [
    (dict(name="Branch"), "lower-case letters"),
    (dict(name="1branch"), "starting with a letter"),
    (dict(name=""), "must be lower-case"),
    (dict(name="a" * 33), "at most 32 characters"),
    (dict(name="br-anch"), "lower-case letters, digits and '_'"),
    (dict(name=3), "must be lower-case"),
    (dict(name="b", max_per_cycle=0), "max_per_cycle must be an integer 1..255"),
    (dict(name="b", max_per_cycle=256), "max_per_cycle must be an integer 1..255"),
    (dict(name="b", max_per_cycle=True), "max_per_cycle must be an integer 1..255"),
    (dict(name="b", max_per_cycle="2"), "max_per_cycle must be an integer 1..255"),
    (dict(name="b", sbi="NOT_AN_EVENT"), "unknown SBI event"),
    (dict(name="b", sbi="NO_EVENT"), "NO_EVENT cannot be implemented"),
    (dict(name="b", sbi=""), "non-empty"),
    (dict(name="b", sbi="L1D_READ_SOMETIMES"), "unknown SBI event"),
])
def test_event_input_errors(kw, phrase):
    with pytest.raises(ConfigError, match=phrase):
        EventInput(**kw)


def test_event_input_name_limits_ok():
    assert EventInput("a" * 32).name == "a" * 32
    assert EventInput("a_1", max_per_cycle=255).max_per_cycle == 255


@pytest.mark.parametrize("sbi_name", ["CPU_CYCLES", "INSTRUCTIONS"])
def test_config_builtin_sbi_events_cannot_be_inputs(sbi_name):
    """Selectors 1 and 2 are cycles and instructions: an input cannot also implement them."""
    with pytest.raises(ConfigError, match="built in as selector"):
        PMUConfig(events=(EventInput("x", sbi=sbi_name),))


def test_config_same_sbi_event_twice():
    with pytest.raises(ConfigError, match="implemented by both 'x' and 'y'"):
        PMUConfig(events=(EventInput("x", sbi="BRANCH_MISSES"),
                          EventInput("y", sbi="BRANCH_MISSES")))


def test_config_event_index_unknown_name():
    with pytest.raises(ConfigError, match="no event input named 'nope'"):
        PMUConfig().event_index("nope")


def test_hartpmu_needs_a_pmuconfig():
    with pytest.raises(TypeError, match="needs a PMUConfig"):
        HartPMU({"xlen": 32})


# ------------------------------------------------------------------------------------------------
# TOML files and from_dict
# ------------------------------------------------------------------------------------------------


def _toml(tmp_path, text, name="pmu.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_toml_roundtrip_ok(tmp_path):
    cfg = PMUConfig(xlen=32, num_counters=4, counter_width=40, has_h=False,
                    events=(EventInput("branch", 2, "BRANCH_INSTRUCTIONS"),))
    assert PMUConfig.from_toml(_toml(tmp_path, cfg.to_toml())) == cfg


def test_toml_unknown_key(tmp_path):
    p = _toml(tmp_path, "xlen = 32\ncounters = 4\nfoo = 1\n")
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) counters, foo") as e:
        PMUConfig.from_toml(p)
    assert str(p) in str(e.value)
    assert "known: " in str(e.value) and "num_counters" in str(e.value)


@pytest.mark.parametrize("text,phrase", [
    ('xlen = "64"\n', "xlen must be 32 or 64"),
    ("num_counters = 3.0\n", "num_counters must be an integer"),
    ("has_s = 1\n", "has_s must be true or false"),
    ("counter_width = [40]\n", "counter_width must be an integer"),
    ("has_s = true\nhas_u = false\nhas_h = false\n", "S-mode requires U-mode"),
    # the events table
    ('events = "branch"\n', r"events must be an array of tables \(\[\[events\]\]\)"),
    ("events = [1, 2]\n", r"events\[0\] must be a table"),
    ('[[events]]\nname = "a"\ncolour = "red"\n', r"events\[0\]: unknown key\(s\) colour"),
    ('[[events]]\nmax_per_cycle = 2\n', r"events\[0\] needs a name"),
    ('[[events]]\nname = "a"\n[[events]]\nname = "B"\n', "lower-case letters"),
    ('[[events]]\nname = "a"\nmax_per_cycle = 0\n', "max_per_cycle must be an integer"),
    ('[[events]]\nname = "a"\nsbi = "FOO"\n', "unknown SBI event"),
    ('[[events]]\nname = "a"\n[[events]]\nname = "a"\n', "duplicate event names"),
])
def test_toml_bad_types_and_values(tmp_path, text, phrase):
    p = _toml(tmp_path, text)
    with pytest.raises(ConfigError, match=phrase) as e:
        PMUConfig.from_toml(p)
    assert str(e.value).startswith(str(p))  # the message names the file


def test_toml_empty_events_table_means_no_inputs(tmp_path):
    assert PMUConfig.from_toml(_toml(tmp_path, "events = []\n")).events == ()


def test_toml_missing_file(tmp_path):
    p = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="cannot read config") as e:
        PMUConfig.from_toml(p)
    assert "nope.toml" in str(e.value)


def test_toml_directory_is_unreadable(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        PMUConfig.from_toml(tmp_path)


def test_toml_permission_denied_or_unreadable(tmp_path):
    """A file without read permission gives a clean ConfigError. (Root can still read it; then
    the configuration simply loads. test_toml_not_utf8 covers an unreadable file for root.)"""
    p = tmp_path / "locked.toml"
    p.write_text("xlen = 32\n", encoding="utf-8")
    p.chmod(0)
    try:
        try:
            cfg = PMUConfig.from_toml(p)
        except ConfigError as e:
            assert "cannot read config" in str(e)
        else:
            assert os.geteuid() == 0 and cfg.xlen == 32
    finally:
        p.chmod(0o600)


def test_toml_not_utf8(tmp_path):
    """A file that cannot be read as text must be a ConfigError naming the file (the CLI turns
    only ConfigError into a one-line message), not a bare UnicodeDecodeError."""
    p = tmp_path / "binary.toml"
    p.write_bytes(b"xlen = 32\n\xff\xfe\x00garbage\n")
    with pytest.raises(ConfigError) as e:
        PMUConfig.from_toml(p)
    assert "binary.toml" in str(e.value)


@pytest.mark.parametrize("text", ["xlen = \n", "xlen = 32\nxlen = 64\n", "[[events]\n",
                                  "xlen 32\n", 'name = "unterminated\n'])
def test_toml_invalid_syntax(tmp_path, text):
    p = _toml(tmp_path, text)
    with pytest.raises(ConfigError, match="not valid TOML") as e:
        PMUConfig.from_toml(p)
    assert str(p) in str(e.value)


def test_from_dict_not_a_table():
    with pytest.raises(ConfigError, match="expected a table of settings"):
        PMUConfig.from_dict([("xlen", 32)], source="here")


# ------------------------------------------------------------------------------------------------
# HartPMU API arguments
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["X", "", "machine", 3, None, "HS"])
def test_bad_mode_value(mode):
    pmu = make()
    with pytest.raises(ValueError, match="mode must be one of M, S, U, VS, VU"):
        pmu.csr_read(MCOUNTINHIBIT, mode)
    with pytest.raises(ValueError, match="mode must be one of"):
        pmu.step(mode=mode)


def test_mode_strings_are_case_insensitive():
    pmu = make()
    assert pmu.csr_read(MCOUNTINHIBIT, " m ") == 0
    pmu.step(mode="vu")


@pytest.mark.parametrize("modeset,mode", [("MSU", "VS"), ("MSU", "VU"), ("MU", "S"),
                                          ("M", "U"), ("M", "S"), ("MU", "VU")])
def test_mode_not_in_config(modeset, mode):
    pmu = make(modeset=modeset)
    with pytest.raises(ValueError, match=f"mode {mode} does not exist on this hart"):
        pmu.csr_read(MCOUNTINHIBIT, mode)
    with pytest.raises(ValueError, match="does not exist on this hart"):
        pmu.csr_write(MCOUNTINHIBIT, 0, mode)
    with pytest.raises(ValueError, match="does not exist on this hart"):
        pmu.step(mode=mode)


@pytest.mark.parametrize("op", ["read", "xor", "", 7, None, csr.CSROp.READ])
def test_bad_op(op):
    pmu = make()
    with pytest.raises(ValueError, match="op|csr_read"):
        pmu.csr_write(MCOUNTINHIBIT, 0, "M", op)


def test_op_strings_and_enums():
    pmu = make()
    pmu.csr_write(MCOUNTINHIBIT, 0b100, "M", "SET")
    pmu.csr_write(MCOUNTINHIBIT, 0b001, "M", csr.CSROp.SET)
    pmu.csr_write(MCOUNTINHIBIT, 0b100, "M", csr.CSROp.CLEAR)
    assert pmu.csr_read(MCOUNTINHIBIT) == 0b001


@pytest.mark.parametrize("xlen,value", [(32, 1 << 32), (64, 1 << 64), (32, -1), (64, -1)])
def test_value_out_of_range(xlen, value):
    pmu = make(xlen=xlen)
    with pytest.raises(ValueError, match=rf"must be within 0\.\.0x[f]+ \(XLEN={xlen}\)"):
        pmu.csr_write(mhpmcounter(3), value)


@pytest.mark.parametrize("value", [1.0, "5", None, True])
def test_value_not_an_integer(value):
    with pytest.raises(ValueError, match="must be an integer"):
        make().csr_write(mhpmcounter(3), value)


@pytest.mark.parametrize("retired", [-1, 5, 1.0, True, "1", None])
def test_bad_retired(retired):
    pmu = make(retire_width=4)
    with pytest.raises(ValueError, match="retired must be an integer 0..4"):
        pmu.step(retired=retired)


def test_bad_halted():
    with pytest.raises(ValueError, match="halted must be True or False"):
        make().step(halted=1)


@pytest.mark.parametrize("events", [[0], [1], [2], [6], [EV_A, 99], [-3], ["3"], [True],
                                    [3.0]])
def test_bad_event_selector(events):
    pmu = make()  # TEST_EVENTS: selectors 3, 4, 5
    with pytest.raises(ValueError, match=r"is not an external event input \(valid: 3..5"):
        pmu.step(events=events)


@pytest.mark.parametrize("events", ["3", 3, None, b"\x03"])
def test_events_not_a_sequence(events):
    with pytest.raises(ValueError, match="events must be a sequence of event selector values"):
        make().step(events=events)


def test_too_many_repeats_of_an_event():
    pmu = make()  # ev_a: 1 per cycle, ev_b: 3 per cycle
    with pytest.raises(ValueError, match=r"'ev_a' \(selector 3\) fired 2 times in one cycle; "
                                         "it can report at most 1"):
        pmu.step(events=[EV_A, EV_A])
    with pytest.raises(ValueError, match="at most 3"):
        pmu.step(events=[EV_B] * 4)
    pmu.step(events=[EV_B] * 3)  # the maximum itself is fine


def test_per_input_counts_are_the_selector_lists_counts():
    """``counts`` (as the event pins carry them) and ``events`` (selectors) are one input."""
    a, b = make(), make()
    for pmu in (a, b):
        pmu.csr_write(csr.mhpmevent(3), EV_B)
    a.step(events=[EV_B, EV_A, EV_B])
    b.step(counts=(1, 2, 0))
    assert a.input_counts([EV_B, EV_A, EV_B]) == (1, 2, 0)
    assert a.snapshot() == b.snapshot() and a.peek(mhpmcounter(3)) == 0  # rule 23: next cycle
    a.step(events=[EV_B] * 3)
    b.step(counts=(0, 3, 0))
    assert a.snapshot() == b.snapshot() and b.peek(mhpmcounter(3)) == 3


@pytest.mark.parametrize("counts, match", [
    ((1, 0), "one count per event input"), ((2, 0, 0), r"'ev_a' \(selector 3\) fired 2 times"),
    ((-1, 0, 0), r"events\[0\] must be an occurrence count 0..1"), ((0, 1.0, 0), r"events\[1\]"),
    ("103", "per-input counts")])
def test_bad_per_input_counts(counts, match):
    with pytest.raises(ValueError, match=match):
        make().step(counts=counts)


def test_selectors_and_counts_not_both():
    with pytest.raises(ValueError, match="not both"):
        make().step(events=[EV_A], counts=(1, 0, 0))


def test_events_on_pmu_without_inputs():
    pmu = make(events=())
    with pytest.raises(ValueError, match="no external event inputs; events must be empty"):
        pmu.step(events=[3])


def test_rejected_step_does_not_advance_time():
    pmu = make()
    with pytest.raises(ValueError):
        pmu.step(events=[EV_A, EV_A])
    assert pmu.cycle == 0
    assert pmu.csr_read(0xB00) == 0


@pytest.mark.parametrize("addr", [0x300, 0x301, 0x305, 0x7B0, 0xF11, 0x000, 0xFFF, 0xC01,
                                  0xC81, 0xB01, 0xB81, 0x720, 0x345, 0xDA1])
def test_non_pmu_address(addr):
    pmu = make(xlen=32)
    with pytest.raises(NotPMUCSR, match=f"CSR 0x{addr:03X} is not a PMU CSR") as e:
        pmu.csr_read(addr)
    assert e.value.addr == addr
    with pytest.raises(NotPMUCSR):
        pmu.csr_write(addr, 0)


@pytest.mark.parametrize("addr", [-1, 0x1000, 1 << 20, "0xB00", 0xB00 + 0.0, None, True])
def test_address_not_a_12_bit_number(addr):
    with pytest.raises(ValueError, match="CSR address must be an integer 0x000..0xFFF"):
        make().csr_read(addr)


def test_advance_argument_errors():
    pmu = make(retire_width=2)  # TEST_EVENTS: ev_a 1/cycle, ev_b 3/cycle, ev_c 255/cycle
    with pytest.raises(ValueError, match="cycles must be a non-negative integer"):
        pmu.advance(-1)
    with pytest.raises(ValueError, match="one total per event input"):
        pmu.advance(2, [1])
    with pytest.raises(ValueError, match="total of event 'ev_a'"):
        pmu.advance(2, [3, 0, 0])  # at most 1 per cycle
    with pytest.raises(ValueError, match="retired_total"):
        pmu.advance(2, [], 5)  # at most 2 per cycle
    pmu.csr_write(mhpmcounter(3), 1)
    with pytest.raises(ValueError, match=r"close it with step\(\) first"):
        pmu.advance(3)
