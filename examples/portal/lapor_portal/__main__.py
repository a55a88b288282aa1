"""``python -m lapor_portal``: serve the portal on 127.0.0.1, optionally on a freshly seeded SQLite database.

The tokens and keys the demonstration needs are drawn from :mod:`secrets` at every start and printed, with
how to sign in as each role; nothing of the kind is built into the code.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import uvicorn

import lapor_core as lc
from lapor_core.stores.memory import InMemoryPollStore
from lapor_portal.accounts import DEMO_ACCOUNTS
from lapor_portal.app import create_app
from lapor_portal.notes import SqliteNoteStore
from lapor_portal.seed import SeedReport, seed
from lapor_portal.settings import PortalSettings, installed_leaflet

__all__ = ["main"]

DEMO_PEPPER = "lapor_portal demonstration pepper; set LAPOR_PEPPER in a deployment"


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lapor_portal", description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("build/portal/portal.db"), help="the SQLite file")
    parser.add_argument("--seed-db", action="store_true", help="replace the database with demonstration data")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000)
    return parser.parse_args(argv)


def _explain(out: TextIO, base: str, settings: PortalSettings, report: SeedReport | None) -> None:
    """Print where the portal is and how to use each role."""
    tokens = {account: token for token, account in settings.api_tokens.items()}
    print(f"\nLAPOR! Daerah example portal on {base}/", file=out)
    print(f"Sign in at {base}/masuk by choosing a role (demonstration sign-in):", file=out)
    for account in settings.accounts:
        where = (
            f" ({account.institution}{'/' + account.unit if account.unit else ''})"
            if account.institution
            else ""
        )
        print(f"  - {account.name}{where}: JSON API bearer token {tokens[account.key]}", file=out)
    print(
        f"Open311 GeoReport v2: {base}/open311/v2/discovery.xml, api_key {min(settings.open311_api_keys)}",
        file=out,
    )
    print(f"JSON API: {base}/api/v1/complaints (schema {base}/openapi.json)", file=out)
    if report is not None:
        counts = ", ".join(f"{status.value} {len(ids)}" for status, ids in sorted(report.by_status.items()))
        receipt = report.receipt(lc.Status.FOLLOWED_UP)
        print(
            f"Seeded complaints: {counts}; polls: {base}/jajak-pendapat (one closed, one running)", file=out
        )
        print(
            f"Try the reporter's view at {base}/lacak: ID {receipt.tracking_id}, key {receipt.access_key}",
            file=out,
        )
    print("Stop with Ctrl+C.\n", file=out)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> None:
    """Seed if asked, print how to sign in as each role, then serve until interrupted."""
    args = _arguments(argv)
    pepper = os.environ.get("LAPOR_PEPPER") or DEMO_PEPPER
    url = f"sqlite:///{args.db}"
    # lapor_core keeps polls in their own store, in memory by default: they live as long as this process.
    poll_store = InMemoryPollStore()
    report = None
    if args.seed_db:
        args.db.parent.mkdir(parents=True, exist_ok=True)
        args.db.unlink(missing_ok=True)
        report = seed(url, pepper=pepper, poll_store=poll_store)
    settings = PortalSettings(
        api_tokens={secrets.token_urlsafe(16): account.key for account in DEMO_ACCOUNTS},
        open311_api_keys={secrets.token_urlsafe(16)},
        leaflet_dir=installed_leaflet(),
    ).with_tiles_from(os.environ)
    notes_file = args.db.with_name(f"{args.db.stem}-notes.db")  # staff's internal notes
    if args.seed_db:
        notes_file.unlink(missing_ok=True)
    notes_file.parent.mkdir(parents=True, exist_ok=True)
    notes = SqliteNoteStore(notes_file)
    app = create_app(url, pepper=pepper, settings=settings, poll_store=poll_store, notes=notes)
    _explain(out, f"http://{args.host}:{args.port}", settings, report)
    # No access log: it would store every visitor's IP address and user agent.
    uvicorn.run(
        app, host=args.host, port=args.port, access_log=False, server_header=False, proxy_headers=False
    )


if __name__ == "__main__":
    main()
