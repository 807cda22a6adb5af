"""The summary of a mutation score: counts, the kill rate, and each survivor with where it is
and what it changes, grouped by the outputs the equivalence check found different."""

from __future__ import annotations

from . import equiv
from .score import KILLED, NOT_COMPILED, SURVIVED, TIMEOUT, Outcome, Score


def behaviour(o: Outcome) -> str:
    """What a survivor changes, as the equivalence check saw it."""
    e = o.equivalence
    if e is None:
        return "not checked for equivalence (--no-equiv)"
    if e.result == equiv.NOT_EQUIVALENT:
        return f"changes {', '.join(e.ports) or 'an output'}"
    return f"{e.result}: {e.detail}"


def survivor_line(o: Outcome) -> str:
    m = o.mutation
    e = o.equivalence
    after = f" (first after {e.depth} cycles from reset)" if e and e.depth is not None else ""
    src = "; ".join(m.source_lines()) or "no source location"
    return f"#{m.index} {m.what}{after}: {src}"


def groups(score: Score) -> dict[str, list[Outcome]]:
    out: dict[str, list[Outcome]] = {}
    for o in score.survivors:
        out.setdefault(behaviour(o), []).append(o)
    return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def summary(score: Score) -> str:
    c = score.counts
    rate = score.kill_rate
    lines = [
        f"mutants: {len(score.outcomes)}; killed {c[KILLED]}, killed by timeout {c[TIMEOUT]}, "
        f"survived {c[SURVIVED]}, equivalent {c['equivalent']}, not compiled {c[NOT_COMPILED]}",
        "kill rate: " + (f"{rate:.1%} ({c[KILLED] + c[TIMEOUT]} of {score.scored} mutants that "
                         "can change behaviour)" if rate is not None else "n/a (nothing scored)"),
        f"time: {score.seconds / 60:.1f} min (unmutated regression {score.baseline_seconds:.1f} s)",
    ]
    if score.survivors:
        lines.append("survivors, by the behaviour they change:")
        for what, outcomes in groups(score).items():
            lines.append(f"  {what} ({len(outcomes)}):")
            lines += [f"    {survivor_line(o)}" for o in outcomes]
    return "\n".join(lines)


def markdown_survivors(score: Score) -> str:
    """The survivors as a Markdown list (bench/results/mutation.md)."""
    lines = []
    for what, outcomes in groups(score).items():
        lines.append(f"- **{what}** ({len(outcomes)})")
        lines += [f"  - {survivor_line(o)}" for o in outcomes]
    return "\n".join(lines)
