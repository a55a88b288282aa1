"""The ``lapor`` command line: ``lapor demo``, ``lapor due``, ``lapor calendar``, ...

Each subcommand is a small function taking the parsed arguments and an output stream, so tests call
:func:`main` with an argument list and read what it printed. Bad input ends the command the argparse way:
a usage line and a message on standard error, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, TextIO

from lapor_core.errors import ValidationError

if TYPE_CHECKING:
    from lapor_core.calendar import Lang, WorkingCalendar

__all__ = ["build_parser", "main"]

Command = Callable[[argparse.Namespace, TextIO], int]

_MAX_DUE_DAYS = 3650
_WEEKDAYS = {
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_TEXT = {
    "id": {
        "title": "Hari libur nasional dan cuti bersama {year}",
        "count": "Hari kerja {year}: {count}",
        "none": "(tidak ada hari libur pada hari kerja)",
        "provisional": (
            "catatan: SKB libur nasional dan cuti bersama {year} belum ada dalam data; daftar ini perkiraan"
        ),
    },
    "en": {
        "title": "Public holidays and collective leave {year}",
        "count": "Working days in {year}: {count}",
        "none": "(no holiday on a working weekday)",
        "provisional": "note: the {year} holiday decree is not in the data yet; this list is provisional",
    },
}


class _UsageError(Exception):
    """Input the command cannot use; reported like an argparse error."""


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    from lapor_core.demo import run_demo  # noqa: PLC0415 - keep `lapor --help` fast

    return run_demo(seed=args.seed, out=out, url=args.url)


def _tour(args: argparse.Namespace, out: TextIO) -> int:
    from lapor_core.demo import run_tour  # noqa: PLC0415 - see _demo

    return run_tour(seed=args.seed, out=out)


def _due(args: argparse.Namespace, out: TextIO) -> int:
    from lapor_core.calendar import MAX_YEAR  # noqa: PLC0415 - see _demo

    try:
        start = datetime.fromisoformat(args.start)
    except ValueError:
        raise _UsageError(
            f"START must be an ISO date-time like 2026-03-17T10:00+07:00, not {args.start[:40]!r}"
        ) from None
    if start.tzinfo is None:
        raise _UsageError("START needs a UTC offset or Z, like 2026-03-17T10:00+07:00")
    if not 0 <= args.days <= _MAX_DUE_DAYS:
        raise _UsageError(f"N must be a number of working days from 0 to {_MAX_DUE_DAYS}")
    # Cover the start (a day either side for time zones) and enough years for N working days (>= 200 a year).
    first_year, last_year = start.year - 1, start.year + args.days // 200 + 1
    if first_year < 1 or last_year > MAX_YEAR:
        raise _UsageError(f"START and its deadline must fall in the years 2 to {MAX_YEAR - 1}")
    calendar = _calendar(args, first_year, last_year)
    day = calendar.local_date(start)
    due = calendar.due_at(start, args.days)
    print(due.isoformat(), file=out)
    due_day = calendar.add_working_days(day, args.days)
    if calendar.has_estimated_between(day, due_day):
        print(
            f"warning: provisional: the working days from {day} to {due_day} include estimated dates "
            f"(holidays or cuti bersama not decreed yet); the deadline may move",
            file=out,
        )
    return 0


def _calendar_command(args: argparse.Namespace, out: TextIO) -> int:
    from lapor_core.calendar import MAX_YEAR, format_workweek  # noqa: PLC0415 - see _demo

    year: int = args.year
    lang: Lang = "en" if args.lang == "en" else "id"
    if not 1 <= year <= MAX_YEAR:
        raise _UsageError(f"YEAR must be from 1 to {MAX_YEAR}")
    calendar = _calendar(args, year, year)
    text = _TEXT[lang]
    off = [
        h
        for h in calendar.holidays_in(year, lang=lang)
        if h.date.weekday() in calendar.workweek and not calendar.is_working_day(h.date)
    ]
    heading = text["title"].format(year=year)
    print(f"{heading} ({calendar.name}, {calendar.tz}, {format_workweek(calendar.workweek)})", file=out)
    width = max((len(h.name) for h in off), default=0)
    for h in off:
        kind = h.kind.label(lang)
        weekday = _WEEKDAYS[lang][h.date.weekday()]
        print(f"{h.date.isoformat()}  {weekday}  {h.name:<{width}}  {kind}", file=out)
    if not off:
        print(text["none"], file=out)
    count = calendar.count_working_days(date(year, 1, 1), date(year, 12, 31))
    print(text["count"].format(year=year, count=count), file=out)
    if calendar.decreed_through is not None and year > calendar.decreed_through:
        print(text["provisional"].format(year=year), file=out)
    return 0


def _calendar(args: argparse.Namespace, first_year: int, last_year: int) -> WorkingCalendar:
    from lapor_core.calendar import WorkingCalendar  # noqa: PLC0415 - see _demo

    try:
        return WorkingCalendar.indonesia(
            args.tz,
            collective_leave=not args.no_collective_leave,
            workweek=args.workweek,
            first_year=first_year,
            last_year=last_year,
        )
    except ValidationError as e:
        raise _UsageError(str(e)) from None


def _add_calendar_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tz", default="Asia/Jakarta", help="IANA time zone of the office (default Asia/Jakarta, WIB)"
    )
    parser.add_argument("--workweek", default="Mon-Fri", help="working weekdays (default Mon-Fri)")
    parser.add_argument(
        "--no-collective-leave", action="store_true", help="count cuti bersama as working days"
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``lapor`` command."""
    parser = argparse.ArgumentParser(prog="lapor", description="SP4N-LAPOR! complaint handling toolkit.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="simulate a month of LAPOR! traffic and print an SLA report")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    demo.add_argument(
        "--url",
        default="sqlite:///build/demo/lapor-demo.db",
        help="store URL (default: a fresh SQLite file build/demo/lapor-demo.db)",
    )
    demo.set_defaults(handler=_demo, parser=demo)

    tour = sub.add_parser("tour", help="show tracking IDs, access keys and validation errors")
    tour.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    tour.set_defaults(handler=_tour, parser=tour)

    due = sub.add_parser(
        "due",
        help="when N working days after an instant end",
        description="Print the instant (ISO 8601) the N-th working day after START's local date ends: "
        "00:00 local time of the next day, on the Indonesian government calendar.",
    )
    due.add_argument("start", metavar="START", help="aware ISO date-time, e.g. 2026-03-17T10:00+07:00")
    due.add_argument("days", metavar="N", type=int, help="number of working days")
    _add_calendar_options(due)
    due.set_defaults(handler=_due, parser=due)

    calendar = sub.add_parser(
        "calendar",
        help="a year's holidays on working days and its working-day count",
        description="List the year's public holidays and cuti bersama that fall on working weekdays, "
        "then the number of working days.",
    )
    calendar.add_argument("year", metavar="YEAR", type=int, help="the year, e.g. 2026")
    calendar.add_argument("--lang", choices=("id", "en"), default="id", help="language of names (default id)")
    _add_calendar_options(calendar)
    calendar.set_defaults(handler=_calendar_command, parser=calendar)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the ``lapor`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Bad arguments print a usage line and a message on standard error and exit with status 2
    (:class:`SystemExit`), as argparse does.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command = args.handler
    try:
        return handler(args, out if out is not None else sys.stdout)
    except _UsageError as e:
        sub: argparse.ArgumentParser = args.parser
        sub.error(str(e))  # raises SystemExit(2)
        raise  # pragma: no cover - error() never returns
