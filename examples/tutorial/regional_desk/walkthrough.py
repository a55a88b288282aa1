"""One complaint's whole life on the regency's desk, as the tutorial tells it, on a frozen clock.

Run it with a mail relay listening on 127.0.0.1:8025 (``python -m aiosmtpd -n -l 127.0.0.1:8025`` in another
terminal prints what arrives)::

    python -m regional_desk.walkthrough sqlite:///gowa-tutorial.db
"""

from __future__ import annotations

import re
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

import lapor_core as lc
from lapor_core.testing import FrozenClock
from regional_desk.settings import REGENCY, open_desk
from regional_desk.web import WsgiApp, make_app

WITA = ZoneInfo("Asia/Makassar")
ADMIN = lc.Principal.admin("pengelola-1")  # the regency's LAPOR! administrator (pengelola)
OFFICER = lc.Principal.institution_officer("sekda-3", institution=REGENCY)
PUPR = lc.Principal.unit_officer("pupr-8", institution=REGENCY, unit="dinas-pupr")


class QuietHandler(WSGIRequestHandler):
    """wsgiref's handler without its line per request on standard error."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Log nothing."""


@contextmanager
def serving(app: WsgiApp) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a thread; yield its base URL."""
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def post(url: str, fields: dict[str, str]) -> str:
    """POST a form as a browser does; the page's HTML."""
    request = urllib.request.Request(url, data=urlencode(fields).encode(), method="POST")  # noqa: S310 - http only
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own local server
        return str(response.read().decode("utf-8"))


def output(page: str, name: str) -> str:
    """The text of ``<output id="name">`` on a page."""
    found = re.search(rf'<output id="{name}">([^<]*)</output>', page)
    if found is None:
        raise LookupError(f"no {name} on the page")
    return found.group(1)


def citizen_submits(base_url: str) -> tuple[str, str]:
    """A resident of Somba Opu reports a pothole through the form; the receipt's ID and key."""
    receipt = post(
        f"{base_url}/lapor",
        {
            "token": "tutorial-form-token-1",
            "judul": "Jalan berlubang di Jl. Poros Malino",
            "isi": "Lubang besar di depan pasar, sudah dua motor jatuh minggu ini.",
            "kecamatan": "73.06.08",
            "nama": "Andi Rahman",
            "email": "andi.rahman@example.id",
        },
    )
    return output(receipt, "tracking-id"), output(receipt, "access-key")


def admin_verifies(desk: lc.ComplaintDesk, tracking_id: str) -> lc.ComplaintView:
    """The administrator checks the report, files it under roads and forwards it to the regency."""
    return desk.forward(ADMIN, tracking_id, institution=REGENCY, category="roads-bridges")


def regency_handles(desk: lc.ComplaintDesk, tracking_id: str) -> lc.ComplaintView:
    """The regency passes it to its public-works office, which reports what it did."""
    desk.assign(OFFICER, tracking_id, "dinas-pupr")
    return desk.follow_up(PUPR, tracking_id, "Lubang sudah ditambal pada 12 Agustus; mohon dicek.")


def reporter_checks(base_url: str, tracking_id: str, access_key: str) -> str:
    """The reporter opens their complaint with the tracking ID and key; the reporter-facing status."""
    return output(post(f"{base_url}/lacak", {"nomor": tracking_id, "kunci": access_key}), "status")


def sweep_after_ten_working_days(desk: lc.ComplaintDesk, clock: FrozenClock) -> tuple[lc.SweepReport, ...]:
    """The sweep the evening before the deadline, then just after it: the second one closes."""
    clock.set(datetime(2026, 8, 28, 16, 0, tzinfo=WITA))  # Friday: the 10th working day is not over
    before = desk.sweep()
    clock.set(datetime(2026, 8, 29, 0, 5, tzinfo=WITA))  # 00:05 WITA on Saturday
    return before, desk.sweep()


def public_statistics(base_url: str) -> str:
    """The public counts page."""
    with urllib.request.urlopen(f"{base_url}/statistik", timeout=10) as response:  # noqa: S310 - local
        return str(response.read().decode("utf-8"))


def run(url: str, *, pepper: str, smtp: tuple[str, int], say: Callable[[str], object] = print) -> str:
    """The whole story on the database at ``url``; returns the complaint's tracking ID."""
    clock = FrozenClock(datetime(2026, 8, 10, 9, 0, tzinfo=WITA))  # Monday 10 August 2026, 09:00 WITA
    with open_desk(url, pepper=pepper, clock=clock, smtp=smtp) as desk:
        app = make_app(desk, client_secret=b"tutorial client secret")
        with serving(app) as base_url:
            tracking_id, access_key = citizen_submits(base_url)
            say(f"submitted {tracking_id}")
            clock.advance(hours=1, minutes=30)
            say(f"forwarded: {admin_verifies(desk, tracking_id).status.label()}")
            clock.set(datetime(2026, 8, 12, 14, 0, tzinfo=WITA))
            view = regency_handles(desk, tracking_id)
            closing = view.current_deadlines[0]
            say(f"followed up; the {closing.stage} clock ends at {closing.due_at}")
            say(f"the reporter reads: {reporter_checks(base_url, tracking_id, access_key)}")
            before, after = sweep_after_ten_working_days(desk, clock)
            say(f"sweep on Friday closed {len(before.closed)}; after midnight {len(after.closed)}")
            say(f"the reporter reads: {reporter_checks(base_url, tracking_id, access_key)}")
            report = desk.deliver()
            say(f"e-mails sent {len(report.sent)}, dead letters {len(report.dead_lettered)}")
            say(public_statistics(base_url))
    return tracking_id


if __name__ == "__main__":
    run(sys.argv[1], pepper="tutorial pepper: never use this one", smtp=("127.0.0.1", 8025))
