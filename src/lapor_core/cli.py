"""The ``lapor`` command line: ``lapor demo``, ``due``, ``calendar``, ``stats``, ``deliver``, ...

Each subcommand is a small function taking the parsed arguments and an output stream, so tests call
:func:`main` with an argument list and read what it printed. Bad input ends the command the argparse way:
a usage line and a message on standard error, exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, TextIO

from lapor_core import _cli_deliver
from lapor_core.errors import ValidationError

if TYPE_CHECKING:
    from lapor_core.access import Principal
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


def _db(args: argparse.Namespace, out: TextIO) -> int:
    from lapor_core.errors import LaporError  # noqa: PLC0415 - see _demo
    from lapor_core.stores import sql  # noqa: PLC0415 - SQLAlchemy loads only for database commands

    try:
        if args.action == "current":
            store = sql.SqlComplaintStore(args.url, schema="skip")
            try:
                current = store.schema_revision()
            finally:
                store.close()
            print(f"{current or 'no lapor_core schema'} (this code needs {sql.SCHEMA_REVISION})", file=out)
            return 0
        script = sql.upgrade(args.url, revision=args.revision, sql=args.sql)
    except LaporError as e:
        raise _UsageError(str(e)) from None
    print(script if args.sql else f"upgraded to {args.revision}", file=out)
    return 0


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


_STATS_FILTERS = ("status", "institution", "category", "kind", "channel")
_PROGRESS_SECONDS = 1.0
"""Progress is reported on standard error at most this often, and only for runs that last longer."""


def _stats_principal(text: str) -> Principal:
    from lapor_core.access import Principal  # noqa: PLC0415 - see _demo

    if text == "public":
        return Principal.public()
    if text == "admin":
        return Principal.admin("lapor-cli")
    if text == "supervisor":
        return Principal.supervisor("lapor-cli")
    role, _, code = text.partition(":")
    if role == "institution" and code:
        return Principal.institution("lapor-cli", institution=code)
    raise _UsageError(f"--as must be public, admin, supervisor or institution:CODE, not {text[:40]!r}")


def _stats_filters(args: argparse.Namespace) -> dict[str, object]:
    filters: dict[str, object] = {
        name: values for name in _STATS_FILTERS if (values := getattr(args, name)) is not None
    }
    if args.region is not None:
        filters["region"] = args.region
    if args.start is not None or args.end is not None:
        try:
            bounds = [None if text is None else date.fromisoformat(text) for text in (args.start, args.end)]
        except ValueError:
            raise _UsageError("--from and --to must be dates like 2026-03-01") from None
        filters["period"] = tuple(bounds)
    return filters


class _ProgressLine:
    """Reports how many complaints a long run has read, on standard error, at most once a second."""

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self._started = self._last = time.monotonic()
        self.reported = False

    def __call__(self, read: int) -> None:
        now = time.monotonic()
        if now - self._last >= _PROGRESS_SECONDS:
            self._last = now
            self.reported = True
            print(f"lapor stats: {read:,} complaints read ({now - self._started:.0f} s)", file=self._err)


def _stats(args: argparse.Namespace, out: TextIO) -> int:
    from lapor_core.desk import ComplaintDesk  # noqa: PLC0415
    from lapor_core.errors import LaporError  # noqa: PLC0415
    from lapor_core.stores import open_store  # noqa: PLC0415
    from lapor_core.stores._registry import SQL_SCHEMES  # noqa: PLC0415

    principal = _stats_principal(args.as_)
    filters = _stats_filters(args)
    progress = _ProgressLine(sys.stderr)
    scheme = args.url.partition("://")[0].lower()
    try:
        # Read an existing database only: never create or migrate one to count it.
        store = open_store(args.url, schema="check") if scheme in SQL_SCHEMES else open_store(args.url)
        # No key is checked here, so a throwaway pepper serves when none is configured.
        pepper = os.environ.get("LAPOR_PEPPER") or secrets.token_bytes(32)
        desk = ComplaintDesk(store=store, pepper=pepper)
    except LaporError as e:
        raise _UsageError(str(e)) from None
    try:
        rows = desk.stats(
            principal,
            group_by=args.by,
            filters=filters,
            include_sla=args.sla,
            progress=progress,
        )
    except LaporError as e:
        raise _UsageError(str(e)) from None
    finally:
        desk.dispose()
    if progress.reported:
        print("lapor stats: done", file=sys.stderr)
    _STATS_WRITERS[args.format](rows, out)
    return 0


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _stats_table(rows: list[dict[str, object]], out: TextIO) -> None:
    if not rows:
        print("(no complaints)", file=out)
        return
    marked = any(row["suppressed"] for row in rows)
    columns = [key for key in rows[0] if key != "suppressed"]

    def text(row: dict[str, object], key: str) -> str:
        if key == "count" and marked:  # a trailing mark column keeps the digits aligned
            return _cell(row[key]) + ("*" if row["suppressed"] else " ")
        return _cell(row[key])

    cells = [[text(row, key) for key in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]
    numeric = [
        any(isinstance(row[key], int | float) and not isinstance(row[key], bool) for row in rows)
        for key in columns
    ]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for line in cells:
        shown = (c.rjust(w) if n else c.ljust(w) for c, w, n in zip(line, widths, numeric, strict=True))
        print("  ".join(shown).rstrip(), file=out)
    if marked:
        print("* some confidential complaints of this group are not counted: fewer than 10 to show", file=out)


def _stats_csv(rows: list[dict[str, object]], out: TextIO) -> None:
    if not rows:
        return
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)


def _stats_json(rows: list[dict[str, object]], out: TextIO) -> None:
    json.dump(rows, out, ensure_ascii=False, indent=1)
    print(file=out)


_STATS_WRITERS: Mapping[str, Callable[[list[dict[str, object]], TextIO], None]] = MappingProxyType(
    {
        "table": _stats_table,
        "csv": _stats_csv,
        "json": _stats_json,
    }
)


def _deliver(args: argparse.Namespace, out: TextIO) -> int:
    try:
        return _cli_deliver.run(args, out)
    except _cli_deliver.DeliverUsageError as e:
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

    db = sub.add_parser("db", help="create or upgrade a database's lapor_core schema (Alembic migrations)")
    db.add_argument("action", choices=("upgrade", "current"), help="upgrade the schema, or show its revision")
    db.add_argument(
        "url", help="SQLAlchemy URL: sqlite:///lapor.db, postgresql+psycopg://..., mysql+pymysql://..."
    )
    db.add_argument("--revision", default="head", help="target revision (default: head)")
    db.add_argument("--sql", action="store_true", help="print the SQL script instead of running it")
    db.set_defaults(handler=_db, parser=db)

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

    stats = sub.add_parser(
        "stats",
        help="complaint counts by region, topic, status... from a store",
        description="Count the complaints of the store at URL by the --by keys, as the --as principal may "
        "see them (by default the public: confidential complaints only in groups of at least 10).",
    )
    stats.add_argument("url", metavar="URL", help="store URL, e.g. sqlite:///lapor.db")
    stats.add_argument(
        "--by",
        default="province",
        help="comma-separated group keys: province (default), regency, topic, status, institution, kind, "
        "channel, month",
    )
    stats.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output (table)")
    stats.add_argument(
        "--as",
        dest="as_",
        default="public",
        metavar="WHO",
        help="public (default), admin, supervisor or institution:CODE",
    )
    stats.add_argument(
        "--sla", action="store_true", help="add service levels per group (reads every complaint)"
    )
    for name in _STATS_FILTERS:
        stats.add_argument(
            f"--{name}", action="append", metavar=name.upper(), help=f"only this {name} (repeatable)"
        )
    stats.add_argument("--region", help="only complaints located in this region (code)")
    stats.add_argument("--from", dest="start", metavar="DATE", help="submitted on or after this date (WIB)")
    stats.add_argument("--to", dest="end", metavar="DATE", help="submitted on or before this date (WIB)")
    stats.set_defaults(handler=_stats, parser=stats)

    deliver = sub.add_parser(
        "deliver",
        help="send the queued notifications by e-mail and webhooks; dead letters",
        description="Drain the outbox of the store at URL: claim, render under each complaint's current "
        "flags, send, acknowledge; temporary failures are retried later, permanent ones dead-lettered. "
        "Exit status 1 when a message was dead-lettered in this run.",
    )
    _cli_deliver.add_arguments(deliver)
    deliver.set_defaults(handler=_deliver, parser=deliver)
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
