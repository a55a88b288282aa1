"""``lapor integrations add|rotate|list|remove|prune URL [INSTITUTION]``: connect institutions' systems.

``add`` registers an institution (with ``--endpoint`` where its notifications go) and prints its secret once,
alone on standard output so a script can capture it; the store keeps only a salt, and the secret is derived
under the deployment's pepper, so ``LAPOR_PEPPER`` must be the portal's (a missing pepper is exit status 3).
``rotate`` prints a new secret and keeps the previous one valid until ``rotate --finish``; ``list`` prints one
line per institution, never a secret; ``remove`` disconnects one at once; ``prune`` forgets the IDs of events
handled more than ``--days`` ago (7 by default), from cron.
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from typing import TYPE_CHECKING

from lapor_core._i18n import N_
from lapor_core.cli._text import EXIT_CONFIGURATION, EXIT_OK, CliError, Console, whole_number

if TYPE_CHECKING:
    from lapor_core.desk import ComplaintDesk
    from lapor_core.integrations import Integrations

__all__ = ["PEPPER_ENV", "add_arguments", "run"]

_MAX_DAYS = 3650
PEPPER_ENV = "LAPOR_PEPPER"
"""The environment variable holding the deployment's pepper; the secrets are derived under it."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor integrations``'s arguments to its subparser."""
    parser.add_argument(
        "action",
        choices=("add", "rotate", "list", "remove", "prune"),
        help="register an institution's system, rotate or finish rotating its secret, list, remove, or "
        "prune the IDs of handled events older than --days",
    )
    parser.add_argument("url", metavar="URL", help="store URL, e.g. sqlite:///lapor.db")
    parser.add_argument("institution", metavar="INSTITUTION", nargs="?", help="institution code, e.g. 31.71")
    parser.add_argument("--endpoint", metavar="URL", help="add: where the institution's notifications go")
    parser.add_argument("--finish", action="store_true", help="rotate: stop accepting the previous secret")
    parser.add_argument(
        "--days", metavar="N", help=f"prune: keep the events of the last N days, 1 to {_MAX_DAYS} (default 7)"
    )


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``lapor integrations`` with parsed ``args``; return the exit status.

    Raises:
        CliError: No INSTITUTION where one is needed (2), an option of another action (2), or no pepper (3).
        LaporError: The store cannot be opened (3), an unknown or registered institution, a bad endpoint (2).
    """
    if args.action not in {"list", "prune"} and not args.institution:
        raise CliError(N_("cli.integrations.institution_missing"), action=args.action)
    if args.action in {"list", "prune"} and args.institution:
        raise CliError(N_("cli.integrations.option_not_here"), option=args.institution, action=args.action)
    if args.days is not None and args.action != "prune":
        raise CliError(N_("cli.integrations.option_not_here"), option="--days", action=args.action)
    days = whole_number(args.days or "7", "--days", 1, _MAX_DAYS)
    if args.endpoint is not None and args.action != "add":
        raise CliError(N_("cli.integrations.option_not_here"), option="--endpoint", action=args.action)
    if args.finish and args.action != "rotate":
        raise CliError(N_("cli.integrations.option_not_here"), option="--finish", action=args.action)
    pepper = os.environ.get(PEPPER_ENV)
    if not pepper:
        raise CliError(N_("cli.integrations.pepper_missing"), EXIT_CONFIGURATION, env=f"${PEPPER_ENV}")
    desk = _desk(args.url, pepper)
    try:
        return _act(args, _integrations(desk), console, days)
    finally:
        desk.close()


def _act(args: argparse.Namespace, integrations: Integrations, console: Console, days: int) -> int:
    if args.action == "prune":
        before = integrations.now() - timedelta(days=days)
        console.say(N_("cli.integrations.pruned"), count=integrations.prune_events(before), days=days)
        return EXIT_OK
    if args.action == "list":
        listed = integrations.list()
        if not listed:
            console.say(N_("cli.integrations.none"))
        for item in listed:
            console.say(
                N_("cli.integrations.line_rotating") if item.rotating else N_("cli.integrations.line"),
                institution=item.institution,
                endpoint=item.endpoint or "-",
                rotated=item.rotated_at.isoformat(timespec="seconds"),
            )
        return EXIT_OK
    if args.action == "remove":
        integrations.remove(args.institution)
        console.say(N_("cli.integrations.removed"), institution=args.institution)
        return EXIT_OK
    if args.action == "rotate" and args.finish:
        integrations.rotate(args.institution, finish=True)
        console.say(N_("cli.integrations.finished"), institution=args.institution)
        return EXIT_OK
    if args.action == "add":
        credentials = integrations.add(args.institution, endpoint=args.endpoint)
        console.note(N_("cli.integrations.added"), institution=args.institution)
    else:
        rotated = integrations.rotate(args.institution)
        assert rotated is not None  # noqa: S101 - only finishing returns None
        credentials = rotated
        console.note(N_("cli.integrations.rotated"), institution=args.institution)
    print(credentials.secret, file=console.out)
    return EXIT_OK


def _integrations(desk: ComplaintDesk) -> Integrations:
    from lapor_core.integrations import Integrations  # noqa: PLC0415 - keep `lapor --help` fast

    return Integrations(desk)


def _desk(url: str, pepper: str) -> ComplaintDesk:
    from lapor_core.desk import ComplaintDesk  # noqa: PLC0415 - keep `lapor --help` fast
    from lapor_core.stores import SQL_SCHEMES, open_store  # noqa: PLC0415

    scheme = url.partition("://")[0].lower()
    # Register in an existing, current database only: `lapor db upgrade URL` creates or migrates it.
    store = open_store(url, schema="check") if scheme in SQL_SCHEMES else open_store(url)
    return ComplaintDesk(store=store, pepper=pepper)
