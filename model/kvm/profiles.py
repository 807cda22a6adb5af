"""The two behaviour profiles of the vPMU model and the one table of where they differ.

``kvm`` (the default) is mainline Linux KVM as the reference describes it, including its
deviations from the SBI specification; ``spec`` is what the SBI specification requires. Every
behaviour that differs is one row of ``DIFFERENCES``: the model asks ``profile.quirk(key)`` at the
point where the behaviour is decided, and ``docs/kvm-profiles.md`` is generated from the same
rows (``rvpmu model profiles -o docs/kvm-profiles.md``), so code, documentation and tests
cannot drift.

Section numbers refer to ``kvm-vpmu.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    """One behaviour where KVM and the SBI specification disagree."""

    key: str  # the name the model asks ``Profile.quirk`` about
    section: str  # reference section(s)
    situation: str
    kvm: str
    spec: str


DIFFERENCES: tuple[Difference, ...] = (
    Difference("get_info_bound_64", "2.2, 2.10",
               "`counter_get_info` for `num_counters <= idx < 64`",
               "SUCCESS, value 0 (bound is 64, not `num_counters`)", "INVALID_PARAM"),
    Difference("cfg_reserved_flags_ignored", "1.6, 2.10",
               "`counter_config_matching` with reserved flag bits 8..63 set",
               "flags ignored", "INVALID_PARAM"),
    Difference("skip_match_unconfigured_failure", "2.3, 2.10",
               "SKIP_MATCH on a counter that is not configured",
               "FAILED (-1)", "INVALID_PARAM (as OpenSBI; the spec leaves it open)"),
    Difference("skip_match_no_type_check", "2.3, 7.4 item 6",
               "SKIP_MATCH with an event the selected counter cannot count (HW event on a "
               "firmware counter, FW event on a hardware counter, non-cycle event on counter 0)",
               "accepted (type confusion)", "NOT_SUPPORTED"),
    Difference("fixed_counter_ignores_mask", "2.3, 3.4, 7.4 item 5",
               "`counter_config_matching` for CPU_CYCLES / INSTRUCTIONS",
               "always counter 0 / 2, whatever `cbase`/`cmask` and even if in use",
               "first free counter of the requested set that can count it (0 / 2 or "
               "programmable); NOT_SUPPORTED if none"),
    Difference("no_event_counts_cycles", "1.6",
               "`counter_config_matching` for HW event code 0 (NO_EVENT)",
               "configures a programmable counter counting CPU cycles (perf config 0)",
               "NOT_SUPPORTED"),
    Difference("raw_events_unchecked", "1.6, Appendix A",
               "raw / raw v2 events with `event_idx.code != 0` or a selector the hardware "
               "does not implement",
               "configured (SUCCESS); an unimplemented selector never counts",
               "NOT_SUPPORTED"),
    Difference("fw_clear_value_ignored", "1.6, 5.2",
               "CLEAR_VALUE on a firmware counter", "ignored", "the counter value is zeroed"),
    Difference("auto_start_leaves_stopped", "1.6, 7.4 item 3",
               "AUTO_START on a hardware counter",
               "counts, but stays 'stopped': stop returns ALREADY_STOPPED and does not stop it, "
               "start returns SUCCESS",
               "started: stop stops it, start returns ALREADY_STARTED"),
    Difference("started_survives_reconfig", "1.5, 7.4 item 4",
               "`started` flag of a hardware counter across vCPU reset and SKIP_MATCH "
               "re-configuration",
               "kept: the next start returns ALREADY_STARTED and the counter does not count",
               "cleared: the counter is stopped"),
    Difference("unconfigured_counters_skipped", "2.4, 2.5, 2.10",
               "start/stop with an unconfigured counter (or index 1) inside a valid mask",
               "silently skipped, SUCCESS", "INVALID_PARAM, nothing changes"),
    Difference("init_value_and_snapshot_allowed", "2.4, 2.10",
               "start with both SET_INIT_VALUE and INIT_SNAPSHOT",
               "accepted, SET_INIT_VALUE wins", "INVALID_PARAM (mutually exclusive)"),
    Difference("already_started_value_overwritten", "2.4",
               "start with SET_INIT_VALUE / INIT_SNAPSHOT of a counter that is already started",
               "ALREADY_STARTED, but the value is overwritten", "ALREADY_STARTED, value unchanged"),
    Difference("stop_sticky_error_skips_snapshot", "2.5, 7.4 item 9",
               "stop with TAKE_SNAPSHOT after an earlier counter of the same call failed",
               "no later counter is saved (the call's error is sticky)",
               "every successfully stopped counter is saved"),
    Difference("reset_snapshot_stale_value", "2.5, 7.4 item 10",
               "stop with RESET | TAKE_SNAPSHOT of a hardware counter",
               "saves the value of the last read (events since are lost)",
               "saves the final value"),
    Difference("snapshot_whole_area_writeback", "2.5, 4.5, 7.4 item 11",
               "stop with TAKE_SNAPSHOT",
               "writes back the whole 4096-byte host copy (overwrites the guest's other entries)",
               "writes only the saved counters' values and sets or clears their overflow bits"),
    Difference("fw_read_returns_hw_values", "2.6, 2.10",
               "`counter_fw_read` of a configured hardware counter",
               "SUCCESS with the counter value", "INVALID_PARAM"),
    Difference("fw_read_hi_unchecked", "2.7, 2.10",
               "`counter_fw_read_hi` (RV64) of a hardware, invalid or unconfigured counter",
               "SUCCESS, value 0", "INVALID_PARAM"),
    Difference("shmem_alignment_unchecked", "2.8, 2.10",
               "`snapshot_set_shmem` with an address that is not 4096-byte aligned",
               "accepted", "INVALID_PARAM"),
    Difference("event_info_read_failure_failed", "2.9, 2.10",
               "`event_get_info` when the entries cannot be read", "FAILED", "INVALID_ADDRESS"),
    Difference("event_info_reserved_bits_ignored", "2.9, 2.10",
               "`event_get_info` with an entry's `event_idx` bits [31:20] set",
               "ignored", "INVALID_PARAM"),
    Difference("event_info_overreports", "2.9, 7.4 item 14",
               "`event_get_info` for FW codes >= 22, HW NO_EVENT and raw events",
               "reported supported (FW >= 22 and raw: always; NO_EVENT: as CPU cycles)",
               "supported only if `counter_config_matching` could count it"),
    Difference("values_not_width_masked", "1.4, 7.4 item 7",
               "value of a hardware counter narrower than 64 bits",
               "never masked to the counter width", "wraps at the counter width"),
    Difference("shared_fw_event_state", "5.2, 7.4 item 8",
               "two firmware counters configured for the same firmware event",
               "share one value and started flag (the second start is ALREADY_STARTED)",
               "independent counters"),
    Difference("csr_alias_fw_counters", "3.3, 7.4 item 13",
               "guest read of `hpmcounterN` with `N >= num_hw_ctrs`",
               "reads firmware counter N (illegal instruction if unconfigured)",
               "illegal instruction"),
    Difference("sample_period_off_by_one", "4.1",
               "overflow of a counter started at value 0",
               "after 2^(width+1) - 1 events (period = mask)",
               "when the value wraps, after 2^(width+1) events"),
    Difference("perf_rejects_large_periods", "4.1",
               "start when the computed sample period is 0 or >= 2^63 (e.g. value 0, width 63)",
               "perf rejects it and the previous period stays in force (an early overflow)",
               "the new period applies"),
    Difference("fw_event_routing", "5.1",
               "which firmware counter a firmware event increments",
               "SFENCE_VMA[_ASID]_SENT/RECEIVED count as HFENCE_VVMA[_ASID]_*, HFENCE_* "
               "events are never counted", "each event counts under its own code"),
)

QUIRKS = frozenset(d.key for d in DIFFERENCES)


@dataclass(frozen=True)
class Profile:
    """A named set of KVM quirks (the ``DIFFERENCES`` keys that behave as KVM does)."""

    name: str
    quirks: frozenset[str]

    def quirk(self, key: str) -> bool:
        """True if this profile behaves as KVM for the difference ``key``."""
        if key not in QUIRKS:
            raise KeyError(f"unknown profile difference {key!r}")
        return key in self.quirks


PROFILES = {
    "kvm": Profile("kvm", QUIRKS),
    "spec": Profile("spec", frozenset()),
}


def get_profile(profile: str | Profile) -> Profile:
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, str) and profile.strip().lower() in PROFILES:
        return PROFILES[profile.strip().lower()]
    raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")


def markdown() -> str:
    """``docs/kvm-profiles.md``: the generated table of every profile difference."""
    lines = [
        "# KVM vPMU model: where the `kvm` and `spec` profiles differ",
        "",
        "<!-- Generated by `rvpmu model profiles -o docs/kvm-profiles.md` from "
        "model/kvm/profiles.py; do not edit. -->",
        "",
        "`KvmVcpuPmu(hw, profile=\"kvm\")` (the default) models mainline Linux KVM; "
        "`profile=\"spec\"` models what the SBI specification requires. These are all the "
        "behaviours in which they differ; everything else is the same in both. Sections refer "
        "to the reference `kvm-vpmu.md`. Each row is checked by `tests/kvm/test_kvm_profiles.py`.",
        "",
        "| # | Key | Section | Situation | `kvm` | `spec` |",
        "|---|---|---|---|---|---|",
    ]
    for n, d in enumerate(DIFFERENCES, 1):
        cells = [str(n), f"`{d.key}`", f"§{d.section}", d.situation, d.kvm, d.spec]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += [
        "",
        "The literal KVM arithmetic of section 1.4 (every read adds the whole cumulative perf "
        "count again) is not a profile difference: both profiles model the intended value "
        "(base + events since the last synchronisation) unless the option "
        "`KvmVcpuPmu(..., accumulate_on_read=True)` is given.",
        "",
    ]
    return "\n".join(lines)

