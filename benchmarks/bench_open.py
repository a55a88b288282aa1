"""Opening a desk in a fresh process, side by side with a process that only imports SQLAlchemy.

Every ``lapor`` command and every cron run starts a process, imports lapor_core and opens a desk. Each run
here starts a fresh interpreter for ``import sqlalchemy`` and one for
``import lapor_core; lapor_core.ComplaintDesk.open("sqlite:///<file>").close()`` (alternately, so a busy
machine slows both alike) and times the whole process from outside; the median of the runs is printed, with
the ratio. The database file is created by a first, uncounted open (which runs the migrations): the runs
measure opening a current database, as every later command does. The first open is printed for information.

Also printed: the import work each statement does (``python -X importtime``: each module's self time, the
median of five runs, summed, the interpreter's own start left out), and the largest packages the desk
imports beyond what ``import sqlalchemy`` does, which is where much of the rest of the time goes.

The children may write bytecode caches (``PYTHONDONTWRITEBYTECODE`` is removed from their environment) and a
first uncounted run writes them: an installed wheel has its modules compiled, so compiling lapor_core's
sources on every run would measure something no deployment pays.

Target (issue #24): the desk's process at most 1.5x the time of ``import sqlalchemy``'s.

Run it alone with ``python -m benchmarks open``; ``LAPOR_BENCH_OPEN_RUNS`` sets the runs (default 11).
"""

from __future__ import annotations

import collections
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("LAPOR_BENCH_OPEN_RUNS", "11"))
IMPORT_RUNS = 5
TARGET = 1.5
BASELINE = "import sqlalchemy"
DESK = "import lapor_core; lapor_core.ComplaintDesk.open(URL).close()"


def _environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["LAPOR_PEPPER"] = "benchmark pepper, not a secret"
    return env


def _run(code: str, env: dict[str, str], *options: str) -> tuple[float, str]:
    """Run ``code`` in a fresh interpreter; return its wall time in milliseconds and its standard error."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own statements
        [sys.executable, *options, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return (time.perf_counter() - started) * 1000, done.stderr


def _import_times(code: str, env: dict[str, str]) -> dict[str, int]:
    """Each module ``code`` imports, with its self time in microseconds (``python -X importtime``)."""
    _, report = _run(code, env, "-X", "importtime")
    times: dict[str, int] = {}
    for line in report.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        times[name.strip()] = int(self_us)
    return times


def _median_times(runs: list[dict[str, int]]) -> dict[str, float]:
    """Each module's median self time over ``runs`` (0 in a run that did not import it)."""
    names = {name for times in runs for name in times}
    return {name: statistics.median(times.get(name, 0) for times in runs) for name in names}


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[0] in {"sqlalchemy", "lapor_core"} else parts[0]


def main() -> None:
    env = _environment()
    with tempfile.TemporaryDirectory(prefix="lapor-bench-open-") as folder:
        desk = DESK.replace("URL", repr(f"sqlite:///{Path(folder) / 'lapor.db'}"))
        statements = {"python -c pass": "pass", BASELINE: BASELINE, "open a sqlite desk": desk}
        first_open, _ = _run(desk, env)  # creates the schema; also writes the bytecode caches
        for code in statements.values():
            _run(code, env)
        walls: dict[str, list[float]] = {label: [] for label in statements}
        for _ in range(RUNS):
            for label, code in statements.items():
                walls[label].append(_run(code, env)[0])
        startup = frozenset(_import_times("pass", env))
        work = {
            label: _median_times([_import_times(code, env) for _ in range(IMPORT_RUNS)])
            for label, code in statements.items()
            if code != "pass"
        }

    medians = {label: statistics.median(times) for label, times in walls.items()}
    base, fastest_base = medians[BASELINE], min(walls[BASELINE])
    width = max(len(label) for label in statements)
    load = os.getloadavg()[0]
    print(f"  wall time of a fresh process: median of {RUNS} runs; fastest run (load average {load:.1f})")
    for label, ms in medians.items():
        fastest = min(walls[label])
        shown = "" if label == "python -c pass" else f"   x{ms / base:5.2f}"
        also = "" if label == "python -c pass" else f"   x{fastest / fastest_base:5.2f}"
        print(f"  {label:<{width}}  {ms:7.0f} ms{shown}; {fastest:7.0f} ms{also}")
    print(f"  ({desk})")
    print(f"  the first open of a new file (runs the migrations): {first_open:.0f} ms, once")

    sums = {
        label: sum(us for name, us in times.items() if name not in startup) / 1000
        for label, times in work.items()
    }
    print(f"  import work, median of {IMPORT_RUNS} (python -X importtime, the interpreter's start left out)")
    for label, ms in sums.items():
        print(f"  {label:<{width}}  {ms:7.0f} ms   x{ms / sums[BASELINE]:5.2f}")
    beyond: dict[str, float] = collections.defaultdict(float)
    for name, us in work["open a sqlite desk"].items():
        if name not in startup and name not in work[BASELINE]:
            beyond[_package(name)] += us
    top = sorted(beyond.items(), key=lambda item: -item[1])[:8]
    largest = ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in top)
    print(f"  the desk's import work beyond import sqlalchemy: {sum(beyond.values()) / 1000:.0f} ms")
    print(f"  largest: {largest}")

    ratio = medians["open a sqlite desk"] / base
    status = "PASS" if ratio <= TARGET else "MISS"
    print(f"  {status}: opening a sqlite desk x{ratio:.2f} the time of import sqlalchemy (goal <= x{TARGET})")


if __name__ == "__main__":
    main()
