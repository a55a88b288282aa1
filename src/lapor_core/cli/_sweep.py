"""``lapor sweep URL``: close quiet complaints, record breaches and send reminders in a store, as of now.

The sweep a deployment runs from cron or a timer (see the operations docs): a line on standard error after
each batch of due complaints, then a summary on standard output, and the complaints it could not save named
with their error code. Those are left for the next run, which retries them; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import os
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from lapor_core._i18n import N_
from lapor_core.cli._text import EXIT_FAILURES, EXIT_OK, CliError, Console

if TYPE_CHECKING:
    from lapor_core._application.sweep import SweepProgress
    from lapor_core._domain.ports import ComplaintStore
    from lapor_core.desk import ComplaintDesk

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor sweep``'s arguments to its subparser."""
    parser.add_argument("url", metavar="URL", help="store URL, e.g. sqlite:///lapor.db")
    parser.add_argument(
        "--now",
        metavar="INSTANT",
        help="judge deadlines at this aware ISO instant, e.g. 2026-06-01T08:00+07:00 (default: the clock, "
        "read again for each batch)",
    )


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``lapor sweep`` with parsed ``args``; return the exit status (1 if a complaint could not be saved).

    Raises:
        CliError: ``--now`` is not an aware ISO instant (exit status 2).
        LaporError: The store cannot be opened, or fails while the sweep reads the due complaints.
    """
    now = _instant(args.now) if args.now is not None else None
    desk = _desk(args.url)
    try:
        report = desk.sweep(now, progress=lambda done: _progress(done, console))
    finally:
        desk.close()
    if report.handled == 0:
        console.say(N_("cli.sweep.nothing_due"))
        return EXIT_OK
    console.say(
        N_("cli.sweep.summary"),
        handled=report.handled,
        closed=len(report.closed),
        breached=len(report.breached),
        reminded=len(report.reminded),
        failed=len(report.failed),
    )
    for tracking_id, code in report.failed:
        console.say(N_("cli.sweep.failed"), tracking_id=tracking_id, error=code)
    if report.failed:
        console.say(N_("cli.sweep.failed_hint"))
        return EXIT_FAILURES
    return EXIT_OK


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(N_("cli.sweep.now_not_iso")) from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise CliError(N_("cli.sweep.now_naive"))
    return instant


def _progress(done: SweepProgress, console: Console) -> None:
    console.note(
        N_("cli.sweep.progress"),
        handled=done.handled,
        closed=done.closed,
        breached=done.breached,
        reminded=done.reminded,
        failed=done.failed,
    )


def _desk(url: str) -> ComplaintDesk:
    from lapor_core.desk import ComplaintDesk  # noqa: PLC0415 - keep `lapor --help` fast
    from lapor_core.stores import SQL_SCHEMES, open_store  # noqa: PLC0415

    scheme = url.partition("://")[0].lower()
    # Sweep an existing database only: never create or migrate one to sweep it.
    store: ComplaintStore = open_store(url, schema="check") if scheme in SQL_SCHEMES else open_store(url)
    # No access key is checked here, so a throwaway pepper serves when none is configured.
    pepper = os.environ.get("LAPOR_PEPPER") or secrets.token_bytes(32)
    return ComplaintDesk(store=store, pepper=pepper)
