"""Import cost: ``import lapor_core`` and its first real use, side by side with ``import attrs, cattrs``.

The figure is the import work ``python -X importtime`` reports: the self times of every module a statement
imports, summed, leaving out the modules the interpreter imports at start (those of ``python -c pass``).
Each statement runs in a fresh interpreter several times; the median is printed, with its ratio to
``import attrs, cattrs`` (what lapor_core itself stands on).

Target (issue #17): ``import lapor_core`` at most 150 ms of import work. Also printed, for information: the
first use of the desk (``lapor_core.ComplaintDesk``, which imports the services and domain rules), the CLI's
module, and which optional heavy modules (SQLAlchemy, holidays, ssl, ...) each statement loads: none should.

Run it alone with ``python -m benchmarks import``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

RUNS = 7
TARGET_MS = 150.0

STATEMENTS = {
    "import attrs, cattrs": "import attrs, cattrs",
    "import lapor_core": "import lapor_core",
    "lapor_core.ComplaintDesk (first use)": "import lapor_core; lapor_core.ComplaintDesk",
    "import lapor_core.cli": "import lapor_core.cli",
}
BASELINE = "import attrs, cattrs"
TARGETS = {"import lapor_core": TARGET_MS}

HEAVY = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "pymysql",
    "holidays",
    "babel",
    "statemachine",
    "ssl",
    "smtplib",
    "urllib.request",
    "asyncio",
)
"""Modules only some deployments need: importing the package or the desk must not load them."""


def _importtime(code: str) -> dict[str, int]:
    """Run ``code`` in a fresh interpreter; return each imported module's self time in microseconds."""
    command = [sys.executable, "-X", "importtime", "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 - our statements
    times: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        times[name.strip()] = int(self_us)
    return times


def import_work_ms(code: str, startup: frozenset[str]) -> float:
    """The import work of ``code`` in milliseconds: self times summed, the interpreter start left out."""
    return sum(us for name, us in _importtime(code).items() if name not in startup) / 1000


def loaded_heavy(code: str) -> list[str]:
    """Which of :data:`HEAVY` are in ``sys.modules`` after ``code`` runs in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout.split()


def main() -> None:
    startup = frozenset(_importtime("pass"))
    medians = {
        label: statistics.median(import_work_ms(code, startup) for _ in range(RUNS))
        for label, code in STATEMENTS.items()
    }
    base = medians[BASELINE]
    width = max(len(label) for label in STATEMENTS)
    print(f"  import work, median of {RUNS} fresh interpreters (python -X importtime, start excluded)")
    for label, ms in medians.items():
        heavy = loaded_heavy(STATEMENTS[label])
        loads = f"   loads {', '.join(heavy)}" if heavy else ""
        print(f"  {label:<{width}}  {ms:8.1f} ms   x{ms / base:6.2f}{loads}")
    for label, target in TARGETS.items():
        status = "PASS" if medians[label] <= target else "MISS"
        print(f"  {status}: {label} {medians[label]:.1f} ms (target <= {target:.0f} ms)")


if __name__ == "__main__":
    main()
