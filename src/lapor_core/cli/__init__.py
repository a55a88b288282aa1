"""The ``lapor`` command line: ``lapor demo``, ``due``, ``calendar``, ``stats``, ``deliver``, ...

Each subcommand is a small function taking the parsed arguments and a :class:`~lapor_core.cli._text.Console`
(output, error stream, locale), so tests call :func:`main` with an argument list and read what it printed.

Every line a person reads comes from the message catalogue, in Indonesian unless ``--lang en``; help texts
(``--help``) stay English, as argparse writes its own parts of them in English. Every failure is one line on
standard error and an exit status:

- 0: done; 1: finished with failures to look at (dead letters);
- 2: bad usage or input; 3: configuration or storage;
- 4: an internal error (a bug); 130: interrupted; 141: the reader of the output went away (``| head``).

``LAPOR_DEBUG=1`` in the environment lets an internal error's traceback through, for a bug report.
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
from typing import TYPE_CHECKING, NoReturn, TextIO

from lapor_core import _i18n
from lapor_core._i18n import N_
from lapor_core.cli import _deliver as _cli_deliver
from lapor_core.cli._text import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    Console,
    exit_status_of,
    one_line,
    whole_number,
)
from lapor_core.errors import LaporError

if TYPE_CHECKING:
    from lapor_core._domain.access import Principal
    from lapor_core._domain.calendar import Lang, WorkingCalendar

__all__ = ["build_parser", "main"]

Command = Callable[[argparse.Namespace, Console], int]

DEBUG_ENV = "LAPOR_DEBUG"
"""Set to ``1`` to let an internal error's traceback through instead of its one-line report."""

_MAX_DUE_DAYS = 3650
_MAX_SEED = 2**32 - 1


class _ArgumentsRefused(Exception):
    """The command line was refused while parsing; ``prog`` names the (sub)command.

    ``code`` is the catalogue's text, given ``detail``: argparse's own message (English) for what argparse
    refuses, the arguments themselves for those no subcommand takes.
    """

    def __init__(self, prog: str, detail: str, code: str = N_("cli.usage_error")) -> None:
        super().__init__(detail)
        self.prog = prog
        self.detail = detail
        self.code = code


class _ParserExit(Exception):
    """argparse finished on its own (``--help``) with ``status``."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports refusals to :func:`main` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise _ArgumentsRefused(self.prog, message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        del message  # argparse passes one only from error(), which never gets here
        raise _ParserExit(status)


def _demo(args: argparse.Namespace, console: Console) -> int:
    from lapor_core._demo.tour import run_demo  # noqa: PLC0415 - keep `lapor --help` fast

    seed = whole_number(args.seed, "--seed", 0, _MAX_SEED)
    return run_demo(seed=seed, out=console.out, url=args.url)


def _db(args: argparse.Namespace, console: Console) -> int:
    from lapor_core.stores import sql  # noqa: PLC0415 - SQLAlchemy loads only for database commands

    if args.action == "current":
        store = sql.SqlComplaintStore(args.url, schema="skip")
        try:
            current = store.schema_revision()
        finally:
            store.close()
        if current is None:
            console.say(N_("cli.db.no_schema"), needed=sql.SCHEMA_REVISION)
        else:
            console.say(N_("cli.db.current"), revision=current, needed=sql.SCHEMA_REVISION)
        return EXIT_OK
    script = sql.upgrade(args.url, revision=args.revision, sql=args.sql)
    if args.sql:
        print(script, file=console.out)
    else:
        console.say(N_("cli.db.upgraded"), revision=args.revision)
    return EXIT_OK


def _tour(args: argparse.Namespace, console: Console) -> int:
    from lapor_core._demo.tour import run_tour  # noqa: PLC0415 - see _demo

    return run_tour(seed=whole_number(args.seed, "--seed", 0, _MAX_SEED), out=console.out)


def _due(args: argparse.Namespace, console: Console) -> int:
    from lapor_core._domain.calendar import MAX_YEAR  # noqa: PLC0415 - see _demo

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
    calendar = _calendar(args, first_year, last_year)
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


def _calendar_command(args: argparse.Namespace, console: Console) -> int:
    from lapor_core._domain.calendar import MAX_YEAR, format_workweek  # noqa: PLC0415 - see _demo

    year = whole_number(args.year, "YEAR", 1, MAX_YEAR)
    lang: Lang = "en" if console.locale == "en" else "id"
    calendar = _calendar(args, year, year)
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


def _calendar(args: argparse.Namespace, first_year: int, last_year: int) -> WorkingCalendar:
    from lapor_core._domain.calendar import WorkingCalendar  # noqa: PLC0415 - see _demo

    return WorkingCalendar.indonesia(
        args.tz,
        collective_leave=not args.no_collective_leave,
        workweek=args.workweek,
        first_year=first_year,
        last_year=last_year,
    )


_STATS_FILTERS = ("status", "institution", "category", "kind", "channel")
_PROGRESS_SECONDS = 1.0
"""Progress is reported on standard error at most this often, and only for runs that last longer."""

_STATS_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "province": N_("cli.stats.column.province"),
        "regency": N_("cli.stats.column.regency"),
        "topic": N_("cli.stats.column.topic"),
        "status": N_("cli.stats.column.status"),
        "institution": N_("cli.stats.column.institution"),
        "kind": N_("cli.stats.column.kind"),
        "channel": N_("cli.stats.column.channel"),
        "month": N_("cli.stats.column.month"),
        "count": N_("cli.stats.column.count"),
        "sla_count": N_("cli.stats.column.sla_count"),
        "forwarded_on_time": N_("cli.stats.column.forwarded_on_time"),
        "followed_up_on_time": N_("cli.stats.column.followed_up_on_time"),
        "median_days_to_follow_up": N_("cli.stats.column.median_days_to_follow_up"),
        "open_breaches": N_("cli.stats.column.open_breaches"),
    }
)
"""The table's column headings; CSV and JSON keep the keys, which programs read."""


def _stats_principal(text: str) -> Principal:
    from lapor_core._domain.access import Principal  # noqa: PLC0415 - see _demo

    if text == "public":
        return Principal.public()
    if text == "admin":
        return Principal.admin("lapor-cli")
    if text == "supervisor":
        return Principal.supervisor("lapor-cli")
    role, _, code = text.partition(":")
    if role == "institution" and code:
        return Principal.institution("lapor-cli", institution=code)
    raise CliError(N_("cli.stats.bad_principal"))


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
            raise CliError(N_("cli.stats.bad_date")) from None
        filters["period"] = tuple(bounds)
    return filters


class _ProgressLine:
    """Reports how many complaints a long run has read, on standard error, at most once a second."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._started = self._last = time.monotonic()
        self.reported = False

    def __call__(self, read: int) -> None:
        now = time.monotonic()
        if now - self._last >= _PROGRESS_SECONDS:
            self._last = now
            self.reported = True
            self._console.note(N_("cli.stats.progress"), read=read, seconds=round(now - self._started))


def _stats(args: argparse.Namespace, console: Console) -> int:
    from lapor_core.desk import ComplaintDesk  # noqa: PLC0415
    from lapor_core.stores import open_store  # noqa: PLC0415
    from lapor_core.stores._registry import SQL_SCHEMES  # noqa: PLC0415

    principal = _stats_principal(args.as_)
    filters = _stats_filters(args)
    progress = _ProgressLine(console)
    scheme = args.url.partition("://")[0].lower()
    # Read an existing database only: never create or migrate one to count it.
    store = open_store(args.url, schema="check") if scheme in SQL_SCHEMES else open_store(args.url)
    # No key is checked here, so a throwaway pepper serves when none is configured.
    pepper = os.environ.get("LAPOR_PEPPER") or secrets.token_bytes(32)
    desk = ComplaintDesk(store=store, pepper=pepper)
    try:
        rows = desk.stats(
            principal,
            group_by=args.by,
            filters=filters,
            include_sla=args.sla,
            progress=progress,
        )
    finally:
        desk.dispose()
    if progress.reported:
        console.note(N_("cli.stats.done"))
    _STATS_WRITERS[args.format](rows, console)
    return EXIT_OK


def _cell(value: object, console: Console) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return console.number(round(value, 2))
    if isinstance(value, int):
        return console.number(value)
    return str(value)


def _stats_table(rows: list[dict[str, object]], console: Console) -> None:
    if not rows:
        console.say(N_("cli.stats.no_complaints"))
        return
    marked = any(row["suppressed"] for row in rows)
    columns = [key for key in rows[0] if key != "suppressed"]
    headings = [console.text(_STATS_COLUMNS[key]) if key in _STATS_COLUMNS else key for key in columns]

    def text(row: dict[str, object], key: str) -> str:
        if key == "count" and marked:  # a trailing mark column keeps the digits aligned
            return _cell(row[key], console) + ("*" if row["suppressed"] else " ")
        return _cell(row[key], console)

    cells = [[text(row, key) for key in columns] for row in rows]
    widths = [max(len(heading), *(len(line[i]) for line in cells)) for i, heading in enumerate(headings)]
    numeric = [
        any(isinstance(row[key], int | float) and not isinstance(row[key], bool) for row in rows)
        for key in columns
    ]
    out = console.out
    print("  ".join(c.ljust(w) for c, w in zip(headings, widths, strict=True)).rstrip(), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for line in cells:
        shown = (c.rjust(w) if n else c.ljust(w) for c, w, n in zip(line, widths, numeric, strict=True))
        print("  ".join(shown).rstrip(), file=out)
    if marked:
        console.say(N_("cli.stats.suppressed_note"), min=10)


def _stats_csv(rows: list[dict[str, object]], console: Console) -> None:
    if not rows:
        return
    writer = csv.DictWriter(console.out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)


def _stats_json(rows: list[dict[str, object]], console: Console) -> None:
    json.dump(rows, console.out, ensure_ascii=False, indent=1)
    print(file=console.out)


_STATS_WRITERS: Mapping[str, Callable[[list[dict[str, object]], Console], None]] = MappingProxyType(
    {
        "table": _stats_table,
        "csv": _stats_csv,
        "json": _stats_json,
    }
)


def _add_calendar_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tz", default="Asia/Jakarta", help="IANA time zone of the office (default Asia/Jakarta, WIB)"
    )
    parser.add_argument("--workweek", default="Mon-Fri", help="working weekdays (default Mon-Fri)")
    parser.add_argument(
        "--no-collective-leave", action="store_true", help="count cuti bersama as working days"
    )


_LANG_HELP = "language of the output and of errors: id (Indonesian, default) or en"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``lapor`` command.

    Its refusals raise an internal exception that :func:`main` reports as one line (exit status 2), rather
    than printing usage and exiting as argparse does.
    """
    parser = _Parser(
        prog="lapor",
        description="SP4N-LAPOR! complaint handling toolkit. Exit status: 0 done, 1 finished with failures "
        "(dead letters), 2 bad usage or input, 3 configuration or storage, 4 internal error.",
    )
    # Both `lapor --lang en stats ...` and `lapor stats ... --lang en`: a subcommand sets it only if given.
    parser.add_argument("--lang", choices=_i18n.LOCALES, help=_LANG_HELP)
    common = _Parser(add_help=False)
    common.add_argument("--lang", choices=_i18n.LOCALES, default=argparse.SUPPRESS, help=_LANG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(
        name: str,
        handler: Command,
        *,
        help: str,  # noqa: A002 - argparse's name for it
        description: str | None = None,
    ) -> argparse.ArgumentParser:
        subparser = sub.add_parser(name, parents=[common], help=help, description=description)
        subparser.set_defaults(handler=handler, parser=subparser)
        return subparser

    demo = command("demo", _demo, help="simulate a month of LAPOR! traffic and print an SLA report")
    demo.add_argument("--seed", default="2026", help="random seed (default 2026)")
    demo.add_argument(
        "--url",
        default="sqlite:///build/demo/lapor-demo.db",
        help="store URL (default: a fresh SQLite file build/demo/lapor-demo.db)",
    )

    db = command("db", _db, help="create or upgrade a database's lapor_core schema (Alembic migrations)")
    db.add_argument("action", choices=("upgrade", "current"), help="upgrade the schema, or show its revision")
    db.add_argument(
        "url", help="SQLAlchemy URL: sqlite:///lapor.db, postgresql+psycopg://..., mysql+pymysql://..."
    )
    db.add_argument("--revision", default="head", help="target revision: head (default) or 0001, 0002, ...")
    db.add_argument("--sql", action="store_true", help="print the SQL script instead of running it")

    tour = command("tour", _tour, help="show tracking IDs, access keys and validation errors")
    tour.add_argument("--seed", default="2026", help="random seed (default 2026)")

    due = command(
        "due",
        _due,
        help="when N working days after an instant end",
        description="Print the instant (ISO 8601) the N-th working day after START's local date ends: "
        "00:00 local time of the next day, on the Indonesian government calendar.",
    )
    due.add_argument("start", metavar="START", help="aware ISO date-time, e.g. 2026-03-17T10:00+07:00")
    due.add_argument("days", metavar="N", help=f"number of working days, 0 to {_MAX_DUE_DAYS}")
    _add_calendar_options(due)

    calendar = command(
        "calendar",
        _calendar_command,
        help="a year's holidays on working days and its working-day count",
        description="List the year's public holidays and cuti bersama that fall on working weekdays, "
        "then the number of working days.",
    )
    calendar.add_argument("year", metavar="YEAR", help="the year, e.g. 2026")
    _add_calendar_options(calendar)

    stats = command(
        "stats",
        _stats,
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

    deliver = command(
        "deliver",
        _cli_deliver.run,
        help="send the queued notifications by e-mail and webhooks; dead letters",
        description="Drain the outbox of the store at URL: claim, render under each complaint's current "
        "flags, send, acknowledge; temporary failures are retried later, permanent ones dead-lettered. "
        "Exit status 1 when a message was dead-lettered in this run.",
    )
    _cli_deliver.add_arguments(deliver)
    return parser


def _requested_locale(argv: Sequence[str]) -> str:
    """The locale ``--lang`` asks for anywhere in ``argv`` (for errors before the command line is parsed)."""
    scan = _Parser(add_help=False)
    scan.add_argument("--lang")
    try:
        known, _ = scan.parse_known_args(argv)
    except _ArgumentsRefused:
        return _i18n.DEFAULT_LOCALE
    return _i18n.locale_for(known.lang)


def _discard_standard_output() -> None:
    """Point standard output at the null device, so that flushing it at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (OSError, ValueError, AttributeError):
        return


def _parse(arguments: list[str]) -> argparse.Namespace:
    args, extras = build_parser().parse_known_args(arguments)
    if extras:  # refused here rather than by argparse, so that the line names the subcommand
        raise _ArgumentsRefused(args.parser.prog, " ".join(extras), N_("cli.unrecognized_arguments"))
    return args


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the ``lapor`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Results go to ``out`` (default: standard output); progress and errors to ``err`` (standard error).
    Every failure is one line on ``err``, in the ``--lang`` locale (Indonesian by default), and an exit
    status: 1 finished with failures (dead letters), 2 bad usage or input, 3 configuration or storage,
    4 an internal error (with ``LAPOR_DEBUG=1`` its traceback is raised instead), 130 interrupted, 141 the
    output was closed early (quietly).
    """
    arguments = sys.argv[1:] if argv is None else list(argv)
    console = Console(
        out=out if out is not None else sys.stdout,
        err=err if err is not None else sys.stderr,
        locale=_requested_locale(arguments),
    )
    prog = "lapor"
    try:
        args = _parse(arguments)
        prog = args.parser.prog
        console = Console(console.out, console.err, _i18n.locale_for(args.lang))
        handler: Command = args.handler
        return handler(args, console)
    except _ParserExit as done:
        return done.status
    except _ArgumentsRefused as refused:
        prog = refused.prog
        line = console.text(refused.code, detail=refused.detail, prog=prog)
        status = EXIT_USAGE
    except CliError as error:
        line, status = error.describe(console.locale), error.status
    except LaporError as error:
        line, status = error.describe(console.locale), exit_status_of(error)
    except KeyboardInterrupt:
        line, status = console.text(N_("cli.interrupted")), EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`lapor stats ... | head`): stop quietly, as other command-line tools do.
        if console.out is sys.__stdout__:
            _discard_standard_output()
        return EXIT_BROKEN_PIPE
    except Exception as error:
        if os.environ.get(DEBUG_ENV, "") not in {"", "0"}:
            raise
        # The kind only: the exception's text may hold data from the store.
        line = console.text(N_("cli.internal_error"), type=type(error).__name__, env=DEBUG_ENV)
        status = EXIT_INTERNAL
    print(one_line(f"{prog}: {line}"), file=console.err)
    return status
