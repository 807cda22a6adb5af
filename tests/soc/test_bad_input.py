"""Bad input to `rvpmu soc run`: one clear line on stderr and a non-zero exit."""

import pytest

from rvpmu.soc import firmware


def _one_line_error(rc, out, err):
    assert rc != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvpmu soc run: error: "), err
    assert "Traceback" not in out + err
    return lines[0]


BIG = ("#include <stdint.h>\nvolatile uint32_t table[30000] = {1};\n"
       "int main(void) { return table[0] - 1; }\n")


@pytest.mark.parametrize("name, text, args, phrases", [
    ("nope.c", None, (), ("no such program", "nope.c")),
    # the compiler's first error
    ("broken.c", "int main(void) {\n    return undefined_variable;\n}\n", (),
     ("broken.c does not build", "error:", "undefined_variable")),
    ("huge.c", BIG, (), ("huge.c does not build", "RAM")),
    ("prog.elf", "hello\n", (), ("is not an ELF file",)),
    ("forever.c", "int main(void) { for (;;) {} }\n", ("--max-cycles", "3000"),
     ("did not finish within 3,000 cycles",)),
], ids=["missing", "does_not_compile", "too_big_to_link", "not_an_elf", "never_finishes"])
def test_bad_program(rvpmu_soc, tmp_path, name, text, args, phrases):
    src = tmp_path / name
    if text is not None:
        src.write_text(text)
    line = _one_line_error(*rvpmu_soc(str(src), *args))
    assert all(p in line for p in phrases), line


def test_elf_that_does_not_fit(rvpmu_soc, tmp_path):
    src = tmp_path / "big.c"
    src.write_text(BIG)
    elf = firmware.build(src, tmp_path, ram_bytes=256 * 1024)  # linked for a larger RAM
    line = _one_line_error(*rvpmu_soc(str(elf)))
    assert "does not fit the SoC's RAM" in line


def test_bad_define(rvpmu_soc, capsys):
    with pytest.raises(SystemExit) as exc:
        rvpmu_soc("counting", "-D", "N_SORT")
    assert exc.value.code == 2
    assert "'N_SORT' is not NAME=INTEGER" in capsys.readouterr().err
