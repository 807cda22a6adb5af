"""Firmware events (section 5), counter_fw_read (2.6) and guest counter CSR reads (3.3)."""

import pytest

from rvpmu import csr, sbi

from .kvm_helpers import (ACCESS_LOAD, ALL_HW, BRANCH, CF, CYCLES, E, F, FW0, INSTRET, IPI_SENT,
                          NUM, SF, TF, cfg, fw, fw_read, make, read_csr, small, start, stop)

FULL = (1 << NUM) - 1


def fw_counter(v, eidx, flags=0):
    err, idx = cfg(v, 0, FULL, flags, eidx)
    assert err == E.SUCCESS and idx >= FW0
    return idx


def test_fw_counter_counts_only_while_started():
    """5.2: incr_fw increments fw_event[code] only if started."""
    v = make()
    c = fw_counter(v, IPI_SENT)
    v.fw_event("IPI_SENT")
    assert fw_read(v, c) == (E.SUCCESS, 0)
    assert start(v, c) == (E.SUCCESS, 0)
    v.fw_event(sbi.FwEvent.IPI_SENT, 3)
    v.fw_event("ACCESS_LOAD", 5)  # another code
    assert fw_read(v, c) == (E.SUCCESS, 3)
    assert stop(v, c) == (E.SUCCESS, 0)
    v.fw_event("IPI_SENT")
    assert fw_read(v, c) == (E.SUCCESS, 3)
    assert stop(v, c) == (E.ALREADY_STOPPED, 0)


def test_fw_start_sets_value_and_resumes():
    """5.2: start sets fw value := counter_val (SET_INIT_VALUE or last sync)."""
    v = make()
    c = fw_counter(v, IPI_SENT)
    assert start(v, c, 1, SF.SET_INIT_VALUE, 100) == (E.SUCCESS, 0)
    v.fw_event("IPI_SENT", 2)
    assert stop(v, c) == (E.SUCCESS, 0)
    assert start(v, c) == (E.SUCCESS, 0)
    assert start(v, c) == (E.ALREADY_STARTED, 0)
    v.fw_event("IPI_SENT")
    assert fw_read(v, c) == (E.SUCCESS, 103)


def test_fw_values_are_64_bit_and_wrap():
    """2.7 / 5.2: FW counters are u64 (width 63) and wrap without a width mask."""
    v = make()
    c = fw_counter(v, IPI_SENT)
    assert start(v, c, 1, SF.SET_INIT_VALUE, (1 << 64) - 2) == (E.SUCCESS, 0)
    v.fw_event("IPI_SENT", 3)
    assert fw_read(v, c) == (E.SUCCESS, 1)
    assert v.ecall(F.COUNTER_FW_READ_HI, c) == (E.SUCCESS, 0)


def test_shared_fw_event_state():
    """5.2 / 7.4 item 8: two counters with the same code share value and started flag."""
    v = make()
    a, b = fw_counter(v, ACCESS_LOAD), fw_counter(v, ACCESS_LOAD)
    assert (a, b) == (FW0, FW0 + 1)
    assert start(v, a) == (E.SUCCESS, 0)
    assert start(v, b) == (E.ALREADY_STARTED, 0)
    v.fw_event("ACCESS_LOAD", 4)
    assert fw_read(v, a) == fw_read(v, b) == (E.SUCCESS, 4)
    assert stop(v, b) == (E.SUCCESS, 0)
    assert stop(v, a) == (E.ALREADY_STOPPED, 0)


def test_stop_reset_keeps_fw_value_for_the_code():
    """5.2: stop+RESET unmaps the counter but fw_event[code].value stays."""
    v = make()
    a = fw_counter(v, ACCESS_LOAD)
    assert start(v, a) == (E.SUCCESS, 0)
    v.fw_event("ACCESS_LOAD", 6)
    assert stop(v, a, 1, TF.RESET) == (E.SUCCESS, 0)
    assert fw_read(v, a) == (E.INVALID_PARAM, 0)
    b = fw_counter(v, ACCESS_LOAD)
    assert fw_read(v, b) == (E.SUCCESS, 6)


def test_fw_auto_start_and_clear_value_ignored():
    """1.6: AUTO_START starts a FW counter at configuration; CLEAR_VALUE is ignored for FW."""
    v = make()
    c = fw_counter(v, IPI_SENT, CF.AUTO_START)
    v.fw_event("IPI_SENT", 2)
    assert start(v, c) == (E.ALREADY_STARTED, 0)
    assert cfg(v, c, 1, CF.SKIP_MATCH | CF.CLEAR_VALUE, IPI_SENT) == (E.SUCCESS, c)
    assert fw_read(v, c) == (E.SUCCESS, 2)


@pytest.mark.parametrize("event,counted_as", [
    (sbi.FwEvent.SFENCE_VMA_SENT, sbi.FwEvent.HFENCE_VVMA_SENT),
    (sbi.FwEvent.SFENCE_VMA_RECEIVED, sbi.FwEvent.HFENCE_VVMA_RECEIVED),
    (sbi.FwEvent.SFENCE_VMA_ASID_SENT, sbi.FwEvent.HFENCE_VVMA_ASID_SENT),
    (sbi.FwEvent.SFENCE_VMA_ASID_RECEIVED, sbi.FwEvent.HFENCE_VVMA_ASID_RECEIVED),
    (sbi.FwEvent.ILLEGAL_INSN, sbi.FwEvent.ILLEGAL_INSN),
    (sbi.FwEvent.FENCE_I_RECEIVED, sbi.FwEvent.FENCE_I_RECEIVED),
])
def test_kvm_counts_sfence_as_hfence_vvma(event, counted_as):
    """5.1: KVM counts the SBI remote SFENCE.VMA requests under the HFENCE_VVMA codes."""
    v = make()
    c = fw_counter(v, fw(counted_as), CF.AUTO_START)
    v.fw_event(event)
    assert fw_read(v, c) == (E.SUCCESS, 1)


@pytest.mark.parametrize("event", [*range(10, 22)])
def test_kvm_never_counts_sfence_and_hfence_codes(event):
    """5.1: codes 10-17 are never incremented by KVM, 18-21 only stand for SFENCE requests."""
    v = make()
    c = fw_counter(v, fw(event), CF.AUTO_START)
    v.fw_event(event, 5)
    assert fw_read(v, c) == (E.SUCCESS, 0)


def test_fw_event_argument_checks():
    v = make()
    for bad in (22, -1, "NOPE", 1.5):
        with pytest.raises(ValueError):
            v.fw_event(bad)
    with pytest.raises(ValueError, match="count"):
        v.fw_event(0, -1)


def test_injected_illegal_instruction_is_not_an_illegal_insn_event():
    """3.3: KVM's own illegal-instruction injection does not count SBI_PMU_FW_ILLEGAL_INSN."""
    v = make()
    c = fw_counter(v, fw(sbi.FwEvent.ILLEGAL_INSN), CF.AUTO_START)
    assert read_csr(v, csr.hpmcounter(3)) == "illegal"
    assert fw_read(v, c) == (E.SUCCESS, 0)


@pytest.mark.parametrize("cidx", [1, NUM, NUM + 5, 64, (1 << 64) - 1])
def test_fw_read_bad_index(cidx):
    """2.6: cidx >= num_counters or == 1 -> INVALID_PARAM."""
    assert fw_read(make(), cidx) == (E.INVALID_PARAM, 0)


def test_fw_read_unconfigured_and_hw_counters():
    """2.6: unconfigured FW -> INVALID_PARAM (2026 fix); configured HW -> its value (KVM);
    unconfigured HW -> INVALID_PARAM."""
    v = make()
    assert fw_read(v, FW0 + 3) == (E.INVALID_PARAM, 0)
    assert fw_read(v, 0) == (E.INVALID_PARAM, 0)
    assert fw_read(v, 3) == (E.INVALID_PARAM, 0)
    c = cfg(v, 0, ALL_HW, 0, CYCLES)[1]
    assert start(v, c, 1, SF.SET_INIT_VALUE, 10) == (E.SUCCESS, 0)
    v.run(5)
    assert fw_read(v, c) == (E.SUCCESS, 15)


# -- guest CSR reads (section 3.3) -------------------------------------------------------------

def test_configured_counters_read_through_the_trap():
    v = make()
    cyc = cfg(v, 0, ALL_HW, 0, CYCLES)[1]
    ins = cfg(v, 0, ALL_HW, 0, INSTRET)[1]
    br = cfg(v, 0, ALL_HW, 0, BRANCH)[1]
    assert start(v, 0, 0b1101) == (E.SUCCESS, 0)
    v.run(12, events={"retired": [1, 0, 0], "branch": [0, 1]})
    assert [read_csr(v, csr.CYCLE), read_csr(v, csr.INSTRET), read_csr(v, csr.hpmcounter(br))] \
        == [12, 4, 6]
    assert (cyc, ins, br) == (0, 2, 3)
    assert read_csr(v, "cycle") == 12  # by name


@pytest.mark.parametrize("addr", [csr.CYCLE, csr.INSTRET, csr.hpmcounter(3), csr.hpmcounter(31)])
def test_unconfigured_counters_are_illegal(addr):
    assert read_csr(make(), addr) == "illegal"


def test_illegal_instruction_details():
    from rvpmu.model import IllegalInstruction

    v = make()
    with pytest.raises(IllegalInstruction) as info:
        v.guest_csr_read(csr.CYCLE)
    assert info.value.addr == csr.CYCLE and info.value.mode == csr.Mode.VS
    assert info.value.op == csr.CSROp.READ and info.value.cause == 2


@pytest.mark.parametrize("n", [0, 3, 31])
def test_rv64_high_half_csrs_are_illegal(n):
    """3.3: cycleh/hpmcounterNh do not exist on RV64."""
    v = make()
    configured_all = cfg(v, 0, ALL_HW, CF.AUTO_START, CYCLES)
    assert configured_all[0] == E.SUCCESS
    assert read_csr(v, csr.HPMCOUNTERH_BASE + n) == "illegal"


def test_hpmcounter_aliases_fw_counters():
    """3.3 / 7.4 item 13: hpmcounterN with N >= num_hw_ctrs reads firmware counter N."""
    v = make(config=small())  # num_hw_ctrs 7, FW counters 7..28
    assert read_csr(v, csr.hpmcounter(7)) == "illegal"
    assert cfg(v, 7, 1, CF.AUTO_START, IPI_SENT) == (E.SUCCESS, 7)
    v.fw_event("IPI_SENT", 4)
    assert read_csr(v, csr.hpmcounter(7)) == 4
    assert read_csr(v, csr.hpmcounter(31)) == "illegal"  # FW counter 31 >= num_counters 29


@pytest.mark.parametrize("bad", [csr.TIME, "time", 0x123, csr.MCYCLE, "mcycle", 1.0])
def test_non_counter_csrs_rejected(bad):
    with pytest.raises(ValueError):
        make().guest_csr_read(bad)
