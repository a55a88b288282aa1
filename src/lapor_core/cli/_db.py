"""``lapor db``: create or upgrade the lapor_core schema of a database (Alembic), or show its revision."""

from __future__ import annotations

import argparse

from lapor_core._i18n import N_
from lapor_core.cli._text import EXIT_OK, Console

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor db``'s arguments to its subparser."""
    parser.add_argument(
        "action", choices=("upgrade", "current"), help="upgrade the schema, or show its revision"
    )
    parser.add_argument(
        "url", help="SQLAlchemy URL: sqlite:///lapor.db, postgresql+psycopg://..., mysql+pymysql://..."
    )
    parser.add_argument(
        "--revision", default="head", help="target revision: head (default) or 0001, 0002, ..."
    )
    parser.add_argument("--sql", action="store_true", help="print the SQL script instead of running it")


def run(args: argparse.Namespace, console: Console) -> int:
    """``lapor db upgrade|current URL``: migrate the schema (or print the script), or show its revision."""
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
