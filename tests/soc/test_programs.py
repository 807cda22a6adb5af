"""The counting program (Verilator and Icarus) and the sampling profiler's interrupt path."""

import re

WORKLOADS = ("sort", "crc32", "matmul")
COLUMNS = ["mcycle", "minstret", "loads", "stores", "branches", "branches_taken", "jumps",
           "muldiv", "fetch_stall", "data_stall"]
SMALL = ("-D", "N_SORT=12", "-D", "N_CRC=6", "-D", "N_MAT=3")


def _table(out):
    lines = out.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("workload"))
    assert lines[head].split()[1:] == COLUMNS
    return {ln.split()[0]: [int(x) for x in ln.split()[1:]]
            for ln in lines[head + 1:head + 4]}


def _check_counting(rc, out, err, simulator):
    table = _table(out)
    assert list(table) == list(WORKLOADS)
    for name, row in table.items():
        d = dict(zip(COLUMNS, row))
        assert d["mcycle"] > d["minstret"] > d["loads"] + d["stores"] > 0, name
        assert d["branches"] >= d["branches_taken"], name
    assert dict(zip(COLUMNS, table["matmul"]))["muldiv"] > 0
    assert dict(zip(COLUMNS, table["sort"]))["muldiv"] == 0
    assert re.search(r"model check: PASS: \d+ CSR accesses \(60 reads\)", out)
    assert "RVFI cross-check: PASS: 30 reported counts equal to the trace" in out
    assert f"{simulator}: PASS" in out
    assert rc == 0, err


def test_counting_verilator(rvpmu_soc):
    _check_counting(*rvpmu_soc("counting"), "verilator")


def test_counting_icarus(rvpmu_soc):
    # Icarus runs the SoC at about 1,000 cycles/s: the same program with smaller workloads.
    _check_counting(*rvpmu_soc("counting", "--simulator", "icarus", *SMALL), "icarus")


def test_profiler_interrupt_path(rvpmu_soc):
    """overflow -> LCOFI handler (reads OF set) -> re-arm, clear OF, clear mip.LCOFIP (reads
    it back clear) -> the next sample: one LCOFIP interrupt per sample, none lost."""
    rc, out, err = rvpmu_soc("profile", "-D", "SOC_SAMPLE_PERIOD=300")
    m = re.search(r"(\d+) samples, one every 300 retired instructions", out)
    assert m and int(m.group(1)) >= 20
    n = int(m.group(1))
    assert "handler errors: 0" in out
    assert f"profile: {n} samples; printed histogram equals the handler's samples; " \
           f"{n} LCOFIP interrupts, one per sample" in out
    table = {ln.split()[-1]: int(ln.split()[1]) for ln in out.splitlines()
             if re.match(r"^\s+\d+\.\d\d%\s+\d+\s+\S+$", ln)}
    assert sum(table.values()) == n
    assert any(k.startswith("collatz_steps") for k in table)
    assert any(k.startswith("bubble_sort") for k in table)
    assert "model check: PASS" in out
    assert rc == 0, err
