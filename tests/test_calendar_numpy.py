"""Differential test: WorkingCalendar against numpy's business-day functions (and pandas for time zones).

The peer side is vectorised and built from the calendar's *specification* (work week, holiday set, make-up
days), not from its index, so the two implementations share nothing but the input data. numpy rolls a
non-working start day before offsetting, so the calendar's semantics map to numpy as follows:

- ``add_working_days(d, n)``: ``busday_offset(d, n, roll="backward")`` for ``n >= 1`` (the n-th working day
  after the last working day on or before ``d`` is the n-th strictly after ``d``), ``roll="forward"`` for
  ``n <= 0``;
- ``working_days_between(a, b)`` (half-open ``(a, b]``): ``busday_count(a + 1, b + 1)`` when ``a <= b``
  (numpy counts ``[begin, end)``); ``busday_count(a, b)`` when ``b < a``, because numpy counts a reversed
  interval as minus ``(end, begin]``, which is already the calendar's ``-(b, a]``;
- ``due_at(t, n)``: the local date of ``t`` by pandas' ``tz_convert``, offset as above, plus one day,
  localised to midnight by ``tz_localize``.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime

import attrs
import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
holidays_package = pytest.importorskip("holidays")

from lapor_core._domain.calendar import WorkingCalendar, parse_workweek  # noqa: E402 - after the optional imports

FIRST_YEAR, LAST_YEAR = 2010, 2040
SAMPLE_FIRST, SAMPLE_LAST = date(2015, 1, 1), date(2035, 12, 31)
CASES_PER_CALENDAR = 20_000  # six calendars: 120,000 (date, n, calendar) cases, plus as many instants
MAX_STEP = 300


@attrs.frozen
class Spec:
    """What a calendar is made of, for the peer side."""

    label: str
    calendar: WorkingCalendar
    workweek: str
    tz: str
    holidays: frozenset[date]
    working_days: frozenset[date]


def package_holidays(*, collective_leave: bool) -> set[date]:
    """Indonesian holiday dates straight from the holidays package."""
    categories = ("public", "government") if collective_leave else ("public",)
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    return set(holidays_package.country_holidays("ID", years=years, categories=categories))


def random_dates(rng: np.random.Generator, count: int) -> set[date]:
    """``count`` random dates between 2012 and 2038."""
    start = np.datetime64("2012-01-01")
    offsets = rng.integers(0, 365 * 27, size=count)
    return set((start + offsets).astype("datetime64[D]").tolist())


def build_specs() -> list[Spec]:
    """Six calendars: several work weeks, holiday sets, make-up days and time zones (one with DST)."""
    rng = np.random.default_rng(2026)
    with_leave = package_holidays(collective_leave=True)
    without_leave = package_holidays(collective_leave=False)
    extra = random_dates(rng, 300)
    make_up = random_dates(rng, 200) - extra
    odd_holidays = random_dates(rng, 800)
    odd_working = random_dates(rng, 300) - odd_holidays
    wide = {"first_year": FIRST_YEAR, "last_year": LAST_YEAR}
    return [
        Spec(
            "id-mon-fri-wib",
            WorkingCalendar.indonesia(**wide),
            "Mon-Fri",
            "Asia/Jakarta",
            frozenset(with_leave),
            frozenset(),
        ),
        Spec(
            "id-mon-sat-wita",
            WorkingCalendar.indonesia("Asia/Makassar", workweek="Mon-Sat", **wide),
            "Mon-Sat",
            "Asia/Makassar",
            frozenset(with_leave),
            frozenset(),
        ),
        Spec(
            "id-public-sun-thu-wit",
            WorkingCalendar.indonesia("Asia/Jayapura", workweek="Sun-Thu", collective_leave=False, **wide),
            "Sun-Thu",
            "Asia/Jayapura",
            frozenset(without_leave),
            frozenset(),
        ),
        Spec(
            "id-closures-make-up-pontianak",
            WorkingCalendar.indonesia(
                "Asia/Pontianak", extra_holidays=sorted(extra), extra_working_days=sorted(make_up), **wide
            ),
            "Mon-Fri",
            "Asia/Pontianak",
            frozenset((with_leave | extra) - make_up),
            frozenset(make_up),
        ),
        Spec(
            "custom-tue-thu-sat-berlin",
            WorkingCalendar.custom(
                workweek="Tue,Thu,Sat",
                holidays=sorted(odd_holidays),
                working_days=sorted(odd_working),
                tz="Europe/Berlin",
                **wide,
            ),
            "Tue,Thu,Sat",
            "Europe/Berlin",
            frozenset(odd_holidays),
            frozenset(odd_working),
        ),
        Spec(
            "custom-every-day-utc",
            WorkingCalendar.custom(workweek=range(7), holidays=sorted(odd_holidays), tz="UTC", **wide),
            "Mon-Sun",
            "UTC",
            frozenset(odd_holidays),
            frozenset(),
        ),
    ]


SPECS = build_specs()


def peer_calendar(spec: Spec) -> np.busdaycalendar:
    """The numpy calendar of a spec: every day a weekday, the non-working ones as holidays.

    Make-up working days cannot be expressed with a weekmask, so the non-working set is computed from the
    spec (weekday outside the week, or a holiday, and not a make-up day) and handed to numpy whole.
    """
    days = np.arange(np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR + 1}-01-01"))
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    in_week = np.isin(weekday, sorted(parse_workweek(spec.workweek)))
    holiday = np.isin(days, np.array(sorted(spec.holidays), dtype="datetime64[D]"))
    made_up = np.isin(days, np.array(sorted(spec.working_days), dtype="datetime64[D]"))
    working = (in_week & ~holiday) | made_up
    return np.busdaycalendar(weekmask="1111111", holidays=days[~working])


def peer_offset(days: np.ndarray, steps: np.ndarray, calendar: np.busdaycalendar) -> np.ndarray:
    """The numpy answer to add_working_days for arrays of dates and counts."""
    after = np.busday_offset(days, steps, roll="backward", busdaycal=calendar)
    other = np.busday_offset(days, steps, roll="forward", busdaycal=calendar)
    return np.where(steps > 0, after, other)


def first_mismatches(
    ours: list[object], theirs: list[object], inputs: list[tuple[object, ...]]
) -> list[object]:
    """Up to five disagreeing cases, for a readable failure."""
    return [(inputs[i], ours[i], theirs[i]) for i in range(len(ours)) if ours[i] != theirs[i]][:5]


@pytest.mark.parametrize("spec", SPECS, ids=[spec.label for spec in SPECS])
def test_add_and_between_agree_with_numpy(spec: Spec) -> None:
    """20,000 random (date, n) per calendar: add_working_days and working_days_between match numpy."""
    rng = np.random.default_rng(zlib.crc32(spec.label.encode()))
    span = (SAMPLE_LAST - SAMPLE_FIRST).days + 1
    days = np.datetime64(SAMPLE_FIRST) + rng.integers(0, span, size=CASES_PER_CALENDAR)
    steps = rng.integers(-MAX_STEP, MAX_STEP + 1, size=CASES_PER_CALENDAR)
    steps[:200] = 0  # make sure the n == 0 rule is well covered
    calendar = peer_calendar(spec)

    expected = peer_offset(days, steps, calendar).tolist()
    day_list, step_list = days.tolist(), steps.tolist()
    add = spec.calendar.add_working_days
    got = [add(d, n) for d, n in zip(day_list, step_list, strict=True)]
    assert got == expected, first_mismatches(got, expected, list(zip(day_list, step_list, strict=True)))

    others = days + rng.integers(-2 * MAX_STEP, 2 * MAX_STEP + 1, size=CASES_PER_CALENDAR)
    forwards = np.busday_count(days + 1, others + 1, busdaycal=calendar)
    backwards = np.busday_count(days, others, busdaycal=calendar)
    counted = np.where(others >= days, forwards, backwards).tolist()
    between = spec.calendar.working_days_between
    other_list = others.tolist()
    got_counts = [between(a, b) for a, b in zip(day_list, other_list, strict=True)]
    assert got_counts == counted, first_mismatches(
        got_counts, counted, list(zip(day_list, other_list, strict=True))
    )


@pytest.mark.parametrize("spec", SPECS, ids=[spec.label for spec in SPECS])
def test_is_working_day_agrees_with_numpy_on_every_day(spec: Spec) -> None:
    """Every day of 2010-2040: is_working_day equals numpy's is_busday."""
    days = np.arange(np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR + 1}-01-01"))
    expected = np.is_busday(days, busdaycal=peer_calendar(spec)).tolist()
    is_working = spec.calendar.is_working_day
    day_list = days.tolist()
    got = [is_working(d) for d in day_list]
    assert got == expected, first_mismatches(got, expected, [(d,) for d in day_list])


@pytest.mark.parametrize("spec", SPECS, ids=[spec.label for spec in SPECS])
def test_due_at_agrees_with_numpy_and_pandas_time_zones(spec: Spec) -> None:
    """20,000 random aware instants per calendar: due_at equals numpy's offset at pandas' local midnight."""
    rng = np.random.default_rng(zlib.crc32(spec.label.encode()) + 1)
    low = int(datetime(2015, 1, 2, tzinfo=UTC).timestamp())
    high = int(datetime(2035, 12, 30, tzinfo=UTC).timestamp())
    seconds = rng.integers(low, high, size=CASES_PER_CALENDAR)
    steps = rng.integers(0, MAX_STEP + 1, size=CASES_PER_CALENDAR)
    instants = pd.to_datetime(seconds, unit="s", utc=True)
    local_days = instants.tz_convert(spec.tz).tz_localize(None).normalize().values.astype("datetime64[D]")
    due_days = peer_offset(local_days, steps, peer_calendar(spec)) + 1
    midnights = pd.DatetimeIndex(due_days.astype("datetime64[ns]")).tz_localize(spec.tz)
    expected = (midnights.asi8 // 10**9).tolist()

    due_at = spec.calendar.due_at
    starts = [datetime.fromtimestamp(s, UTC) for s in seconds.tolist()]
    got = [int(due_at(start, n).timestamp()) for start, n in zip(starts, steps.tolist(), strict=True)]
    assert got == expected, first_mismatches(got, expected, list(zip(starts, steps.tolist(), strict=True)))


def test_the_differential_run_covers_at_least_100000_cases() -> None:
    """The suite above checks at least 100,000 (date, n, calendar) cases across several weeks and zones."""
    assert len(SPECS) * CASES_PER_CALENDAR >= 100_000
    assert len({spec.workweek for spec in SPECS}) >= 4
    assert len({spec.tz for spec in SPECS}) >= 5
