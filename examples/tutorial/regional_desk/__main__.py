"""``python -m regional_desk serve|sweep|deliver|recompute URL``: the regency's own commands.

``lapor sweep`` and ``lapor deliver`` open a desk with the default institution directory and calendar; these
open it with the regency's (its units, its hospital's work week, calendar.json) and its address book, so a
deployment with its own configuration schedules these instead. ``recompute`` moves every open complaint's
deadlines after calendar.json changed.
"""

from __future__ import annotations

import argparse
import os
import secrets
from wsgiref.simple_server import make_server

from regional_desk.settings import open_desk
from regional_desk.web import make_app


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status (1 when a complaint or message failed and waits for the next run)."""
    parser = argparse.ArgumentParser(prog="python -m regional_desk")
    parser.add_argument("command", choices=["serve", "sweep", "deliver", "recompute"])
    parser.add_argument("url", help="the database, e.g. sqlite:///var/lib/lapor/gowa.db")
    parser.add_argument("--port", type=int, default=8000, help="serve: the port on 127.0.0.1")
    args = parser.parse_args(argv)
    smtp = os.environ.get("LAPOR_SMTP_RELAY", "127.0.0.1:25").rpartition(":")
    with open_desk(args.url, smtp=(smtp[0], int(smtp[2]))) as desk:
        if args.command == "sweep":
            report = desk.sweep()
            closed, breached = len(report.closed), len(report.breached)
            print(f"closed {closed}, breached {breached}, reminded {len(report.reminded)}")
            return 1 if report.failed else 0
        if args.command == "recompute":
            print(f"deadlines moved: {desk.recompute_deadlines()}")
            return 0
        if args.command == "deliver":
            delivered = desk.deliver()
            print(f"sent {len(delivered.sent)}, retrying {len(delivered.retrying)}")
            return 1 if delivered.dead_lettered else 0
        app = make_app(desk, client_secret=secrets.token_bytes(32))
        with make_server("127.0.0.1", args.port, app) as server:
            print(f"serving on http://127.0.0.1:{args.port}", flush=True)
            server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
