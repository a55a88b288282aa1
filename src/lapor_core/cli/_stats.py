"""``lapor stats URL``: complaint counts from a store, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from lapor_core._i18n import N_
from lapor_core.cli._text import EXIT_OK, CliError, Console

if TYPE_CHECKING:
    from lapor_core._domain.access import Principal

__all__ = ["add_arguments", "run"]


_FILTERS = ("status", "institution", "category", "kind", "channel")
_PROGRESS_SECONDS = 1.0
"""Progress is reported on standard error at most this often, and only for runs that last longer."""

_COLUMNS: Mapping[str, str] = MappingProxyType(
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
        "merged": N_("cli.stats.column.merged"),
        "sla_count": N_("cli.stats.column.sla_count"),
        "forwarded_on_time": N_("cli.stats.column.forwarded_on_time"),
        "followed_up_on_time": N_("cli.stats.column.followed_up_on_time"),
        "median_days_to_follow_up": N_("cli.stats.column.median_days_to_follow_up"),
        "open_breaches": N_("cli.stats.column.open_breaches"),
    }
)
"""The table's column headings; CSV and JSON keep the keys, which programs read."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor stats``'s arguments to its subparser."""
    parser.add_argument("url", metavar="URL", help="store URL, e.g. sqlite:///lapor.db")
    parser.add_argument(
        "--by",
        default="province",
        help="comma-separated group keys: province (default), regency, topic, status, institution, kind, "
        "channel, month",
    )
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output (table)")
    parser.add_argument(
        "--as",
        dest="as_",
        default="public",
        metavar="WHO",
        help="public (default), admin, supervisor or institution:CODE",
    )
    parser.add_argument(
        "--sla", action="store_true", help="add service levels per group (reads every complaint)"
    )
    for name in _FILTERS:
        parser.add_argument(
            f"--{name}", action="append", metavar=name.upper(), help=f"only this {name} (repeatable)"
        )
    parser.add_argument("--region", help="only complaints located in this region (code)")
    parser.add_argument("--from", dest="start", metavar="DATE", help="submitted on or after this date (WIB)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="submitted on or before this date (WIB)")


def _principal(text: str) -> Principal:
    from lapor_core._domain.access import Principal  # noqa: PLC0415 - the desk loads only when counting

    if text == "public":
        return Principal.public()
    if text == "admin":
        return Principal.admin("lapor-cli")
    if text == "supervisor":
        return Principal.supervisor("lapor-cli")
    role, _, code = text.partition(":")
    if role == "institution" and code:
        return Principal.institution_officer("lapor-cli", institution=code)
    raise CliError(N_("cli.stats.bad_principal"))


def _filters(args: argparse.Namespace) -> dict[str, object]:
    filters: dict[str, object] = {
        name: values for name in _FILTERS if (values := getattr(args, name)) is not None
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


def run(args: argparse.Namespace, console: Console) -> int:
    """``lapor stats URL``: count a store's complaints by the ``--by`` keys, as ``--as`` may see them."""
    from lapor_core.desk import ComplaintDesk  # noqa: PLC0415
    from lapor_core.stores import SQL_SCHEMES, open_store  # noqa: PLC0415

    principal = _principal(args.as_)
    filters = _filters(args)
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
        desk.close()
    if progress.reported:
        console.note(N_("cli.stats.done"))
    _WRITERS[args.format](rows, console)
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


def _table(rows: list[dict[str, object]], console: Console) -> None:
    if not rows:
        console.say(N_("cli.stats.no_complaints"))
        return
    marked = any(row["suppressed"] for row in rows)
    # The merged column (issue 22) only when something was merged: most tables would show a column of zeros.
    hidden = {"suppressed"} | ({"merged"} if not any(row.get("merged") for row in rows) else set())
    columns = [key for key in rows[0] if key not in hidden]
    headings = [console.text(_COLUMNS[key]) if key in _COLUMNS else key for key in columns]

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


def _csv(rows: list[dict[str, object]], console: Console) -> None:
    if not rows:
        return
    writer = csv.DictWriter(console.out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)


def _json(rows: list[dict[str, object]], console: Console) -> None:
    json.dump(rows, console.out, ensure_ascii=False, indent=1)
    print(file=console.out)


_WRITERS: Mapping[str, Callable[[list[dict[str, object]], Console], None]] = MappingProxyType(
    {
        "table": _table,
        "csv": _csv,
        "json": _json,
    }
)
