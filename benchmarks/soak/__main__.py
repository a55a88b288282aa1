"""``python -m benchmarks.soak``: run the soak on each backend asked for; exit 1 when a check failed."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.soak._backends import BACKENDS, make_backend
from benchmarks.soak._report import Logged, print_checks, print_figures, run_checks
from benchmarks.soak._runner import Runner, Settings


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument(
        "--backend",
        default=os.environ.get("LAPOR_SOAK_BACKENDS", "sqlite"),
        help=f"comma-separated, of {', '.join(BACKENDS)} (default sqlite; $LAPOR_SOAK_BACKENDS)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("LAPOR_SOAK_WORKERS", "4")),
        help="worker processes (default 4; $LAPOR_SOAK_WORKERS)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("LAPOR_SOAK_SECONDS", "60")),
        help="how long each backend is soaked (default 60; $LAPOR_SOAK_SECONDS)",
    )
    parser.add_argument(
        "--speed", type=float, default=43_200, help="how fast the clock runs (default 43,200x)"
    )
    parser.add_argument("--sweep-every", type=float, default=3, help="seconds between sweeps (default 3)")
    parser.add_argument(
        "--kill-every", type=float, default=10, help="seconds between kill -9s, on average (10)"
    )
    parser.add_argument(
        "--fault-every", type=float, default=20, help="seconds between faults, on average (20)"
    )
    parser.add_argument(
        "--hang-after", type=float, default=60, help="seconds of silence that make a hang (60)"
    )
    parser.add_argument("--seed", type=int, default=None, help="seeds the workload and the faults")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and logs (kept anyway on FAIL)"
    )
    return parser.parse_args(argv)


def soak(name: str, settings: Settings, *, keep: bool) -> bool:
    """Soak one backend; print the figures and the checks; return whether every check passed."""
    folder = Path(tempfile.mkdtemp(prefix=f"lapor-soak-{name}-"))
    backend = make_backend(name, folder)
    passed = False
    try:
        print(f"\n== soak on {name} ==", flush=True)
        record = Runner(settings, backend, folder).run()
        logged = Logged.read(folder)
        print_figures(settings, record, logged, backend)
        started = time.monotonic()
        checks = run_checks(record, logged, backend)
        print_checks(checks)
        print(f"(checks took {time.monotonic() - started:.1f} s)")
        passed = all(check.passed for check in checks)
    finally:
        if keep or not passed:
            print(f"Kept: the database {backend.kept()} and the logs in {folder}")
        else:
            backend.drop()
            shutil.rmtree(folder)
    return passed


def main(argv: list[str]) -> int:
    options = _arguments(argv)
    names = [name.strip() for name in options.backend.split(",") if name.strip()]
    unknown = sorted(set(names) - set(BACKENDS))
    if unknown or not names:
        print(f"unknown backend(s) {', '.join(unknown)}; known: {', '.join(BACKENDS)}", file=sys.stderr)
        return 2
    seed = random.randrange(2**32) if options.seed is None else options.seed
    settings = Settings(
        workers=options.workers,
        seconds=options.seconds,
        speed=options.speed,
        sweep_every=options.sweep_every,
        kill_every=options.kill_every,
        fault_every=options.fault_every,
        hang_after=options.hang_after,
        seed=seed,
    )
    print(f"soak: {', '.join(names)}; seed {seed} (--seed {seed} draws the same operations and faults again)")
    results = {name: soak(name, settings, keep=options.keep) for name in names}
    print("\n" + ", ".join(f"{name} {'PASS' if passed else 'FAIL'}" for name, passed in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
