"""Working-day arithmetic: WorkingCalendar side by side with numpy, workalendar, pandas and holidays.

Every peer gets the same Indonesian calendar (Mon-Fri, public holidays and cuti bersama 2015-2040 from the
holidays package) and the same inputs: typical SLA offsets (1..60 working days) from working days in
2016-2039, one scalar call per date, a ``date`` in and a ``date`` out. Results are checked to agree before
anything is timed.

- numpy: ``busday_offset(d, n, roll="backward", busdaycal=...)`` with a prebuilt ``busdaycalendar`` (its
  fastest scalar form) and ``.item()`` back to a date; also, for information, passing ``holidays=`` per call.
- workalendar has no Indonesian calendar: a ``CoreCalendar`` subclass is given the very same holiday set and
  a Saturday/Sunday weekend, and its ``add_working_days`` (a day-by-day loop) is timed.
- pandas: ``Timestamp + n * CustomBusinessDay(holidays=..., weekmask=...)`` (informative).

Targets: ``add_working_days`` >= 10x numpy and >= 40x workalendar per call; ``due_at`` < 1 us per call;
building ``WorkingCalendar.indonesia(first_year=2000, last_year=2100)`` <= 1.5x the holidays package alone
for the same years and both categories (``public`` and ``government``).
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
from workalendar.core import SAT, SUN, CoreCalendar

from benchmarks._timing import per_second, report
from lapor_core import WorkingCalendar

CASES = 2_000


class _IndonesiaWorkalendar(CoreCalendar):  # type: ignore[misc]  # workalendar ships no types
    """workalendar with lapor_core's holiday set (workalendar has no Indonesian calendar)."""

    WEEKEND_DAYS = (SAT, SUN)

    def __init__(self, table: dict[int, list[tuple[date, str]]]) -> None:
        super().__init__()
        self._table = table

    def get_calendar_holidays(self, year: int) -> list[tuple[date, str]]:
        return self._table.get(year, [])


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _best_seconds(run: Callable[[], object], repeat: int = 7) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _retained_bytes(build: Callable[[], object]) -> tuple[int, object]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, kept


def _cases(cal: WorkingCalendar) -> list[tuple[date, int]]:
    rng = random.Random(2026)
    start = date(2016, 1, 1).toordinal()
    span = date(2039, 12, 31).toordinal() - start
    cases: list[tuple[date, int]] = []
    while len(cases) < CASES:
        day = date.fromordinal(start + rng.randrange(span))
        if cal.is_working_day(day):
            cases.append((day, rng.randint(1, 60)))
    return cases


def _add_working_days(cal: WorkingCalendar, cases: list[tuple[date, int]]) -> None:
    holiday_days = sorted(d for year in range(2015, 2041) for h in cal.holidays_in(year) for d in [h.date])
    hol64 = np.array(holiday_days, dtype="datetime64[D]")
    busdaycal = np.busdaycalendar(weekmask="1111100", holidays=hol64)
    table: dict[int, list[tuple[date, str]]] = {}
    for day in holiday_days:
        table.setdefault(day.year, []).append((day, "libur"))
    work = _IndonesiaWorkalendar(table)
    custom = pd.offsets.CustomBusinessDay(holidays=holiday_days, weekmask="Mon Tue Wed Thu Fri")

    def ours(day: date, n: int) -> date:
        return cal.add_working_days(day, n)

    def numpy_cal(day: date, n: int) -> date:
        result: date = np.busday_offset(day, n, roll="backward", busdaycal=busdaycal).item()
        return result

    def numpy_holidays(day: date, n: int) -> date:
        result: date = np.busday_offset(day, n, roll="backward", weekmask="1111100", holidays=hol64).item()
        return result

    def workalendar(day: date, n: int) -> date:
        result: date = work.add_working_days(day, n)
        return result

    def pandas(day: date, n: int) -> date:
        result: date = (pd.Timestamp(day) + n * custom).date()
        return result

    peers: list[tuple[str, Callable[[date, int], date], int]] = [
        ("lapor_core WorkingCalendar", ours, CASES),
        ("numpy busday_offset (busdaycalendar)", numpy_cal, CASES // 4),
        ("numpy busday_offset (holidays= per call)", numpy_holidays, CASES // 20),
        ("pandas CustomBusinessDay", pandas, CASES // 20),
        ("workalendar add_working_days", workalendar, CASES // 40),
    ]
    expected = [ours(d, n) for d, n in cases]
    for name, add, count in peers:
        got = [add(d, n) for d, n in cases[:count]]
        assert got == expected[:count], f"{name} disagrees with lapor_core"

    rates: list[tuple[str, float]] = []
    for name, add, count in peers:
        chosen = cases[:count] * max(1, CASES // count)

        def run(
            size: int, add: Callable[[date, int], date] = add, chosen: list[tuple[date, int]] = chosen
        ) -> None:
            for day, n in chosen[:size]:
                add(day, n)

        rates.append((name, per_second(run, count, repeat=5)))
    print(f"add_working_days, one call per date ({CASES} random SLA offsets of 1..60 working days):")
    report(rates, unit="calls/s")
    rate = dict(rates)
    ours_rate = rate["lapor_core WorkingCalendar"]
    print(f"  per call: lapor_core {1e9 / ours_rate:.0f} ns")
    vs_numpy = ours_rate / rate["numpy busday_offset (busdaycalendar)"]
    vs_work = ours_rate / rate["workalendar add_working_days"]
    print(f"  {_verdict(vs_numpy >= 10)} vs numpy busday_offset: {vs_numpy:.1f}x (target >= 10x)")
    print(f"  {_verdict(vs_work >= 40)} vs workalendar: {vs_work:.0f}x (target >= 40x)")
    print(f"  (pandas CustomBusinessDay: {ours_rate / rate['pandas CustomBusinessDay']:.0f}x, informative)")


def _between(cal: WorkingCalendar, cases: list[tuple[date, int]]) -> None:
    holiday_days = sorted(h.date for year in range(2015, 2041) for h in cal.holidays_in(year))
    busdaycal = np.busdaycalendar(weekmask="1111100", holidays=np.array(holiday_days, dtype="datetime64[D]"))
    pairs = [(d, d + timedelta(days=n)) for d, n in cases]
    assert [cal.working_days_between(a, b) for a, b in pairs[:200]] == [
        int(np.busday_count(a + timedelta(1), b + timedelta(1), busdaycal=busdaycal)) for a, b in pairs[:200]
    ]

    def ours(size: int) -> None:
        between = cal.working_days_between
        for a, b in pairs[:size]:
            between(a, b)

    def peer(size: int) -> None:
        for a, b in pairs[:size]:
            np.busday_count(a + timedelta(1), b + timedelta(1), busdaycal=busdaycal)

    print("working_days_between, one call per pair (informative):")
    report([("lapor_core", per_second(ours, CASES)), ("numpy busday_count", per_second(peer, CASES // 4))])


def _due_at(cal: WorkingCalendar, cases: list[tuple[date, int]]) -> None:
    wib = ZoneInfo("Asia/Jakarta")
    makassar = cal.with_timezone("Asia/Makassar")
    zoned = [(datetime.combine(d, datetime.min.time(), wib) + timedelta(hours=10), n) for d, n in cases]
    utc = [(start.astimezone(UTC), n) for start, n in zoned]
    rows: list[tuple[str, float]] = []
    for label, calendar, inputs in (
        ("Asia/Jakarta calendar, ZoneInfo starts", cal, zoned),
        ("Asia/Makassar calendar, ZoneInfo starts", makassar, zoned),
        ("Asia/Jakarta calendar, UTC starts", cal, utc),
    ):

        def run(
            size: int, calendar: WorkingCalendar = calendar, inputs: list[tuple[datetime, int]] = inputs
        ) -> None:
            due = calendar.due_at
            for start, n in inputs[:size]:
                due(start, n)

        rows.append((label, per_second(run, CASES, repeat=7)))
    print("due_at on aware datetimes:")
    for label, rate in rows:
        per_call = 1e9 / rate
        print(f"  {_verdict(per_call < 1000)} {label:<42} {per_call:6.0f} ns/call (target < 1000 ns)")


def _build_and_memory() -> None:
    years = range(2000, 2101)

    def package() -> object:
        return holidays.country_holidays(
            "ID", years=years, categories=("public", "government"), language="id"
        )

    def ours() -> WorkingCalendar:
        return WorkingCalendar.indonesia(first_year=2000, last_year=2100)

    package()
    ours()  # warm both: imports, gettext catalogues and the package's lunar-calendar caches
    peer_s = ours_s = float("inf")
    for _ in range(5):  # interleaved, so machine noise hits both alike
        peer_s = min(peer_s, _best_seconds(package, repeat=1))
        ours_s = min(ours_s, _best_seconds(ours, repeat=1))
    ratio = ours_s / peer_s
    print("build for 2000-2100 (best of 5, interleaved):")
    print(f"  holidays.country_holidays('ID', public+government)  {peer_s * 1000:6.1f} ms")
    print(f"  WorkingCalendar.indonesia(2000..2100)               {ours_s * 1000:6.1f} ms")
    print(f"  {_verdict(ratio <= 1.5)} ratio {ratio:.2f}x (target <= 1.5x)")
    default_s = _best_seconds(WorkingCalendar.indonesia, repeat=5)
    print(f"  WorkingCalendar.indonesia() default 2015..2040      {default_s * 1000:6.1f} ms")
    derive_cal = WorkingCalendar.indonesia()
    derive_s = _best_seconds(lambda: derive_cal.with_holidays({date(2026, 3, 30): "amended"}), repeat=5)
    print(f"  .with_holidays(one day) on the default calendar     {derive_s * 1000:6.1f} ms")

    print("memory retained by one calendar (tracemalloc, after a warm-up build):")
    for label, build in (
        ("indonesia() 2015..2040", WorkingCalendar.indonesia),
        ("indonesia(2000..2100)", ours),
    ):
        size, kept = _retained_bytes(build)
        days = (kept.last - kept.first).days + 1  # type: ignore[attr-defined]
        print(f"  {label:<32} {size / 1024:8.0f} KiB for {days} days ({size / days:.0f} B/day)")
    national = WorkingCalendar.indonesia()
    size, _ = _retained_bytes(lambda: national.with_timezone("Asia/Makassar"))
    print(f"  {'.with_timezone() of the default':<32} {size / 1024:8.0f} KiB (shares the day index)")


def main() -> None:
    cal = WorkingCalendar.indonesia()
    cases = _cases(cal)
    _add_working_days(cal, cases)
    _between(cal, cases)
    _due_at(cal, cases)
    _build_and_memory()


if __name__ == "__main__":
    main()
