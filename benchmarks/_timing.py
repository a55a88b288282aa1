"""Small timing helpers shared by the benchmark modules."""

from __future__ import annotations

import time
from collections.abc import Callable


def per_second(run: Callable[[int], object], count: int, *, repeat: int = 5) -> float:
    """Call ``run(count)`` ``repeat`` times; return the best rate in operations per second."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run(count)
        best = min(best, time.perf_counter() - started)
    return count / best


def report(rows: list[tuple[str, float]], *, unit: str = "ops/s", baseline: str | None = None) -> None:
    """Print ``rows`` of (name, rate) with each rate's ratio to ``baseline`` (default: the first row)."""
    base = dict(rows)[baseline] if baseline else rows[0][1]
    width = max(len(name) for name, _ in rows)
    for name, rate in rows:
        print(f"  {name:<{width}}  {rate:>14,.0f} {unit}   x{rate / base:6.2f}")
