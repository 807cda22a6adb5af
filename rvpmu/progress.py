"""The one progress reporter (issue 13 item 3, issue 17 item 6).

Every phase that can take more than a few seconds reports through it: the testbenches' phases
(lock-step, long regression, directed, KVM scenarios) write ``mark`` lines into the simulator's
log, which ``Progress.following`` reads back while the simulator runs; board checks and formal
call ``Progress.update`` themselves; builds, whose only measure is time, run inside
``Progress.waiting`` with the duration of the previous build as the estimate.
A line reads ``  long regression: 40% (800,000 of 2,000,000 cycles), 12 s, ETA 18 s``.
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from pathlib import Path

MARK = "rvpmu-progress"
EVERY_SECONDS = 10.0  # at most one line per phase this often (and the first and last)


def mark(phase: str, done: int, total: int, unit: str = "") -> str:
    """The line a testbench logs for the reporter: ``rvpmu-progress phase|done|total|unit``."""
    return f"{MARK} {phase}|{int(done)}|{int(total)}|{unit}"


def parse(line: str) -> tuple[str, int, int, str] | None:
    """(phase, done, total, unit) of a ``mark`` line anywhere in ``line``; None otherwise."""
    if MARK not in line:
        return None
    fields = line.split(MARK, 1)[1].strip().split("|")
    if len(fields) != 4 or not fields[1].isdigit() or not fields[2].isdigit():
        return None
    return fields[0], int(fields[1]), int(fields[2]), fields[3]


def duration(seconds: float) -> str:
    """``7 s``, ``3 min 05 s``, ``2 h 01 min``."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def _say(text: str) -> None:
    print(text, flush=True)  # progress must show when stdout is a pipe or a file too


class Progress:
    """Prints each phase's progress with an ETA: at its start, then at most every ``every``
    seconds, and when it completes."""

    def __init__(self, out=_say, every: float = EVERY_SECONDS, clock=time.monotonic):
        self.out, self.every, self.clock = out, every, clock
        self._phases: dict[str, tuple[float, float]] = {}  # phase -> (started, last printed)
        self._lock = threading.Lock()

    def update(self, phase: str, done: int, total: int, unit: str = "") -> None:
        with self._lock:
            now = self.clock()
            started, last = self._phases.get(phase, (now, None))
            finished = total > 0 and done >= total
            if last is not None and not finished and now - last < self.every:
                return
            if last is not None and finished and self._phases.get(phase, (0, 0))[1] == -1:
                return  # its completion was printed already
            self._phases[phase] = (started, -1 if finished else now)
            elapsed = now - started
            what = f"{phase}: {100 * done // total if total else 0}% ({done:,} of {total:,}" \
                f"{' ' + unit if unit else ''}), {duration(elapsed)}"
            if finished:
                self.out(f"  {what}: done")
            elif done > 0 and elapsed > 0:
                self.out(f"  {what}, ETA {duration(elapsed * (total - done) / done)}")
            else:
                self.out(f"  {what}")

    @contextmanager
    def waiting(self, phase: str, expected: float | None = None, detail: str = "",
                status=None):
        """A step measured only by its time (a build): a line at its start and one every
        ``every`` seconds with the time so far and, from ``expected`` seconds (the last time
        it took), the time left; ``status()`` (when given) says what it is doing now."""
        t0 = self.clock()
        guess = f"; about {duration(expected)} last time" if expected else ""
        self.out(f"  {phase} ...{' ' + detail if detail else ''}{guess}")
        def beat(stop: threading.Event) -> None:
            while not stop.wait(self.every):
                elapsed = self.clock() - t0
                left = (f", ETA {duration(max(expected - elapsed, 1))}" if expected
                        else ", no earlier run to estimate from")
                now = f" ({status()})" if status else ""
                self.out(f"  {phase}: {duration(elapsed)}{left}{now}")

        with _beside(beat):
            yield
        self.out(f"  {phase}: done in {duration(self.clock() - t0)}")

    @contextmanager
    def following(self, log: Path, poll: float = 0.5):
        """Echo the ``mark`` lines a simulator writes into ``log`` while the body runs. Any
        earlier file of that name is removed first, so a previous run's lines are never read;
        a line is read only once it is complete."""
        log = Path(log)
        log.unlink(missing_ok=True)

        def read(pos: int) -> int:
            try:
                with log.open("rb") as f:
                    f.seek(pos)
                    for raw in f:
                        if not raw.endswith(b"\n"):
                            break  # still being written: read it next time
                        pos += len(raw)
                        found = parse(raw.decode(errors="replace"))
                        if found:
                            self.update(*found)
            except FileNotFoundError:
                pass
            return pos

        def follow(stop: threading.Event) -> None:
            pos = 0
            while not stop.wait(poll):
                pos = read(pos)
            read(pos)

        with _beside(follow):
            yield


@contextmanager
def _beside(loop):
    """Run ``loop(stop)`` in a thread while the body runs; then set ``stop`` and wait for it."""
    stop = threading.Event()
    t = threading.Thread(target=loop, args=(stop,), daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()


class Durations:
    """How long each kind of step took last time (a JSON file beside its outputs): the ETA
    of the next one."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.seconds = dict(json.loads(self.path.read_text()))
        except (OSError, ValueError, TypeError):
            self.seconds = {}

    def get(self, kind: str) -> float | None:
        v = self.seconds.get(kind)
        return float(v) if isinstance(v, (int, float)) and v > 0 else None

    def record(self, kind: str, seconds: float) -> None:
        self.seconds[kind] = round(max(seconds, 0.1), 1)
        try:
            self.path.write_text(json.dumps(self.seconds, indent=1) + "\n")
        except OSError:
            pass  # only the next estimate is lost
