from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_core._domain.calendar import (
    DEFAULT_FIRST_YEAR,
    DEFAULT_LAST_YEAR,
    Holiday,
    HolidayKind,
    WorkingCalendar,
    format_workweek,
    parse_workweek,
    timezone_rule,
    workweek_rule,
)
from lapor_core._domain.rules import Invalid
from lapor_core.errors import DateOutOfRange, ValidationError

T = TypeVar("T")
FIXTURES = Path(__file__).parent / "fixtures"
WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

CAL = WorkingCalendar.indonesia()
SMALL = WorkingCalendar.indonesia(first_year=2025, last_year=2027)


def decree(year: int) -> dict[str, object]:
    """The decree table of ``year`` from the fixtures."""
    return json.loads((FIXTURES / f"decree_{year}.json").read_text(encoding="utf-8"))


def fixture_dates(table: dict[str, object], key: str) -> set[date]:
    """The dates listed under ``key`` in a decree table."""
    entries = table[key]
    assert isinstance(entries, list)
    return {date.fromisoformat(entry["date"]) for entry in entries}


# -- the published examples ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"), [(3, date(2026, 3, 27)), (5, date(2026, 3, 31)), (10, date(2026, 4, 8))]
)
def test_add_working_days_matches_the_domain_examples(n: int, expected: date) -> None:
    """Tue 2026-03-17 + 3 / 5 / 10 working days are 27 March, 31 March and 8 April (DOMAIN examples)."""
    assert CAL.add_working_days(date(2026, 3, 17), n) == expected


def test_due_at_is_midnight_after_the_nth_working_day_in_the_calendar_zone() -> None:
    """Tue 10:00 WIB + 3 working days ends at 00:00 on Saturday 28 March, in WIB, WITA and WIT."""
    start = datetime(2026, 3, 17, 10, tzinfo=WIB)
    assert CAL.due_at(start, 3) == datetime(2026, 3, 28, tzinfo=WIB)
    assert CAL.due_at(start, 3).isoformat() == "2026-03-28T00:00:00+07:00"
    assert CAL.with_timezone("Asia/Makassar").due_at(start, 3).isoformat() == "2026-03-28T00:00:00+08:00"
    assert CAL.with_timezone("Asia/Jayapura").due_at(start, 3).isoformat() == "2026-03-28T00:00:00+09:00"


def test_due_at_takes_the_start_date_in_the_calendar_zone_not_the_start_zone() -> None:
    """23:30 WIB on Monday is already Tuesday in Jayapura, so the count starts a day later there."""
    start = datetime(2026, 3, 16, 23, 30, tzinfo=WIB)
    jayapura = CAL.with_timezone("Asia/Jayapura")
    assert CAL.due_at(start, 1) == datetime(2026, 3, 18, tzinfo=WIB)
    assert jayapura.local_date(start) == date(2026, 3, 17)
    assert jayapura.due_at(start, 1) == datetime(2026, 3, 26, tzinfo=WIT)


def test_due_at_accepts_any_aware_tzinfo() -> None:
    """UTC, fixed offsets, ZoneInfo and custom tzinfo classes with an offset are all aware."""

    class Wib(tzinfo):
        def utcoffset(self, dt: datetime | None) -> timedelta:
            return timedelta(hours=7)

        def dst(self, dt: datetime | None) -> timedelta:
            return timedelta(0)

    expected = datetime(2026, 3, 28, tzinfo=WIB)
    assert CAL.due_at(datetime(2026, 3, 17, 3, tzinfo=UTC), 3) == expected
    assert CAL.due_at(datetime(2026, 3, 17, 10, tzinfo=timezone(timedelta(hours=7))), 3) == expected
    assert CAL.due_at(datetime(2026, 3, 17, 10, tzinfo=Wib()), 3) == expected


def test_due_at_rejects_naive_datetimes() -> None:
    """A naive start has no date in any zone: ValidationError ``instant.naive`` (still a ValueError)."""
    with pytest.raises(ValidationError) as caught:
        CAL.due_at(datetime(2026, 3, 17, 10), 3)  # noqa: DTZ001 - the naive value is the point
    assert caught.value.fields_by_name == {"start": ("instant.naive",)}
    assert isinstance(caught.value, ValueError)


def test_due_at_rejects_tzinfo_that_gives_no_offset() -> None:
    """A tzinfo whose utcoffset() is None makes a naive datetime (PEP 495): ValueError."""

    class Nowhere(tzinfo):
        def utcoffset(self, dt: datetime | None) -> None:
            return None

    with pytest.raises(ValidationError) as caught:
        CAL.due_at(datetime(2026, 3, 17, 10, tzinfo=Nowhere()), 3)
    assert caught.value.fields_by_name == {"start": ("instant.naive",)}
    with pytest.raises(ValidationError) as caught:
        CAL.local_date(datetime(2026, 3, 17, 10, tzinfo=Nowhere()))
    assert caught.value.fields_by_name == {"instant": ("instant.naive",)}


@pytest.mark.parametrize("value", [date(2026, 3, 17), "2026-03-17T10:00+07:00", None])
def test_due_at_rejects_values_that_are_not_datetimes(value: object) -> None:
    """Dates, text and None raise TypeError naming what was expected."""
    with pytest.raises(TypeError, match="aware datetime"):
        CAL.due_at(value, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="aware datetime"):
        CAL.local_date(value)  # type: ignore[arg-type]


def test_due_at_keeps_wall_clock_midnight_across_daylight_saving() -> None:
    """In a DST zone the due instant is 00:00 local after the change, not 24 h multiples."""
    berlin = WorkingCalendar.custom(tz="Europe/Berlin", first_year=2026, last_year=2026)
    due = berlin.due_at(datetime(2026, 3, 27, 12, tzinfo=UTC), 1)  # DST starts Sunday 29 March
    assert due == datetime(2026, 3, 31, tzinfo=ZoneInfo("Europe/Berlin"))
    assert due.utcoffset() == timedelta(hours=2)


# -- the decree tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_calendar_matches_the_decree_table(year: int) -> None:
    """Holidays, cuti bersama and the working-day total equal the SKB 3 Menteri tables in the fixtures."""
    table = decree(year)
    public = fixture_dates(table, "public_holidays")
    leave = fixture_dates(table, "collective_leave")
    assert len(public) == 17
    assert len(leave) == {2025: 11, 2026: 8}[year]
    holidays = CAL.holidays_in(year)
    assert {h.date for h in holidays if h.kind is HolidayKind.PUBLIC} == public
    assert {h.date for h in holidays if h.kind is HolidayKind.COLLECTIVE_LEAVE} == leave
    days = [date(year, 1, 1) + timedelta(k) for k in range(365)]
    off = {d for d in days if not CAL.is_working_day(d)}
    weekend = {d for d in days if d.weekday() >= 5}
    assert off == weekend | public | leave
    assert CAL.count_working_days(date(year, 1, 1), date(year, 12, 31)) == table["working_days_mon_fri"]
    assert (
        CAL.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == table["working_days_mon_fri"]
    )


def test_2026_cuti_bersama_are_the_eight_decreed_days() -> None:
    """16 Feb, 18/20/23/24 Mar, 15 May, 28 May and 24 Dec 2026 are cuti bersama and nothing else is."""
    expected = [(2, 16), (3, 18), (3, 20), (3, 23), (3, 24), (5, 15), (5, 28), (12, 24)]
    leave = [h.date for h in CAL.holidays_in(2026) if h.kind is HolidayKind.COLLECTIVE_LEAVE]
    assert leave == [date(2026, m, d) for m, d in expected]


def test_without_collective_leave_cuti_bersama_are_working_days() -> None:
    """collective_leave=False keeps only public holidays: 2025 then has 237 + 11 working days."""
    cal = WorkingCalendar.indonesia(collective_leave=False, first_year=2025, last_year=2026)
    assert cal.count_working_days(date(2025, 1, 1), date(2025, 12, 31)) == 248
    assert cal.count_working_days(date(2026, 1, 1), date(2026, 12, 31)) == 248
    assert cal.is_working_day(date(2026, 3, 18))
    assert cal.holiday(date(2026, 3, 18)) is None


def test_six_day_week_counts_saturdays() -> None:
    """A Mon-Sat public-facing unit works on Saturdays that are not holidays."""
    cal = WorkingCalendar.indonesia(workweek="Mon-Sat", first_year=2026, last_year=2026)
    assert cal.is_working_day(date(2026, 3, 28))
    assert not cal.is_working_day(date(2026, 3, 21))  # Idul Fitri on a Saturday
    assert cal.add_working_days(date(2026, 3, 17), 4) == date(2026, 3, 28)


def test_building_over_two_thousand_to_twenty_one_hundred_works() -> None:
    """The 2000-2100 range builds, and its arithmetic agrees with the default calendar inside 2015-2040."""
    wide = WorkingCalendar.indonesia(first_year=2000, last_year=2100)
    assert wide.first == date(2000, 1, 1)
    assert wide.last == date(2100, 12, 31)
    assert wide.add_working_days(date(2026, 3, 17), 10) == date(2026, 4, 8)
    assert wide.working_days_between(date(2015, 1, 1), date(2040, 12, 31)) == CAL.working_days_between(
        date(2015, 1, 1), date(2040, 12, 31)
    )
    assert wide.add_working_days(date(2100, 12, 1), 5) == date(2100, 12, 9)  # Idul Fitri (estimated) 3 Dec
    assert wide.is_estimated(date(2100, 12, 3))


def test_default_range_is_fixed() -> None:
    """The default calendar covers DEFAULT_FIRST_YEAR .. DEFAULT_LAST_YEAR whatever today is."""
    assert (CAL.first, CAL.last) == (date(DEFAULT_FIRST_YEAR, 1, 1), date(DEFAULT_LAST_YEAR, 12, 31))


# -- exact semantics -----------------------------------------------------------------------------------


def test_zero_working_days_is_the_day_itself_or_the_next_working_day() -> None:
    """Zero working days keeps a working day and rolls a holiday or weekend forward."""
    assert CAL.add_working_days(date(2026, 3, 17), 0) == date(2026, 3, 17)
    assert CAL.add_working_days(date(2026, 3, 18), 0) == date(2026, 3, 25)
    assert CAL.add_working_days(date(2026, 3, 21), 0) == date(2026, 3, 25)


def test_negative_working_days_count_backwards_strictly_before() -> None:
    """A negative n gives the |n|-th working day strictly before the date, whatever the date is."""
    assert CAL.add_working_days(date(2026, 3, 25), -1) == date(2026, 3, 17)
    assert CAL.add_working_days(date(2026, 3, 21), -1) == date(2026, 3, 17)
    assert CAL.add_working_days(date(2026, 3, 17), -2) == date(2026, 3, 13)


def test_working_days_between_counts_the_half_open_interval() -> None:
    """(a, b]: the start is not counted, the end is; reversed order gives the negative count."""
    assert CAL.working_days_between(date(2026, 3, 16), date(2026, 3, 17)) == 1
    assert CAL.working_days_between(date(2026, 3, 17), date(2026, 3, 17)) == 0
    assert CAL.working_days_between(date(2026, 3, 17), date(2026, 3, 24)) == 0
    assert CAL.working_days_between(date(2026, 3, 24), date(2026, 3, 16)) == -1


def test_count_working_days_includes_both_ends_and_is_zero_when_reversed() -> None:
    """[a, b] inclusive; an empty interval counts 0."""
    assert CAL.count_working_days(date(2026, 3, 16), date(2026, 3, 17)) == 2
    assert CAL.count_working_days(date(2026, 3, 17), date(2026, 3, 16)) == 0


def test_is_working_day_knows_weekends_holidays_and_cuti_bersama() -> None:
    """A Tuesday works; Nyepi, cuti bersama and Sunday do not."""
    assert CAL.is_working_day(date(2026, 3, 17))
    assert not CAL.is_working_day(date(2026, 3, 19))
    assert not CAL.is_working_day(date(2026, 3, 18))
    assert not CAL.is_working_day(date(2026, 3, 15))


# -- range errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.add_working_days(date(2024, 12, 31), 1),
        lambda c: c.is_working_day(date(2028, 1, 1)),
        lambda c: c.working_days_between(date(2025, 1, 1), date(2028, 1, 1)),
        lambda c: c.working_days_between(date(2024, 1, 1), date(2025, 1, 1)),
        lambda c: c.due_at(datetime(2030, 1, 1, tzinfo=WIB), 1),
        lambda c: c.is_estimated(date(2000, 1, 1)),
        lambda c: c.holiday(date(2099, 1, 1)),
        lambda c: c.holidays_in(2024),
        lambda c: c.end_of_day(date(2028, 1, 1)),
        lambda c: c.end_of_day(date(2024, 12, 31)),
        lambda c: c.local_date(datetime(2028, 1, 1, tzinfo=WIB)),
        lambda c: c.local_date(datetime(2024, 12, 31, 12, tzinfo=UTC)),
    ],
)
def test_dates_outside_the_range_raise_date_out_of_range_naming_it(call: object) -> None:
    """Every operation refuses a date outside the calendar and names the range it covers."""
    with pytest.raises(DateOutOfRange, match=r"2025-01-01 \.\. 2027-12-31") as caught:
        call(SMALL)  # type: ignore[operator]
    assert caught.value.first == date(2025, 1, 1)
    assert caught.value.last == date(2027, 12, 31)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("day", "n"), [(date(2027, 12, 30), 3), (date(2025, 1, 2), -3), (date(2027, 12, 31), 1)]
)
def test_results_outside_the_range_raise_date_out_of_range(day: date, n: int) -> None:
    """A result past either end is refused too, saying how it was asked."""
    with pytest.raises(DateOutOfRange, match="working days"):
        SMALL.add_working_days(day, n)
    with pytest.raises(DateOutOfRange, match="working days"):
        SMALL.due_at(datetime.combine(day, datetime.min.time(), WIB), n)


@pytest.mark.parametrize(
    "day", [date.min, date(1, 1, 2), date(1900, 1, 1), date(2014, 12, 31), date(2041, 1, 1), date.max]
)
def test_end_of_day_refuses_every_day_outside_the_range_even_at_the_ends_of_time(day: date) -> None:
    """9999-12-31 has no next day and 1900 lies before the calendar: both raise DateOutOfRange."""
    with pytest.raises(DateOutOfRange) as caught:
        CAL.end_of_day(day)
    assert (caught.value.value, caught.value.first, caught.value.last) == (day, CAL.first, CAL.last)


def test_end_of_day_covers_the_first_and_last_day_of_the_widest_calendar() -> None:
    """A calendar up to 9998 ends its last day at 00:00 on 1 January 9999; its first day still ends."""
    widest = WorkingCalendar.custom(first_year=1, last_year=9998, tz="UTC")
    assert widest.end_of_day(date(9998, 12, 31)) == datetime(9999, 1, 1, tzinfo=ZoneInfo("UTC"))
    assert widest.end_of_day(date(1, 1, 1)) == datetime(1, 1, 2, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    "instant",
    [
        datetime.min.replace(tzinfo=timezone(timedelta(hours=5))),
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-5))),
        datetime.max.replace(tzinfo=UTC),
        datetime(1900, 1, 1, tzinfo=WIB),
    ],
)
def test_instants_at_the_ends_of_time_raise_date_out_of_range(instant: datetime) -> None:
    """Converting an extreme instant to local time would overflow: it is simply outside the calendar."""
    with pytest.raises(DateOutOfRange):
        CAL.local_date(instant)
    with pytest.raises(DateOutOfRange):
        CAL.due_at(instant, 1)


@pytest.mark.parametrize("value", ["2026-03-17", 739_000, None])
def test_arithmetic_rejects_values_that_are_not_dates(value: object) -> None:
    """Text, numbers and None raise TypeError."""
    with pytest.raises(TypeError, match="must be a date"):
        CAL.add_working_days(value, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a date"):
        CAL.is_working_day(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a date"):
        CAL.working_days_between(date(2026, 1, 1), value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a date"):
        CAL.working_days_between(value, date(2026, 1, 1))  # type: ignore[arg-type]


# -- derivations ---------------------------------------------------------------------------------------


def test_calendars_are_immutable() -> None:
    """Attributes cannot be assigned."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        CAL.tz = "Asia/Makassar"  # type: ignore[misc]


def test_with_holidays_returns_a_new_calendar_and_leaves_the_original() -> None:
    """An amended cuti bersama day moves deadlines in the copy only."""
    amended = SMALL.with_holidays(
        {date(2026, 3, 30): "Cuti bersama (amended)"}, kind=HolidayKind.COLLECTIVE_LEAVE
    )
    assert SMALL.add_working_days(date(2026, 3, 17), 5) == date(2026, 3, 31)
    assert amended.add_working_days(date(2026, 3, 17), 5) == date(2026, 4, 1)
    holiday = amended.holiday(date(2026, 3, 30))
    assert holiday == Holiday(
        date(2026, 3, 30), "Cuti bersama (amended)", HolidayKind.COLLECTIVE_LEAVE, False
    )
    assert amended.holiday_name(date(2026, 3, 30), lang="en") == "Cuti bersama (amended)"
    assert amended != SMALL


def test_with_holidays_accepts_plain_dates_with_a_default_name() -> None:
    """Dates without names are called 'Hari libur tambahan' / 'Additional holiday'."""
    closed = SMALL.with_holidays([date(2026, 4, 7)])
    assert closed.holiday_name(date(2026, 4, 7)) == "Hari libur tambahan"
    assert closed.holiday_name(date(2026, 4, 7), lang="en") == "Additional holiday"
    assert closed.holiday(date(2026, 4, 7)).kind is HolidayKind.ADDITIONAL  # type: ignore[union-attr]
    assert not closed.is_working_day(date(2026, 4, 7))


def test_with_holidays_on_an_existing_holiday_keeps_its_name_unless_given() -> None:
    """Re-adding a package holiday without a name keeps the package's name."""
    again = SMALL.with_holidays([date(2026, 3, 19)], kind=HolidayKind.PUBLIC)
    assert again.holiday_name(date(2026, 3, 19)) == "Hari Suci Nyepi"
    assert again.holiday(date(2026, 3, 19)).kind is HolidayKind.PUBLIC  # type: ignore[union-attr]


def test_without_holidays_makes_the_day_follow_the_work_week() -> None:
    """Removing cuti bersama on a weekday makes it a working day; unknown dates are ignored."""
    cal = SMALL.without_holidays([date(2026, 3, 18), date(2026, 3, 17)])
    assert cal.is_working_day(date(2026, 3, 18))
    assert cal.holiday(date(2026, 3, 18)) is None
    assert cal.add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 18)


def test_with_working_days_makes_weekend_and_holidays_working() -> None:
    """A make-up Saturday and a cancelled holiday both become working days."""
    cal = SMALL.with_working_days([date(2026, 3, 28), date(2026, 3, 24)])
    assert cal.is_working_day(date(2026, 3, 28))
    assert cal.is_working_day(date(2026, 3, 24))
    assert cal.holiday(date(2026, 3, 24)) is None
    assert cal.working_days == frozenset({date(2026, 3, 28), date(2026, 3, 24)})
    back = cal.with_holidays([date(2026, 3, 28)])
    assert not back.is_working_day(date(2026, 3, 28))
    assert back.working_days == frozenset({date(2026, 3, 24)})


def test_with_workweek_timezone_name_and_decree_year_change_only_that() -> None:
    """Each derivation changes one aspect and keeps the holidays."""
    cal = SMALL.with_workweek("Mon-Sat").with_timezone("Asia/Makassar").with_name("Dinas PU")
    assert (format_workweek(cal.workweek), cal.tz, cal.name) == ("Mon-Sat", "Asia/Makassar", "Dinas PU")
    assert cal.zone == WITA
    assert cal.holiday_name(date(2026, 3, 19)) == "Hari Suci Nyepi"
    assert SMALL.with_decreed_through(2028).decreed_through == 2028


def test_zone_name_and_decree_derivations_share_the_day_index() -> None:
    """600 institution calendars differing only in zone must not hold 600 copies of the index."""
    derived = SMALL.with_timezone("Asia/Jayapura").with_name("x").with_decreed_through(2030)
    assert derived._index is SMALL._index
    assert SMALL.with_holidays([date(2026, 4, 7)])._index is not SMALL._index


def test_evolving_a_calendar_by_hand_never_reuses_a_stale_index() -> None:
    """attrs.evolve with another work week rebuilds the index instead of trusting the old one."""
    six_days = attrs.evolve(SMALL, workweek="Mon-Sat")
    assert six_days.is_working_day(date(2026, 3, 28))
    assert six_days.add_working_days(date(2026, 3, 27), 1) == date(2026, 3, 28)


def test_indonesia_takes_extra_holidays_and_working_days() -> None:
    """Ad hoc closures by name or date, and make-up days, apply at build time."""
    cal = WorkingCalendar.indonesia(
        "Asia/Jayapura",
        extra_holidays={date(2026, 4, 7): "Pilkada ulang"},
        extra_working_days=[date(2026, 3, 28)],
        first_year=2026,
        last_year=2026,
        name="Kota Jayapura",
    )
    assert cal.holiday_name(date(2026, 4, 7), lang="en") == "Pilkada ulang"
    assert cal.is_working_day(date(2026, 3, 28))
    assert cal.count_working_days(date(2026, 1, 1), date(2026, 12, 31)) == 240
    assert "Kota Jayapura" in repr(cal)
    assert "Asia/Jayapura" in repr(cal)


def test_equal_definitions_make_equal_calendars_with_equal_hashes() -> None:
    """Two calendars built alike are equal and hash alike; a different zone is different."""
    a = WorkingCalendar.indonesia(first_year=2026, last_year=2026)
    b = WorkingCalendar.indonesia(first_year=2026, last_year=2026)
    assert a == b
    assert hash(a) == hash(b)
    assert a != a.with_timezone("Asia/Makassar")


def test_calendars_survive_pickling() -> None:
    """A pickled calendar answers the same (they travel to worker processes)."""
    copy = pickle.loads(pickle.dumps(SMALL))  # noqa: S301 - our own data
    assert copy == SMALL
    assert copy.add_working_days(date(2026, 3, 17), 10) == date(2026, 4, 8)


def test_derivation_outside_the_range_raises_date_out_of_range() -> None:
    """Holidays and working days must lie inside the calendar."""
    with pytest.raises(DateOutOfRange):
        SMALL.with_holidays([date(2030, 1, 1)])
    with pytest.raises(DateOutOfRange):
        SMALL.with_working_days([date(2020, 1, 1)])
    with pytest.raises(DateOutOfRange):
        SMALL.without_holidays([date(2030, 1, 1)])


# -- validation ----------------------------------------------------------------------------------------


def test_indonesia_reports_every_bad_argument_at_once() -> None:
    """Bad zone, work week, years and extra dates are listed together."""
    with pytest.raises(ValidationError) as caught:
        WorkingCalendar.indonesia(
            "Mars/Olympus",
            workweek="Mon-Funday",
            first_year=2030,
            last_year=2020,
            extra_holidays=["2026-01-01"],  # type: ignore[list-item]
            extra_working_days=[datetime(2026, 1, 1, tzinfo=UTC)],
        )
    assert caught.value.fields_by_name == {
        "tz": ("calendar.timezone_unknown",),
        "workweek": ("calendar.workweek_unknown_day",),
        "last_year": ("calendar.ends_before_start",),
        "extra_holidays[0]": ("calendar.not_a_date",),
        "extra_working_days[0]": ("calendar.not_a_date",),
    }
    assert "last_year: must not be before first_year" in caught.value.messages("en")


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"first_year": 0}, "first_year", "calendar.year_out_of_range"),
        ({"last_year": 10_000}, "last_year", "calendar.year_out_of_range"),
        ({"first_year": "2015"}, "first_year", "calendar.year_out_of_range"),
        ({"tz": ""}, "tz", "calendar.timezone_not_name"),
        ({"tz": "../../etc/passwd"}, "tz", "calendar.timezone_not_name"),
        ({"tz": None}, "tz", "calendar.timezone_not_name"),
        ({"tz": "Asia"}, "tz", "calendar.timezone_unknown"),
        ({"extra_holidays": 5}, "extra_holidays", "calendar.dates_not_iterable"),
        (
            {"extra_holidays": {date(2026, 1, 2): "  "}},
            "extra_holidays[2026-01-02]",
            "calendar.holiday_name_empty",
        ),
        ({"extra_holidays": {"x": "y"}}, "extra_holidays[0]", "calendar.not_a_date"),
        ({"collective_leave": "yes"}, "collective_leave", "value.not_boolean"),
        ({"decreed_through": "2027"}, "decreed_through", "calendar.not_a_year"),
    ],
)
def test_indonesia_rejects_bad_input_naming_the_field_and_the_rule(
    kwargs: dict[str, object], field: str, code: str
) -> None:
    """Each bad argument raises ValidationError naming it and the code of the rule it broke."""
    with pytest.raises(ValidationError) as caught:
        WorkingCalendar.indonesia(**kwargs)  # type: ignore[arg-type]
    assert code in caught.value.fields_by_name[field]


def test_year_errors_read_as_years_in_both_languages() -> None:
    """The range of years is written as years (no thousands separator), in Indonesian and English."""
    with pytest.raises(ValidationError) as caught:
        WorkingCalendar.indonesia(first_year=0)
    assert caught.value.messages() == ("first_year: harus berupa tahun dari 1 sampai 9998",)
    assert caught.value.messages("en") == ("first_year: must be a year from 1 to 9998",)


def test_custom_reports_every_bad_argument_at_once() -> None:
    """custom() collects errors the same way."""
    with pytest.raises(ValidationError) as caught:
        WorkingCalendar.custom(
            workweek=[7],
            tz="Nowhere",
            holidays=[1],
            working_days=None,
            estimated=["x"],  # type: ignore[list-item,arg-type]
        )
    assert set(caught.value.fields_by_name) == {
        "workweek",
        "tz",
        "holidays[0]",
        "working_days",
        "estimated[0]",
    }


def test_the_constructor_checks_its_invariants() -> None:
    """Direct construction refuses reversed ranges, naive types, bad zones and weeks without work."""
    with pytest.raises(ValidationError) as caught:
        WorkingCalendar(first=date(2026, 12, 31), last=date(2026, 1, 1), workweek="Mon-Fri", tz="Nowhere")
    assert caught.value.fields_by_name == {
        "last": ("calendar.ends_before_start",),
        "tz": ("calendar.timezone_unknown",),
    }
    with pytest.raises(ValidationError) as caught:
        WorkingCalendar(first="2026", last=date(9999, 1, 1), workweek="Mon", decreed_through=1.5)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {
        "first": ("calendar.not_a_date",),
        "last": ("calendar.year_out_of_range",),
        "decreed_through": ("calendar.not_a_year",),
    }
    with pytest.raises(ValidationError) as caught:
        WorkingCalendar(
            first=date(2026, 1, 1), last=date(2026, 1, 1), workweek="Mon", names={date(2026, 1, 1): "x"}
        )
    assert caught.value.fields_by_name == {"workweek": ("calendar.workweek_no_working_day",)}
    with pytest.raises(DateOutOfRange):
        WorkingCalendar(
            first=date(2026, 1, 1), last=date(2026, 1, 31), workweek="Mon-Fri", estimated=[date(2025, 1, 1)]
        )
    assert WorkingCalendar(first=date(2026, 1, 1), last=date(2026, 1, 1), workweek="Thu").is_working_day(
        date(2026, 1, 1)
    )


def test_derivations_validate_their_input() -> None:
    """Derivations reject non-dates, empty names, bad zones, weeks and decree years."""
    with pytest.raises(ValidationError):
        SMALL.with_holidays(["2026-01-01"])  # type: ignore[list-item]
    with pytest.raises(ValidationError):
        SMALL.with_holidays({date(2026, 1, 2): ""})
    with pytest.raises(ValidationError):
        SMALL.without_holidays(5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        SMALL.with_timezone("Not/AZone")
    with pytest.raises(ValidationError):
        SMALL.with_workweek("")
    with pytest.raises(ValidationError):
        SMALL.with_decreed_through("2028")  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        SMALL.with_holidays([date(2026, 1, 2)], kind="holiday")  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"kind": ("value.not_choice",)}
    assert caught.value.errors[0].params["choices"] == ("public", "collective_leave", "additional")


# -- work weeks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("mon-sat", {0, 1, 2, 3, 4, 5}),
        ("Sun-Thu", {6, 0, 1, 2, 3}),
        ("Mon, Wed ,Fri", {0, 2, 4}),
        ("Sen-Jum", {0, 1, 2, 3, 4}),
        ("Senin-Sabtu", {0, 1, 2, 3, 4, 5}),
        ("Monday-Tuesday,Saturday", {0, 1, 5}),
        ("Sat-Sat", {5}),
        ((0, 2, 4), {0, 2, 4}),
        (range(7), set(range(7))),
    ],
)
def test_parse_workweek_accepts_ranges_lists_and_numbers(spec: str | tuple[int, ...], days: set[int]) -> None:
    """Text ranges (wrapping over Sunday), lists, Indonesian names and weekday numbers all parse."""
    assert parse_workweek(spec) == frozenset(days)


@pytest.mark.parametrize(
    "spec", ["", [], "Mon-", "Funday", "Mon-Tue-Wed", [7], [-1], [True], ["Mon"], 5, "x" * 10_000]
)
def test_parse_workweek_rejects_bad_specs_naming_the_field(spec: object) -> None:
    """Unknown days, numbers outside 0..6, bools, non-iterables and huge text are refused briefly."""
    with pytest.raises(ValidationError) as caught:
        parse_workweek(spec)  # type: ignore[arg-type]
    assert set(caught.value.fields_by_name) == {"workweek"}
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ("", "calendar.workweek_unknown_day"),
        ("Funday", "calendar.workweek_unknown_day"),
        ("Mon-", "calendar.workweek_unknown_day"),
        ("Mon-Tue-Wed", "calendar.workweek_bad_range"),
        ([], "calendar.workweek_empty"),
        ([7], "calendar.workweek_bad_number"),
        ([True], "calendar.workweek_bad_number"),
        (5, "calendar.workweek_not_days"),
        (None, "calendar.workweek_not_days"),
        (b"Mon", "calendar.workweek_not_days"),
        ({"Mon": 1}, "calendar.workweek_not_days"),
        (iter(range(10**9)), "calendar.workweek_not_days"),
        ("x" * 101, "text.too_long"),
    ],
)
def test_workweek_rule_names_what_is_wrong_with_a_code(spec: object, code: str) -> None:
    """Each kind of bad work week has its code; parse_workweek reports it on its field."""
    with pytest.raises(Invalid) as caught:
        workweek_rule(spec)
    assert caught.value.code == code
    with pytest.raises(ValidationError) as error:
        parse_workweek(spec, field="institutions[3].workweek")  # type: ignore[arg-type]
    assert error.value.fields_by_name == {"institutions[3].workweek": (code,)}


def test_workweek_rule_is_the_one_institution_records_use() -> None:
    """The institution directory's forms parse the same: English days, spaces, forward ranges."""
    assert workweek_rule("Mon-Thu, Sat") == frozenset({0, 1, 2, 3, 5})
    assert workweek_rule(" MON - FRI ") == frozenset(range(5))
    assert workweek_rule(frozenset({6})) == frozenset({6})


@given(
    st.one_of(
        st.text(max_size=120),
        st.text(alphabet="MonTueWdhFriSatSunSenSlRbKmJ-, ", max_size=40),
        st.lists(st.one_of(st.integers(-3, 9), st.booleans(), st.none(), st.text(max_size=3)), max_size=10),
        st.none(),
        st.integers(),
        st.floats(),
        st.binary(max_size=10),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    )
)
def test_workweek_rule_gives_a_week_or_invalid_for_any_junk(value: object) -> None:
    """Whatever it is given, the rule returns a non-empty set of weekdays or raises Invalid, nothing else."""
    result = _outcome(workweek_rule, value)
    if isinstance(result, Invalid):
        assert result.code.startswith(("calendar.workweek_", "text.too_long"))
    else:
        assert result
        assert result <= frozenset(range(7))


def _outcome(rule: Callable[[object], T], value: object) -> T | Invalid:
    """What ``rule(value)`` returns, or the Invalid it raises (any other exception propagates)."""
    try:
        return rule(value)
    except Invalid as invalid:
        return invalid


@pytest.mark.parametrize("name", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC", "Etc/GMT+5"])
def test_timezone_rule_returns_a_known_zone_name_as_given(name: str) -> None:
    """IANA names that exist come back unchanged."""
    assert timezone_rule(name) == name


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "calendar.timezone_not_name"),
        ("", "calendar.timezone_not_name"),
        (7, "calendar.timezone_not_name"),
        (" Asia/Jakarta", "calendar.timezone_not_name"),
        ("../../etc/passwd", "calendar.timezone_not_name"),
        ("/etc/localtime", "calendar.timezone_not_name"),
        ("Asia/Jakarta\x00", "calendar.timezone_not_name"),
        ("A" * 65, "calendar.timezone_not_name"),
        ("Asia", "calendar.timezone_unknown"),
        ("Asia/Bandung", "calendar.timezone_unknown"),
        ("utc", "calendar.timezone_unknown"),
    ],
)
def test_timezone_rule_refuses_malformed_and_unknown_names(value: object, code: str) -> None:
    """Malformed names never reach the time-zone database; well-formed unknown ones are unknown."""
    with pytest.raises(Invalid) as caught:
        timezone_rule(value)
    assert caught.value.code == code
    assert caught.value.params == {}


@given(
    st.one_of(
        st.text(max_size=80), st.from_regex(r"[A-Za-z_]{1,12}(/[A-Za-z_+\-]{1,14}){0,2}", fullmatch=True)
    )
)
def test_timezone_rule_gives_the_name_or_invalid_for_any_text(value: str) -> None:
    """Any text is a zone name that ZoneInfo loads, or Invalid: never an OSError or KeyError."""
    result = _outcome(timezone_rule, value)
    if isinstance(result, Invalid):
        assert result.code in {"calendar.timezone_not_name", "calendar.timezone_unknown"}
    else:
        assert ZoneInfo(result).key == value


@settings(max_examples=300)
@given(
    day=st.dates(),
    instant=st.datetimes(timezones=st.one_of(st.none(), st.timezones(), st.just(UTC))),
    n=st.integers(-20_000, 20_000),
)
def test_every_public_method_gives_a_value_or_a_documented_error(
    day: date, instant: datetime, n: int
) -> None:
    """Any date, any (naive or aware) datetime, any step: a result, DateOutOfRange or ValidationError."""
    calls = [
        lambda: SMALL.is_working_day(day),
        lambda: SMALL.add_working_days(day, n),
        lambda: SMALL.working_days_between(day, date(2026, 1, 1)),
        lambda: SMALL.count_working_days(date(2026, 1, 1), day),
        lambda: SMALL.end_of_day(day),
        lambda: SMALL.is_estimated(day),
        lambda: SMALL.has_estimated_between(day, date(2026, 1, 1)),
        lambda: SMALL.holiday(day),
        lambda: SMALL.holidays_in(day.year),
        lambda: SMALL.local_date(instant),
        lambda: SMALL.due_at(instant, n),
    ]
    refusals: list[object] = []
    for call in calls:
        try:
            call()
        except DateOutOfRange:
            pass
        except ValidationError as error:
            refusals.append(error.fields_by_name)
    naive = ({"instant": ("instant.naive",)}, {"start": ("instant.naive",)})
    assert all(refusal in naive for refusal in refusals)


@given(st.sets(st.integers(0, 6), min_size=1))
def test_format_workweek_round_trips_through_parse(days: set[int]) -> None:
    """Formatting then parsing gives the same set of days."""
    assert parse_workweek(format_workweek(days)) == frozenset(days)


def test_format_workweek_writes_compact_ranges() -> None:
    """Runs become ranges, the whole week is Mon-Sun."""
    assert format_workweek(range(7)) == "Mon-Sun"
    assert format_workweek({5, 6, 0}) == "Sat-Mon"
    assert format_workweek({1, 3, 4}) == "Tue,Thu-Fri"


# -- estimates and names ------------------------------------------------------------------------------


def test_estimated_islamic_dates_are_flagged() -> None:
    """The package's 'perkiraan' Idul Fitri 2027 is estimated; a decreed 2026 day is not."""
    assert SMALL.is_estimated(date(2027, 3, 10))
    assert SMALL.holiday(date(2027, 3, 10)).estimated  # type: ignore[union-attr]
    assert "perkiraan" in SMALL.holiday_name(date(2027, 3, 10))  # type: ignore[operator]
    assert "estimated" in SMALL.holiday_name(date(2027, 3, 10), lang="en")  # type: ignore[operator]
    assert not SMALL.is_estimated(date(2026, 3, 20))
    assert not SMALL.is_estimated(date(2027, 3, 9))


def test_years_after_the_last_decree_are_provisional() -> None:
    """Every day after the last year with cuti bersama in the data is estimated."""
    assert CAL.decreed_through == 2027
    assert CAL.is_estimated(date(2028, 7, 4))
    assert not CAL.is_estimated(date(2027, 7, 6))
    assert not CAL.with_decreed_through(2030).is_estimated(date(2028, 7, 4))
    assert not CAL.with_decreed_through(None).is_estimated(date(2040, 7, 4))


@pytest.mark.parametrize(
    ("first", "last", "decreed"), [(1990, 2001, 2001), (2030, 2032, 2029), (2020, 2021, 2021)]
)
def test_decreed_through_defaults_to_the_data_in_range(first: int, last: int, decreed: int) -> None:
    """Years before cuti bersama existed are final; a range wholly after the data is all provisional."""
    cal = WorkingCalendar.indonesia(first_year=first, last_year=last)
    assert cal.decreed_through == decreed
    assert cal.is_estimated(date(last, 6, 1)) is (last > decreed)


def test_has_estimated_between_checks_the_half_open_span_in_either_order() -> None:
    """(a, b]: an estimated end counts, an estimated start does not."""
    eid = date(2027, 3, 10)
    assert SMALL.has_estimated_between(date(2027, 3, 1), eid)
    assert SMALL.has_estimated_between(eid + timedelta(5), date(2027, 3, 1))
    assert SMALL.is_estimated(eid + timedelta(1))  # the second day of Idul Fitri
    assert not SMALL.has_estimated_between(eid + timedelta(1), eid + timedelta(10))
    assert not SMALL.has_estimated_between(date(2026, 1, 1), date(2026, 12, 31))
    assert CAL.has_estimated_between(date(2027, 12, 30), date(2028, 1, 3))


def test_with_holidays_can_settle_or_mark_estimates() -> None:
    """A confirmed date is no longer estimated; estimated=True marks one."""
    settled = SMALL.with_holidays({date(2027, 3, 10): "Idul Fitri 1448 H"}, kind=HolidayKind.PUBLIC)
    assert not settled.is_estimated(date(2027, 3, 10))
    marked = SMALL.with_holidays([date(2026, 9, 1)], estimated=True)
    assert marked.is_estimated(date(2026, 9, 1))
    assert not marked.without_holidays([date(2026, 9, 1)]).is_estimated(date(2026, 9, 1))


def test_holiday_names_come_in_indonesian_and_english() -> None:
    """Package names are translated; merged entries and unknown days are handled."""
    assert CAL.holiday_name(date(2026, 3, 20)) == "Cuti Bersama Hari Raya Idul Fitri"
    assert CAL.holiday_name(date(2026, 3, 20), lang="en") == "Eid al-Fitr Joint Holiday"
    assert CAL.holiday_name(date(2026, 3, 17)) is None
    english = CAL.holidays_in(2026, lang="en")
    assert [h.name for h in english][:2] == ["New Year's Day", "Isra' and Mi'raj"]
    assert len(english) == len(CAL.holidays_in(2026)) == 25


def test_holiday_kinds_have_labels_in_both_languages() -> None:
    """Kinds read as people say them."""
    assert HolidayKind.PUBLIC.label() == "libur nasional"
    assert HolidayKind.ADDITIONAL.label("en") == "additional holiday"


def test_custom_calendar_names_are_not_translated() -> None:
    """A custom calendar has no package behind it: its own names are returned for every language."""
    cal = WorkingCalendar.custom(holidays={date(2026, 1, 2): "Libur kantor"}, first_year=2026, last_year=2026)
    plain = cal.with_holidays([date(2026, 1, 5)])
    assert plain.holiday_name(date(2026, 1, 2), lang="en") == "Libur kantor"
    assert plain.holiday_name(date(2026, 1, 5), lang="en") == "Additional holiday"
    assert [h.name for h in plain.holidays_in(2026)] == ["Libur kantor", "Hari libur tambahan"]


@pytest.mark.parametrize("lang", ["fr", "EN", None])
def test_unknown_languages_are_refused(lang: object) -> None:
    """Only 'id' and 'en' are offered."""
    with pytest.raises(ValidationError) as caught:
        CAL.holiday_name(date(2026, 1, 1), lang=lang)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"lang": ("value.not_choice",)}
    with pytest.raises(ValidationError) as caught:
        CAL.holidays_in(2026, lang=lang)  # type: ignore[arg-type]
    assert caught.value.errors[0].params == {"choices": ("id", "en")}


@pytest.mark.parametrize("year", [2014, 2041, "2026"])
def test_holidays_in_refuses_years_outside_the_range(year: object) -> None:
    """A year the calendar does not cover raises DateOutOfRange."""
    with pytest.raises(DateOutOfRange):
        CAL.holidays_in(year)  # type: ignore[arg-type]


# -- properties ----------------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
STEPS = st.integers(-200, 200)
WEEKS = st.sampled_from(["Mon-Fri", "Mon-Sat", "Sun-Thu", "Tue,Thu,Sat", "Wed"])


def calendar_for(week: str) -> WorkingCalendar:
    """The default calendar with another work week."""
    return CAL if week == "Mon-Fri" else CAL.with_workweek(week)


WEEK_CALENDARS = {
    week: calendar_for(week) for week in ["Mon-Fri", "Mon-Sat", "Sun-Thu", "Tue,Thu,Sat", "Wed"]
}


@given(DAYS, STEPS, STEPS, WEEKS)
def test_add_working_days_is_monotonic_in_n(day: date, m: int, n: int, week: str) -> None:
    """More working days never give an earlier date; distinct positive counts give distinct dates."""
    cal = WEEK_CALENDARS[week]
    low, high = sorted((m, n))
    assert cal.add_working_days(day, low) <= cal.add_working_days(day, high)
    if 1 <= low < high:
        assert cal.add_working_days(day, low) < cal.add_working_days(day, high)


@given(DAYS, st.integers(1, 200), WEEKS)
def test_working_days_between_inverts_add_working_days(day: date, n: int, week: str) -> None:
    """working_days_between(d, add_working_days(d, n)) == n for n >= 1, and the result is a working day."""
    cal = WEEK_CALENDARS[week]
    target = cal.add_working_days(day, n)
    assert cal.working_days_between(day, target) == n
    assert cal.is_working_day(target)
    assert target > day


@given(DAYS, st.integers(-200, -1), WEEKS)
def test_negative_n_counts_back_to_a_working_day(day: date, n: int, week: str) -> None:
    """For n <= -1 the result is a working day before d with exactly |n| working days in [result, d)."""
    cal = WEEK_CALENDARS[week]
    target = cal.add_working_days(day, n)
    assert target < day
    assert cal.is_working_day(target)
    assert cal.working_days_between(target, day - timedelta(1)) == -n - 1
    assert cal.working_days_between(day, target) == n + (0 if cal.is_working_day(day) else 1)


@given(DAYS, WEEKS)
def test_zero_is_consistent_with_is_working_day(day: date, week: str) -> None:
    """Zero returns the day exactly when it is a working day; otherwise the next one after it."""
    cal = WEEK_CALENDARS[week]
    rolled = cal.add_working_days(day, 0)
    assert (rolled == day) is cal.is_working_day(day)
    assert cal.working_days_between(day, rolled) == (0 if cal.is_working_day(day) else 1)


@settings(max_examples=50)
@given(DAYS, st.integers(0, 40), WEEKS)
def test_counts_agree_with_a_day_by_day_walk(day: date, span: int, week: str) -> None:
    """working_days_between equals counting is_working_day over (a, b]."""
    cal = WEEK_CALENDARS[week]
    end = day + timedelta(span)
    walked = sum(cal.is_working_day(day + timedelta(k)) for k in range(1, span + 1))
    assert cal.working_days_between(day, end) == walked
    assert cal.working_days_between(end, day) == -walked


@given(
    st.datetimes(
        min_value=datetime(2016, 1, 1),  # noqa: DTZ001 - Hypothesis bounds are naive; timezones= adds UTC
        max_value=datetime(2039, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.integers(0, 200),
    st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]),
)
def test_due_at_is_the_end_of_the_nth_working_day_of_the_local_date(start: datetime, n: int, tz: str) -> None:
    """due_at == end_of_day(add_working_days(local date, n)), at local midnight, after start when n >= 1."""
    cal = CAL.with_timezone(tz)
    due = cal.due_at(start, n)
    assert due == cal.end_of_day(cal.add_working_days(cal.local_date(start), n))
    local = due.astimezone(ZoneInfo(tz))
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    if n >= 1:
        assert due > start
