"""Bad input to `rvpmu soc run`: one clear line on stderr and a non-zero exit."""

import pytest

from rvpmu.soc import firmware


def _one_line_error(rc, out, err):
    assert rc != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvpmu soc run: error: "), err
    assert "Traceback" not in out + err
    return lines[0]


def test_missing_program(rvpmu_soc, tmp_path):
    line = _one_line_error(*rvpmu_soc(str(tmp_path / "nope.c")))
    assert "no such program" in line and "nope.c" in line


def test_program_that_does_not_compile(rvpmu_soc, tmp_path):
    src = tmp_path / "broken.c"
    src.write_text("int main(void) {\n    return undefined_variable;\n}\n")
    line = _one_line_error(*rvpmu_soc(str(src)))
    assert "broken.c does not build" in line
    assert "error:" in line and "undefined_variable" in line  # the compiler's first error


def test_elf_that_does_not_fit(rvpmu_soc, tmp_path):
    src = tmp_path / "big.c"
    src.write_text("#include <stdint.h>\nvolatile uint32_t table[30000] = {1};\n"
                   "int main(void) { return table[0] - 1; }\n")
    elf = firmware.build(src, tmp_path, ram_bytes=256 * 1024)  # linked for a larger RAM
    line = _one_line_error(*rvpmu_soc(str(elf)))
    assert "does not fit the SoC's RAM" in line


def test_program_too_big_to_link(rvpmu_soc, tmp_path):
    src = tmp_path / "huge.c"
    src.write_text("#include <stdint.h>\nvolatile uint32_t table[30000] = {1};\n"
                   "int main(void) { return table[0] - 1; }\n")
    line = _one_line_error(*rvpmu_soc(str(src)))
    assert "huge.c does not build" in line and "RAM" in line


def test_not_an_elf(rvpmu_soc, tmp_path):
    f = tmp_path / "prog.elf"
    f.write_text("hello\n")
    line = _one_line_error(*rvpmu_soc(str(f)))
    assert "is not an ELF file" in line


def test_program_that_never_finishes(rvpmu_soc, tmp_path):
    src = tmp_path / "forever.c"
    src.write_text("int main(void) { for (;;) {} }\n")
    line = _one_line_error(*rvpmu_soc(str(src), "--max-cycles", "3000"))
    assert "did not finish within 3,000 cycles" in line


def test_bad_define(rvpmu_soc, capsys):
    with pytest.raises(SystemExit) as exc:
        rvpmu_soc("counting", "-D", "N_SORT")
    assert exc.value.code == 2
    assert "'N_SORT' is not NAME=INTEGER" in capsys.readouterr().err
