"""``lapor due`` and ``lapor calendar``: working days on the Indonesian government calendar."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from lapor_core import _i18n
from lapor_core._i18n import N_
from lapor_core.cli._text import EXIT_OK, CliError, Console, whole_number

if TYPE_CHECKING:
    from lapor_core._domain.calendar import Lang, WorkingCalendar

__all__ = ["add_calendar_arguments", "add_due_arguments", "calendar", "due"]

_MAX_DUE_DAYS = 3650


def add_due_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor due``'s arguments to its subparser."""
    parser.add_argument("start", metavar="START", help="aware ISO date-time, e.g. 2026-03-17T10:00+07:00")
    parser.add_argument("days", metavar="N", help=f"number of working days, 0 to {_MAX_DUE_DAYS}")
    _add_calendar_options(parser)


def add_calendar_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor calendar``'s arguments to its subparser."""
    parser.add_argument("year", metavar="YEAR", help="the year, e.g. 2026")
    _add_calendar_options(parser)


def _add_calendar_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tz", default="Asia/Jakarta", help="IANA time zone of the office (default Asia/Jakarta, WIB)"
    )
    parser.add_argument("--workweek", default="Mon-Fri", help="working weekdays (default Mon-Fri)")
    parser.add_argument(
        "--no-collective-leave", action="store_true", help="count cuti bersama as working days"
    )


def due(args: argparse.Namespace, console: Console) -> int:
    """``lapor due START N``: the instant N working days after START's local date end."""
    from lapor_core._domain.calendar import MAX_YEAR  # noqa: PLC0415 - loaded for these commands only

    try:
        start = datetime.fromisoformat(args.start)
    except ValueError:
        raise CliError(N_("cli.due.start_not_iso")) from None
    if start.tzinfo is None or start.utcoffset() is None:
        raise CliError(N_("cli.due.start_naive"))
    days = whole_number(args.days, "N", 0, _MAX_DUE_DAYS)
    # Cover the start (a day either side for time zones) and enough years for N working days (>= 200 a year).
    first_year, last_year = start.year - 1, start.year + days // 200 + 1
    if first_year < 1 or last_year > MAX_YEAR:
        raise CliError(N_("cli.due.years_out_of_range"), min="2", max=str(MAX_YEAR - 1))
    calendar = _working_calendar(args, first_year, last_year)
    day = calendar.local_date(start)
    due = calendar.due_at(start, days)
    print(due.isoformat(), file=console.out)
    due_day = calendar.add_working_days(day, days)
    if calendar.has_estimated_between(day, due_day):
        console.say(N_("cli.due.provisional"), first=day, last=due_day)
    return EXIT_OK


def _weekday_names(locale: str) -> Mapping[int, str]:
    from babel.dates import get_day_names  # noqa: PLC0415 - Babel loads only when a calendar is shown

    return get_day_names("abbreviated", locale=_i18n.locale_for(locale))


def calendar(args: argparse.Namespace, console: Console) -> int:
    """``lapor calendar YEAR``: the year's holidays on working weekdays and its working-day count."""
    from lapor_core._domain.calendar import MAX_YEAR, format_workweek  # noqa: PLC0415 - loaded for these commands only

    year = whole_number(args.year, "YEAR", 1, MAX_YEAR)
    lang: Lang = "en" if console.locale == "en" else "id"
    calendar = _working_calendar(args, year, year)
    off = [
        h
        for h in calendar.holidays_in(year, lang=lang)
        if h.date.weekday() in calendar.workweek and not calendar.is_working_day(h.date)
    ]
    console.say(
        N_("cli.calendar.title"),
        year=str(year),
        calendar=calendar.name,
        tz=calendar.tz,
        workweek=format_workweek(calendar.workweek),
    )
    weekdays = _weekday_names(console.locale)
    dates = [_i18n.format_date(h.date, console.locale) for h in off]
    date_width = max(map(len, dates), default=0)
    name_width = max((len(h.name) for h in off), default=0)
    for holiday, shown in zip(off, dates, strict=True):
        kind = holiday.kind.label(lang)
        weekday = weekdays[holiday.date.weekday()]
        print(f"{shown:>{date_width}}  {weekday}  {holiday.name:<{name_width}}  {kind}", file=console.out)
    if not off:
        console.say(N_("cli.calendar.no_holiday"))
    count = calendar.count_working_days(date(year, 1, 1), date(year, 12, 31))
    console.say(N_("cli.calendar.working_days"), year=str(year), count=count)
    if calendar.decreed_through is not None and year > calendar.decreed_through:
        console.say(N_("cli.calendar.provisional"), year=str(year))
    return EXIT_OK


def _working_calendar(args: argparse.Namespace, first_year: int, last_year: int) -> WorkingCalendar:
    from lapor_core._domain.calendar import WorkingCalendar  # noqa: PLC0415 - loaded for these commands only

    return WorkingCalendar.indonesia(
        args.tz,
        collective_leave=not args.no_collective_leave,
        workweek=args.workweek,
        first_year=first_year,
        last_year=last_year,
    )
