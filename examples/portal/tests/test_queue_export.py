"""Issue 21: a staff queue as a CSV file: only what the officer sees, no anonymous reporter, no formulas."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_portal.context import Portal
from lapor_portal.i18n import Translator
from lapor_portal.notes import Note
from lapor_portal.web.queue_export import BOM, safe_cell, stream_csv
from portal_helpers import ADMIN, START, sign_in, submission

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _rows(answer_text: str) -> list[list[str]]:
    assert answer_text.startswith(BOM)
    return list(csv.reader(io.StringIO(answer_text.removeprefix(BOM))))


def test_the_export_holds_the_filtered_queue(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A UTF-8 CSV with a BOM, Indonesian headers, one row per complaint the filters select, as a download."""
    waste = desk.submit(submission(category="waste", title="Sampah di Jalan Mawar")).tracking_id
    desk.submit(submission(category="roads-bridges"))
    sign_in(client, "admin-demo")
    answer = client.get("/staf/verifikasi/ekspor.csv?topic=waste")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="antrean-verifikasi-')
    assert answer.headers["cache-control"] == "no-store"
    assert answer.content.startswith("\ufeff".encode())
    header, *rows = _rows(answer.text)
    assert header[:3] == ["Nomor pelacakan", "Judul", "Status"]
    assert [row[0] for row in rows] == [waste]
    assert rows[0][1] == "Sampah di Jalan Mawar"
    assert rows[0][2] == "Menunggu verifikasi"


def test_the_queue_page_links_to_its_export_with_its_filters(client: TestClient) -> None:
    """The download link carries the page's filters but not its page size or place."""
    sign_in(client, "admin-demo")
    page = client.get("/staf/verifikasi?topic=waste&flag=anonymous&size=25").text
    assert 'href="/staf/verifikasi/ekspor.csv?topic=waste&amp;flag=anonymous"' in page


def test_an_anonymous_reporter_never_appears_in_the_export(
    client: TestClient, desk: lc.ComplaintDesk, portal: Portal
) -> None:
    """No file, the admin's or the institution's, names an anonymous reporter or holds a note."""
    hidden = {"name": "Budi Santoso", "email": "budi@contoh.go.id", "phone": "081234567890"}
    anonymous = desk.submit(submission(anonymous=True, reporter=hidden)).tracking_id
    named = desk.submit(submission(reporter={"name": "Siti Aminah"})).tracking_id
    portal.notes.add(Note(anonymous, "admin-demo", "Admin", "admin", START, "CATATAN-RAHASIA"))
    sign_in(client, "admin-demo")
    admin_file = client.get("/staf/verifikasi/ekspor.csv").text
    for tid in (anonymous, named):
        desk.forward(ADMIN, tid, institution="31.71")
    sign_in(client, "pemkot-jakpus")
    officer_file = client.get("/staf/kotak-masuk/ekspor.csv").text
    for text in (admin_file, officer_file):
        assert {row[0] for row in _rows(text)[1:]} == {anonymous, named}
        for secret in ("Budi", "Santoso", "budi@contoh.go.id", "081234567890", "CATATAN-RAHASIA"):
            assert secret not in text
        by_id = {row[0]: row for row in _rows(text)[1:]}
        assert by_id[anonymous][-1] == "Anonim"
        assert by_id[anonymous][9] == "Ya"


def test_another_institutions_officer_cannot_export_its_complaints(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Bandung's file holds Bandung's complaints only; Jakarta's confidential one is in no file of theirs."""
    jakarta = desk.submit(submission(title="Rahasia Jakarta", confidential=True)).tracking_id
    desk.forward(ADMIN, jakarta, institution="31.71")
    bandung = desk.submit(submission(title="Jalan Dago", location={"region": "32.73"})).tracking_id
    desk.forward(ADMIN, bandung, institution="32.73")
    sign_in(client, "pemkot-bandung")
    text = client.get("/staf/kotak-masuk/ekspor.csv").text
    assert [row[0] for row in _rows(text)[1:]] == [bandung]
    assert "Rahasia Jakarta" not in text
    assert client.get("/staf/verifikasi/ekspor.csv").status_code == 403
    assert client.get("/staf/pengawasan/ekspor.csv").status_code == 403


def test_the_export_needs_a_staff_sign_in_and_a_known_queue(client: TestClient) -> None:
    """A visitor and a citizen are sent to the staff sign-in; an unknown queue is 404."""
    assert client.get("/staf/verifikasi/ekspor.csv").status_code == 303
    sign_in(client, "warga-demo")
    answer = client.get("/staf/verifikasi/ekspor.csv")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/masuk")
    sign_in(client, "admin-demo")
    assert client.get("/staf/rahasia/ekspor.csv").status_code == 404
    assert client.get("/staf/pengaduan/ekspor.csv").status_code == 404


def test_cells_that_a_spreadsheet_would_run_are_defused(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A title starting with ``=``, ``+``, ``-`` or ``@`` is written with a leading ``'``."""
    titles = ['=HYPERLINK("http://example.invalid","klik")', "+62 811", "-1+1", "@SUM(A1)"]
    for title in titles:
        desk.submit(submission(title=title))
    sign_in(client, "admin-demo")
    written = {row[1] for row in _rows(client.get("/staf/verifikasi/ekspor.csv").text)[1:]}
    assert written == {"'" + title for title in titles}


@given(st.text(max_size=30))
def test_a_safe_cell_never_starts_a_formula(text: str) -> None:
    """Whatever the text, the cell does not start with a formula character, and only a ``'`` is added."""
    cell = safe_cell(text)
    assert not cell.startswith(_DANGEROUS)
    assert cell in (text, "'" + text)
    assert (cell == text) == (not text.startswith(_DANGEROUS))


def test_the_file_is_cut_at_its_cap_and_says_so(desk: lc.ComplaintDesk, portal: Portal) -> None:
    """Past the most rows a file holds, the last line says it was cut; at exactly the cap it is not."""
    for _ in range(5):
        desk.submit(submission())
    query = lc.ComplaintQuery(order=lc.Order.DUE_ASC)
    t = Translator("id")
    cut = list(stream_csv(portal, t, ADMIN, query, None, max_rows=3))
    assert len(cut) == 1 + 3 + 1
    assert cut[-1].startswith("Berkas dipotong: paling banyak 3 pengaduan.")
    whole = list(stream_csv(portal, t, ADMIN, query, None, max_rows=5))
    assert len(whole) == 1 + 5
    assert not any("dipotong" in line for line in whole)
