"""Traces (docs/trace-format.md), the comparator and the command line: `rvpmu model run`,
`rvpmu compare`, `rvpmu model profiles`."""

import json

import pytest

from rvpmu import csr
from rvpmu.cli import main
from rvpmu.model.kvm import Trace, TraceError
from rvpmu.model.kvm.replay import compare

from .kvm_helpers import ALL_HW, BRANCH, E, SF, TF, cfg, make, read_csr, set_shmem, start, stop


def session(profile="kvm"):
    v = make(profile)
    v.note("a short session")
    v.probe()
    assert cfg(v, 0, ALL_HW, 0, BRANCH) == (E.SUCCESS, 3)
    assert set_shmem(v) == (E.SUCCESS, 0)
    assert start(v, 3, 1, SF.SET_INIT_VALUE, (1 << 64) - 3) == (E.SUCCESS, 0)
    v.run(10, events={"branch": [1, 0]}, stop_on_lcofi=True)
    assert v.lcofi_pending
    read_csr(v, csr.hpmcounter(3))
    read_csr(v, csr.hpmcounter(4))
    v.fw_event("IPI_SENT", 2)
    assert stop(v, 3, 1, TF.TAKE_SNAPSHOT) == (E.SUCCESS, 0)
    v.guest_memory.read_u64((1 << 30) + 8)
    v.guest_memory.write_u64((1 << 30) + 8, 5)
    v.clear_lcofi()
    v.reset()
    return v.trace


def test_round_trip_and_replay():
    trace = session()
    text = trace.to_jsonl()
    back = Trace.parse(text)
    assert back.header == json.loads(json.dumps(trace.header))
    assert back.records == trace.records
    assert back.to_jsonl() == text
    result = compare(back)
    assert result.divergence is None and result.records == len(trace.records) == 15


def test_every_op_is_recorded():
    ops = {r["op"] for r in session().records}
    assert ops == {"note", "probe", "ecall", "mem_read", "mem_write", "run", "lcofi", "csr_read",
                   "fw_event", "lcofi_clear", "reset"}
    illegal = [r for r in session().records if r["op"] == "csr_read"][1]
    assert illegal["result"] == {"exception": "illegal_instruction"}


def test_divergence_reports_record_and_context():
    trace = session()
    n = next(i for i, r in enumerate(trace.records, 1) if r["op"] == "csr_read")
    trace.records[n - 1]["result"] = {"value": 12345}
    d = compare(Trace.parse(trace.to_jsonl()), context=3).divergence
    assert d.number == n and d.line == n + 1
    assert d.expected == {"value": 12345} and d.observed == {"value": 0}  # just wrapped
    assert [k for k, _, _ in d.context] == [n - 3, n - 2, n - 1]


def test_profile_is_part_of_the_trace():
    """A kvm trace replayed as spec diverges where the profiles differ."""
    v = make("kvm")
    v.ecall(1, 60)  # counter_get_info(60): SUCCESS under KVM (2.2)
    trace = Trace.parse(v.trace.to_jsonl().replace('"profile":"kvm"', '"profile":"spec"'))
    d = compare(trace).divergence
    assert d.number == 1 and d.expected == {"error": 0, "value": 0}
    assert d.observed == {"error": E.INVALID_PARAM, "value": 0}


def test_hex_strings_accepted_for_numbers():
    text = make().trace.to_jsonl() + '{"op":"ecall","fid":"0x1","args":["0x0",0,0,0,0,0],' \
        '"result":{"error":0,"value":"0x3FC00"}}\n'
    assert compare(Trace.parse(text)).divergence is None


HEADER = json.dumps(make().trace.header)


@pytest.mark.parametrize("text,line,message", [
    ("", 0, "empty trace"),
    ("{not json\n", 1, "not valid JSON"),
    ('{"format":"other"}\n', 1, "header"),
    (HEADER.replace('"version": 1', '"version": 2') + "\n", 1, "version 2"),
    (HEADER.replace('"profile": "kvm"', '"profile": "qemu"') + "\n", 1, "profile"),
    (HEADER.replace('"xlen": 64', '"xlen": 16') + "\n", 1, "xlen"),
    (HEADER + '\n{"op":"jump"}\n', 2, "unknown op"),
    (HEADER + '\n\n{"op":"probe"}\n', 3, "missing its result"),
    (HEADER + '\n{"op":"ecall","fid":0,"args":[0],"result":{"error":0,"value":0}}\n', 2, "a0..a5"),
    (HEADER + '\n{"op":"reset","extra":1}\n', 2, "unexpected field"),
    (HEADER + '\n{"op":"csr_read","csr":3072,"result":{"exception":"segfault"}}\n', 2, "exception"),
    (HEADER + '\n{"op":"mem_write","addr":1073741824,"data":"xyz"}\n', 2, "hexadecimal"),
    (HEADER + '\n[1,2]\n', 2, "JSON object"),
])
def test_malformed_traces(text, line, message):
    with pytest.raises(TraceError, match=message) as info:
        Trace.parse(text, "t.jsonl")
    assert info.value.line == line


@pytest.mark.parametrize("record,message", [
    ('{"op":"run","cycles":5,"mode":"VS","events":{"nope":1},"stop_on_lcofi":false,'
     '"result":{"cycles":5,"lcofi_pending":false}}', "not an event input"),
    ('{"op":"run","cycles":5,"mode":"XS","events":{},"stop_on_lcofi":false,'
     '"result":{"cycles":5,"lcofi_pending":false}}', "mode"),
    ('{"op":"csr_read","csr":3073,"result":{"value":0}}', "time"),
    ('{"op":"fw_event","code":40,"count":1}', "firmware event"),
    ('{"op":"mem_read","addr":0,"size":8,"result":{"data":"00"}}', "not guest RAM"),
])
def test_inputs_the_model_rejects_are_malformed(record, message):
    trace = Trace.parse(HEADER + "\n" + record + "\n")
    with pytest.raises(TraceError, match=message) as info:
        compare(trace, "t.jsonl")
    assert info.value.line == 2


# -- command line ------------------------------------------------------------------------------

def test_cli_model_run_and_compare(tmp_path, capsys):
    """Issue 3 'done when': `rvpmu model run overflow` writes a trace `rvpmu compare` accepts;
    a hand-edited trace with one wrong result is reported at the right record with exit 1."""
    out = tmp_path / "overflow.jsonl"
    assert main(["model", "run", "overflow", "-o", str(out)]) == 0
    assert "scenario overflow (profile kvm)" in capsys.readouterr().out
    assert main(["compare", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert capsys.readouterr().out.strip() == f"{out}: {len(lines) - 1} records match"
    n = next(i for i, line in enumerate(lines) if '"counter_stop"' in line)
    rec = json.loads(lines[n])
    rec["result"]["error"] = -7
    lines[n] = json.dumps(rec)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    assert main(["compare", str(bad), "--context", "2"]) == 1
    text = capsys.readouterr().out
    assert f"divergence at record {n} (line {n + 1})" in text
    assert 'expected: {"error":-7,"value":0}' in text and 'observed: {"error":0,"value":0}' in text
    assert f"record {n - 1} (line {n})" in text and f"record {n - 2} (line {n - 1})" in text


def test_cli_compare_malformed(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(HEADER + '\n{"op":"probe","result":{"value":1}}\n{"op":\n')
    assert main(["compare", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: not valid JSON" in err and "Traceback" not in err
    assert main(["compare", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_cli_model_run_options(tmp_path, capsys):
    assert main(["model", "run", "basic", "--profile", "spec"]) == 0
    captured = capsys.readouterr()
    first = json.loads(captured.out.splitlines()[0])
    assert first["profile"] == "spec" and first["scenario"] == "basic"
    assert "scenario basic (profile spec)" in captured.err
    assert main(["model", "run", "events", "--loop-iterations", "20", "--accumulate-on-read",
                 "-o", str(tmp_path / "e.jsonl")]) == 0
    assert main(["compare", str(tmp_path / "e.jsonl")]) == 0


@pytest.mark.parametrize("argv,message", [
    (["model", "run", "nope"], "neither a scenario"),
])
def test_cli_model_run_errors(argv, message, capsys):
    assert main(argv) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("n", ["0", "100000000000"])
def test_cli_model_run_loop_iterations_bounded(n, capsys):
    with pytest.raises(SystemExit) as e:
        main(["model", "run", "basic", "--loop-iterations", n])
    assert e.value.code == 2
    assert "must be within 1..10,000,000" in capsys.readouterr().err


def test_cli_model_run_script(tmp_path, capsys):
    script = tmp_path / "s.kvm"
    script.write_text("""# a script session
probe
ecall COUNTER_CFG_MATCH 0 0xFFFFFFFF 0 BRANCH_INSTRUCTIONS
ecall counter_start 3 1 SET_INIT_VALUE -3
run 10 mode=VS branch=1,0 stop_on_lcofi
lcofi
csrr hpmcounter3
csrr 0xC04
fw_event IPI_SENT 2
write64 0x40000000 7
read 0x40000000 8
clear_lcofi
note done
reset
""")
    out = tmp_path / "s.jsonl"
    assert main(["model", "run", str(script), "-o", str(out)]) == 0
    trace = Trace.read(out)
    assert trace.header["scenario"] == str(script)
    assert [r["op"] for r in trace.records][:5] == ["probe", "ecall", "ecall", "run", "lcofi"]
    assert trace.records[3]["result"] == {"cycles": 5, "lcofi_pending": True}
    assert trace.records[5]["result"] == {"value": 0}
    assert trace.records[6]["result"] == {"exception": "illegal_instruction"}
    assert main(["compare", str(out)]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.kvm"
    bad.write_text("probe\necall COUNTER_START FOO\n")
    assert main(["model", "run", str(bad)]) == 1
    assert f"{bad}:2:" in capsys.readouterr().err


def test_cli_profiles_doc(tmp_path, capsys):
    from rvpmu.model.kvm.profiles import markdown

    assert main(["model", "profiles"]) == 0
    assert capsys.readouterr().out == markdown()


def test_cli_model_hart_still_works(capsys):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "overflow.hart"
    assert main(["model", "hart", str(example), "-q"]) == 0


def test_example_script(tmp_path):
    """examples/kvm-session.kvm: cycles count in VU and VS (100 events to the wrap), branches
    only in VU (SET_SINH -> VSINH), the FW counter sees both IPIs."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "kvm-session.kvm"
    out = tmp_path / "k.jsonl"
    assert main(["model", "run", str(example), "-o", str(out)]) == 0
    results = [r.get("result") for r in Trace.read(out).records]
    assert {"cycles": 40, "lcofi_pending": True} in results
    assert {"data": "0100000000000000"} in results  # overflow bitmap bit 0
    assert {"value": 30} in results  # hpmcounter3
    assert results[-4:] == [None, {"error": 0, "value": 2},
                            {"exception": "illegal_instruction"},
                            {"error": E.ALREADY_STOPPED, "value": 0}]
