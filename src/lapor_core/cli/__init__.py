"""The ``lapor`` command line: ``lapor demo``, ``due``, ``calendar``, ``stats``, ``deliver``, ``sweep``, ...

This module assembles the parser and runs :func:`main`; each command group lives in its own module
(``_calendar``: due and calendar, ``_stats``, ``_db``, ``_deliver``, ``_sweep``, ``_integrations``, ``_demo``:
demo and tour; ``_text``: the console, exit statuses and number parsing they share). A subcommand is a small
function taking the parsed arguments and a :class:`~lapor_core.cli._text.Console` (output, error stream,
locale), so tests call :func:`main` with an argument list and read what it printed.

Every line a person reads comes from the message catalogue, in Indonesian unless ``--lang en``; help texts
(``--help``) stay English, as argparse writes its own parts of them in English. Every failure is one line on
standard error and an exit status:

- 0: done; 1: finished with failures to look at (dead letters, complaints a sweep could not save);
- 2: bad usage or input; 3: configuration or storage;
- 4: an internal error (a bug); 130: interrupted; 141: the reader of the output went away (``| head``).

``LAPOR_DEBUG=1`` in the environment lets an internal error's traceback through, for a bug report.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from lapor_core import _i18n
from lapor_core._i18n import N_
from lapor_core.cli import _calendar, _db, _deliver, _demo, _integrations, _stats, _sweep
from lapor_core.cli._text import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CliError,
    Console,
    exit_status_of,
    one_line,
)
from lapor_core.errors import LaporError

__all__ = ["build_parser", "main"]

Command = Callable[[argparse.Namespace, Console], int]

DEBUG_ENV = "LAPOR_DEBUG"
"""Set to ``1`` to let an internal error's traceback through instead of its one-line report."""


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


_LANG_HELP = "language of the output and of errors: id (Indonesian, default) or en"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``lapor`` command.

    Its refusals raise an internal exception that :func:`main` reports as one line (exit status 2), rather
    than printing usage and exiting as argparse does.
    """
    parser = _Parser(
        prog="lapor",
        description="SP4N-LAPOR! complaint handling toolkit. Exit status: 0 done, 1 finished with failures "
        "(dead letters, complaints a sweep could not save), 2 bad usage or input, 3 configuration or "
        "storage, 4 internal error.",
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

    demo = command("demo", _demo.demo, help="simulate a month of LAPOR! traffic and print an SLA report")
    _demo.add_demo_arguments(demo)

    db = command("db", _db.run, help="create or upgrade a database's lapor_core schema (Alembic migrations)")
    _db.add_arguments(db)

    tour = command("tour", _demo.tour, help="show tracking IDs, access keys and validation errors")
    _demo.add_tour_arguments(tour)

    due = command(
        "due",
        _calendar.due,
        help="when N working days after an instant end",
        description="Print the instant (ISO 8601) the N-th working day after START's local date ends: "
        "00:00 local time of the next day, on the Indonesian government calendar.",
    )
    _calendar.add_due_arguments(due)

    calendar = command(
        "calendar",
        _calendar.calendar,
        help="a year's holidays on working days and its working-day count",
        description="List the year's public holidays and cuti bersama that fall on working weekdays, "
        "then the number of working days.",
    )
    _calendar.add_calendar_arguments(calendar)

    stats = command(
        "stats",
        _stats.run,
        help="complaint counts by region, topic, status... from a store",
        description="Count the complaints of the store at URL by the --by keys, as the --as principal may "
        "see them (by default the public: confidential complaints only in groups of at least 10).",
    )
    _stats.add_arguments(stats)

    deliver = command(
        "deliver",
        _deliver.run,
        help="send the queued notifications by e-mail and webhooks; dead letters",
        description="Drain the outbox of the store at URL: claim, render under each complaint's current "
        "flags, send, acknowledge; temporary failures are retried later, permanent ones dead-lettered. "
        "Exit status 1 when a message was dead-lettered in this run.",
    )
    _deliver.add_arguments(deliver)

    sweep = command(
        "sweep",
        _sweep.run,
        help="close quiet complaints, record breaches, send reminders: the periodic sweep",
        description="Handle every complaint of the store at URL whose next deadline has passed, in batches: "
        "close those a follow-up left unanswered, record breaches, queue reminders. A line per batch on "
        "standard error, a summary on standard output. Exit status 1 when a complaint could not be saved "
        "(the next sweep retries it).",
    )
    _sweep.add_arguments(sweep)

    integrations = command(
        "integrations",
        _integrations.run,
        help="connect institutions' own systems: add, rotate, list, remove their credentials; prune events",
        description="Manage the institution systems connected to the store at URL. add and rotate print "
        "the institution's secret once, alone on standard output (derived under $LAPOR_PEPPER, not stored); "
        "list never shows one.",
    )
    _integrations.add_arguments(integrations)
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
