"""Bad arguments: one line on stderr, exit status 2; a missing tool: a message naming the fix."""

import subprocess
import sys

import pytest

from . import BENCH
import fpga  # noqa: E402
import fpga_flow  # noqa: E402
from rvpmu.toolchain import ToolchainError  # noqa: E402


@pytest.mark.parametrize("args, message", [
    (["--seeds", "one"], "seeds are integers"),
    (["--seeds", "1,1"], "distinct"),
    (["--designs", "fast"], "unknown design 'fast'"),
    (["--configs", "40x64"], "num_counters must be an integer 0..29"),
    (["--configs", "huge"], "unknown configuration 'huge'"),
    (["--jobs", "0"], "must be at least 1"),
    (["--config", "/nonexistent/pmu.toml"], "cannot read config"),
    (["--frobnicate"], "unrecognized arguments"),
])
def test_bad_arguments_exit_2_with_one_line(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        fpga.main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_bad_argument_from_the_shell():
    r = subprocess.run([sys.executable, str(BENCH / "fpga.py"), "--designs", "x"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("bench/fpga.py: error: argument --designs: unknown design 'x'")


def test_config_file_and_scaling_plan(tmp_path):
    toml = tmp_path / "mine.toml"
    toml.write_text("num_counters = 4\ncounter_width = 40\n")
    args = fpga.parse_args(["--configs", "4x40", "--config", str(toml), "--scaling",
                            "--seeds", "5,6"])
    assert list(args.configs) == ["4x40", "mine"]
    jobs = fpga.plan(args)
    main = [j for j in jobs if "main" in j.tables]
    assert [(j.design, j.label, j.seeds) for j in main] == [
        ("project", "4x40", [5, 6]), ("plain", "4x40", [5, 6]),
        ("project", "mine", [5, 6]), ("plain", "mine", [5, 6])]
    # the preset 4x40 (32 event inputs, like every preset) is also a scaling point: measured
    # once, in both tables; the user's file keeps its own 8 default inputs
    assert len(jobs) == 4 + 8 - 1
    assert next(j for j in jobs if j.label == "4x40" and j.design == "project").tables == \
        {"main", "scaling"}
    assert len(next(j for j in jobs if j.label == "mine").config.events) == 8
    assert all(j.seeds == [5] and not j.xilinx for j in jobs if j.tables == {"scaling"})


def test_missing_tool_names_the_fpga_extra():
    with pytest.raises(ToolchainError, match=r"not installed: install the FPGA tools \(the "
                       r"`fpga` extra\): `\.venv/bin/pip install -e '\.\[fpga\]'`"):
        fpga_flow.tool("yowasp-no-such-tool")
