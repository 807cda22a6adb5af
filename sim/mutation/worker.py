"""Build one mutant's simulation and run the regression on it, in a process of its own so that
the caller can bound it in wall time and kill it (and the simulator) when it hangs.

``python -m rvpmu.sim.mutation.worker JOB.json`` reads {verilog, config, simulator, build_root,
seed, params, result} and writes {"status": "ran" | "not-compiled", "failures", "detail"}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rvpmu.config import PMUConfig


def _build_error(build_root: Path) -> str:
    logs = sorted(build_root.glob("*/build.log"), key=lambda p: p.stat().st_mtime)
    if not logs:
        return "the simulator did not compile it"
    lines = [ln.strip() for ln in logs[-1].read_text(errors="replace").splitlines()
             if "error" in ln.lower()]
    return lines[0][:200] if lines else "the simulator did not compile it"


def main(job_file: str) -> int:
    from rvpmu.sim import runner

    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    cfg = PMUConfig.from_toml(job["config"])
    build_root = Path(job["build_root"])
    result: dict = {}
    try:
        b = runner.build(cfg, job["simulator"], build_root=build_root,
                         verilog=Path(job["verilog"]).read_text(encoding="utf-8"),
                         log=lambda *_: None)
    except (Exception, SystemExit) as exc:  # cocotb's runner exits on a failed compile
        result = {"status": "not-compiled", "failures": [], "detail": _build_error(build_root),
                  "error": str(exc)[:200]}
    else:
        report = runner.run(b, seed=job["seed"], params=job["params"])
        result = {"status": "ran", "failures": report["failures"], "build": str(b.directory),
                  "tests": sorted(report.get("tests", {}))}
    Path(job["result"]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
