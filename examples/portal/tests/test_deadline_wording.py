"""Issue 21: deadlines read "paling lambat Jumat, 27 Mar 2026" in the institution's own zone.

Never "28 Mar 2026 00.00 WIB" (which means the end of the 27th); the working days left stay beside them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

import lapor_core as lc
from portal_helpers import ADMIN, sign_in, submission

_DEADLINES = re.compile(r'<table class="deadlines">.*?</table>', re.DOTALL)


def _deadlines(page: str) -> str:
    found = _DEADLINES.search(page)
    assert found, "no deadlines table"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_the_verification_deadline_names_its_last_day(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Submitted Tuesday 17 March 2026: three working days (Nyepi, Idul Fitri between) end on Friday 27th."""
    tracking_id = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    table = _deadlines(client.get(f"/staf/pengaduan/{tracking_id}").text)
    assert "paling lambat Jumat, 27 Mar 2026" in table
    assert "sisa 3 hari kerja" in table
    assert "00.00" not in table
    queue = client.get("/staf/verifikasi").text
    assert "paling lambat Jumat, 27 Mar 2026" in queue
    client.cookies.set("lapor_lang", "en")
    assert "by Friday, Mar 27, 2026" in _deadlines(client.get(f"/staf/pengaduan/{tracking_id}").text)


def test_a_makassar_deadline_is_read_in_wita(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Forwarded to Kota Makassar: its follow-up deadline's last day is the day before 00:00 WITA, not WIB."""
    tracking_id = desk.submit(submission(location={"region": "73.71"})).tracking_id
    view = desk.forward(ADMIN, tracking_id, institution="73.71")
    follow_up = next(d for d in view.deadlines if d.stage == "follow_up")
    assert follow_up.due_at is not None
    local = follow_up.due_at.astimezone(ZoneInfo("Asia/Makassar"))
    assert (local.hour, local.minute) == (0, 0)
    last = (local - timedelta(microseconds=1)).date()
    assert last.weekday() < 5
    sign_in(client, "admin-demo")
    table = _deadlines(client.get(f"/staf/pengaduan/{tracking_id}").text)
    weekday = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat")[last.weekday()]
    months = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
    assert f"paling lambat {weekday}, {last.day} {months[last.month - 1]} {last.year}" in table


def test_a_stage_that_comes_again_is_labelled_by_its_round(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """After the reporter's reply the follow-up clock starts again: the rows say round 1 and round 2."""
    receipt = desk.submit(submission())
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    officer = lc.Principal.institution_officer("o", institution="31.71")
    desk.follow_up(officer, receipt.tracking_id, "Sudah diperbaiki.")
    reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
    desk.reply(reporter, receipt.tracking_id, "Belum, lampunya masih mati.")
    sign_in(client, "admin-demo")
    table = _deadlines(client.get(f"/staf/pengaduan/{receipt.tracking_id}").text)
    assert "putaran ke-1" in table
    assert "putaran ke-2" in table
    assert table.index("putaran ke-1") < table.index("putaran ke-2")
    assert table.count("Verifikasi admin") == 1
    assert "Verifikasi admin (3 hari kerja) putaran" not in table  # a stage that came once has no round
