"""The tutorial "Build a complaint desk for your region": its package runs end to end, as the page tells it.

The page includes ``examples/tutorial/regional_desk`` with ``literalinclude``; these tests run that code on a
SQLite file, with the web form served on 127.0.0.1 and a real SMTP server (aiosmtpd) receiving the e-mails.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServerProtocol  # noqa: N811 - named for what it is here
from aiosmtpd.smtp import Envelope, Session
from regional_desk import walkthrough
from regional_desk.__main__ import main as desk_command
from regional_desk.settings import REGENCY, load_calendar, load_directory, open_desk
from regional_desk.web import MAX_FORM_BYTES, make_app

import lapor_core as lc
from lapor_core.testing import FrozenClock

HOST = "127.0.0.1"
PEPPER = "tutorial test pepper 0123456789"


class Mailbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SmtpServerProtocol, session: Session, envelope: Envelope
    ) -> str:
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted"


@pytest.fixture
def relay() -> Iterator[tuple[Mailbox, int]]:
    """A plain SMTP relay on a free port of 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = int(probe.getsockname()[1])
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname=HOST, port=port, ready_timeout=10)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A new SQLite file's URL."""
    return f"sqlite:///{tmp_path / 'gowa.db'}"


def call(app: Any, method: str, path: str, fields: dict[str, str] | None = None) -> tuple[str, str]:
    """One request to a WSGI app, in process: the status line and the page."""
    body = urlencode(fields or {}).encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    answer: list[str] = []
    chunks = app(environ, lambda status, headers: answer.append(status))
    return answer[0], b"".join(chunks).decode()


def stored(desk: lc.ComplaintDesk) -> int:
    """How many complaints the desk holds."""
    return sum(int(str(row["count"])) for row in desk.stats(walkthrough.ADMIN))


def test_walkthrough_takes_a_complaint_from_the_form_to_closed_with_every_email(
    url: str, relay: tuple[Mailbox, int]
) -> None:
    """The tutorial's story: submitted on the form, forwarded, followed up, closed by the sweep, mailed."""
    mailbox, port = relay
    said: list[str] = []
    tracking_id = walkthrough.run(url, pepper=PEPPER, smtp=(HOST, port), say=said.append)
    assert said[1:7] == [
        "forwarded: Diteruskan",
        "followed up; the closing clock ends at 2026-08-29 00:00:00+08:00",
        "the reporter reads: Proses",
        "sweep on Friday closed 0; after midnight 1",
        "the reporter reads: Selesai",
        "e-mails sent 8, dead letters 0",
    ]
    assert "<td>Selesai</td><td>1</td>" in said[7]
    received = sorted((str(m["To"]), str(m["Subject"])) for m in mailbox.messages)
    assert received == sorted(
        [
            ("andi.rahman@example.id", f"Laporan {tracking_id} telah diterima"),
            ("pengelola.lapor@gowakab.example", f"Laporan baru {tracking_id} menunggu verifikasi"),
            ("andi.rahman@example.id", f"Laporan {tracking_id} telah diteruskan"),
            ("sekretariat@gowakab.example", f"Laporan baru {tracking_id} untuk Pemerintah Kabupaten Gowa"),
            ("pupr@gowakab.example", f"Disposisi laporan {tracking_id}"),
            ("andi.rahman@example.id", f"Laporan {tracking_id} telah ditindaklanjuti"),
            ("andi.rahman@example.id", f"Laporan {tracking_id} selesai"),
            ("sekretariat@gowakab.example", f"Laporan {tracking_id} ditutup"),
        ]
    )
    with open_desk(url, pepper=PEPPER) as desk:
        assert desk.view(walkthrough.ADMIN, tracking_id).status is lc.Status.CLOSED
        assert desk.verify_history(tracking_id).ok


def test_directory_adds_the_units_and_the_hospital_on_wita() -> None:
    """institutions.json adds Gowa's units and a six-day hospital; both run on Asia/Makassar."""
    directory = load_directory()
    assert [unit.code for unit in directory.units_of(REGENCY)] == ["dinas-pupr", "dinkes", "disdukcapil"]
    hospital = directory.get("rsud-syekh-yusuf")
    assert (hospital.timezone, sorted(hospital.working_weekdays)) == ("Asia/Makassar", [0, 1, 2, 3, 4, 5])
    assert directory.chain_of_superiors("rsud-syekh-yusuf") == ("73.06", "73", "kemendagri")


def test_form_refuses_an_empty_report_naming_each_field_in_indonesian_and_stores_nothing(url: str) -> None:
    """A form without title or body is answered 422 with the library's messages; no complaint is made."""
    with open_desk(url, pepper=PEPPER) as desk:
        app = make_app(desk, client_secret=b"test")
        status, page = call(app, "POST", "/lapor", {"token": "t-1", "judul": " ", "kecamatan": "73.06.08"})
        assert status.startswith("422")
        assert "title: " in page
        assert "body: " in page
        assert stored(desk) == 0


def test_form_submitted_twice_with_one_token_stores_one_complaint(url: str) -> None:
    """A double click sends the same one-time token: the second answer is the first receipt."""
    fields = {"token": "t-2", "judul": "Lampu jalan mati", "isi": "Sejak Senin.", "kecamatan": "73.06.01"}
    with open_desk(url, pepper=PEPPER) as desk:
        app = make_app(desk, client_secret=b"test")
        first, second = call(app, "POST", "/lapor", fields), call(app, "POST", "/lapor", fields)
        assert first == second
        assert stored(desk) == 1


def test_tracking_with_a_wrong_key_or_unknown_id_is_the_same_not_found(url: str) -> None:
    """The reporter's page says 404 for a wrong key exactly as for an ID that does not exist."""
    with open_desk(url, pepper=PEPPER) as desk:
        app = make_app(desk, client_secret=b"test")
        _, receipt = call(app, "POST", "/lapor", {"judul": "Banjir", "isi": "Air setinggi lutut."})
        tracking_id = walkthrough.output(receipt, "tracking-id")
        wrong = call(app, "POST", "/lacak", {"nomor": tracking_id, "kunci": "AAAA-AAAA-AAAA-AAAA"})
        unknown = call(
            app, "POST", "/lacak", {"nomor": "junk", "kunci": walkthrough.output(receipt, "access-key")}
        )
        assert wrong == unknown
        assert wrong[0].startswith("404")


def test_reporter_page_names_an_assignment_in_the_portals_plain_words(url: str) -> None:
    """A complaint handed to a work unit reads "Ditangani unit kerja", its step "Diserahkan ke unit kerja".

    The reporter never meets the officials' word *disposisi*, as in the example portal.
    """
    with open_desk(url, pepper=PEPPER) as desk:
        app = make_app(desk, client_secret=b"test")
        _, receipt = call(app, "POST", "/lapor", {"judul": "Jalan rusak", "isi": "Berlubang."})
        tracking_id = walkthrough.output(receipt, "tracking-id")
        walkthrough.admin_verifies(desk, tracking_id)
        desk.assign(walkthrough.OFFICER, tracking_id, "dinas-pupr")
        status, page = call(
            app, "POST", "/lacak", {"nomor": tracking_id, "kunci": walkthrough.output(receipt, "access-key")}
        )
    assert status.startswith("200")
    assert "(Ditangani unit kerja)" in page
    assert " Diserahkan ke unit kerja</li>" in page
    assert "disposisi" not in page.lower()


def test_form_larger_than_the_limit_is_refused_unread(url: str) -> None:
    """A body over 64 KiB is answered 413 and nothing is stored; an unknown page is 404."""
    with open_desk(url, pepper=PEPPER) as desk:
        app = make_app(desk, client_secret=b"test")
        status, _ = call(app, "POST", "/lapor", {"isi": "x" * MAX_FORM_BYTES})
        assert status.startswith("413")
        assert call(app, "GET", "/admin")[0].startswith("404")
        assert stored(desk) == 0


def test_deployment_commands_sweep_and_deliver_with_the_regencys_configuration(
    url: str, relay: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m regional_desk sweep|deliver URL`` open the regency's desk and mail through the relay."""
    mailbox, port = relay
    monkeypatch.setenv("LAPOR_PEPPER", PEPPER)
    monkeypatch.setenv("LAPOR_SMTP_RELAY", f"{HOST}:{port}")
    with open_desk(url) as desk:
        call(make_app(desk, client_secret=b"test"), "POST", "/lapor", {"judul": "Sampah", "isi": "Menumpuk."})
    assert desk_command(["sweep", url]) == 0
    assert desk_command(["deliver", url]) == 0
    assert capsys.readouterr().out.splitlines() == ["closed 0, breached 0, reminded 0", "sent 1, retrying 0"]
    assert [str(m["To"]) for m in mailbox.messages] == ["pengelola.lapor@gowakab.example"]


def test_cuti_bersama_added_mid_year_moves_the_open_closing_deadline(url: str, tmp_path: Path) -> None:
    """A day closed by an amended decree, put in calendar.json and recomputed, moves the deadline a day."""
    clock = FrozenClock(datetime(2026, 8, 10, 9, 0, tzinfo=walkthrough.WITA))
    with open_desk(url, pepper=PEPPER, clock=clock) as desk:
        receipt = desk.submit(
            lc.Submission.from_dict(
                {"kind": "pengaduan", "channel": "web", "title": "Jalan", "body": "Rusak."}
            )
        )
        walkthrough.admin_verifies(desk, receipt.tracking_id)
        clock.set(datetime(2026, 8, 12, 14, 0, tzinfo=walkthrough.WITA))
        view = walkthrough.regency_handles(desk, receipt.tracking_id)
        assert [str(d.due_at) for d in view.current_deadlines] == ["2026-08-29 00:00:00+08:00"]
    amended = tmp_path / "calendar.json"
    amended.write_text(
        json.dumps({"decreed_through": 2026, "closed": {"2026-08-27": "Cuti bersama (tambahan)"}, "open": []})
    )
    with open_desk(url, pepper=PEPPER, clock=clock, calendar=load_calendar(amended)) as desk:
        assert desk.recompute_deadlines() == 1
        again = desk.view(walkthrough.ADMIN, receipt.tracking_id)
        assert [str(d.due_at) for d in again.current_deadlines] == ["2026-09-01 00:00:00+08:00"]


def test_calendar_file_with_a_bad_day_is_refused(tmp_path: Path) -> None:
    """A malformed date in calendar.json stops the desk from starting instead of being skipped."""
    bad = tmp_path / "calendar.json"
    bad.write_text(json.dumps({"decreed_through": 2026, "closed": {"2026-02-30": "x"}, "open": []}))
    with pytest.raises(ValueError, match="day is out of range"):
        load_calendar(bad)


def test_recompute_command_on_the_shipped_calendar_moves_nothing(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m regional_desk recompute URL`` with calendar.json unchanged reports no deadline moved."""
    monkeypatch.setenv("LAPOR_PEPPER", PEPPER)
    assert desk_command(["recompute", url]) == 0
    assert capsys.readouterr().out == "deadlines moved: 0\n"


def test_serve_command_answers_the_form_on_127_0_0_1(url: str, tmp_path: Path) -> None:
    """``python -m regional_desk serve URL --port P``, as the tutorial starts it, serves the form."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = int(probe.getsockname()[1])
    tutorial = Path(__file__).parent.parent / "examples" / "tutorial"
    environment = {**os.environ, "LAPOR_PEPPER": PEPPER, "PYTHONPATH": str(tutorial)}
    server = subprocess.Popen(
        [sys.executable, "-m", "regional_desk", "serve", url, "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().decode().strip() == f"serving on http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=10) as response:
            page = response.read().decode()
        assert '<form method="post" action="/lapor">' in page
        assert '<option value="73.06.08">Somba Opu</option>' in page
    finally:
        server.terminate()
        server.communicate(timeout=10)
