"""Issue 21: staff's internal notes on a complaint: written by those who handle it, read by staff only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_portal.context import Portal
from lapor_portal.notes import MAX_NOTE, InMemoryNoteStore, Note, NoteStore, SqliteNoteStore, check_note
from portal_helpers import ADMIN, START, csrf, error_summary, sign_in, submission, submit

SECRET = "Sudah ditelepon lurah; perbaikan hari Jumat."


def _note(client: TestClient, tracking_id: str, text: str) -> tuple[int, str]:
    answer = client.post(
        f"/staf/pengaduan/{tracking_id}/catatan", data={"note": text, "csrf_token": csrf(client)}
    )
    return answer.status_code, answer.text


def test_an_admin_writes_a_note_and_staff_read_it(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The note shows with its author, role and time on the staff page, escaped, for the next officer too."""
    tracking_id = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    status, _ = _note(client, tracking_id, SECRET + " <b>penting</b>")
    assert status == 303
    page = client.get(f"/staf/pengaduan/{tracking_id}").text
    assert SECRET in page
    assert "&lt;b&gt;penting&lt;/b&gt;" in page
    assert "<b>penting</b>" not in page
    assert "Admin LAPOR! (demo) (admin LAPOR!)" in page
    assert "17 Mar 2026" in page
    desk.forward(ADMIN, tracking_id, institution="31.71")
    sign_in(client, "pemkot-jakpus")
    assert SECRET in client.get(f"/staf/pengaduan/{tracking_id}").text
    assert _note(client, tracking_id, "Diterima dinas.")[0] == 303
    sign_in(client, "ombudsman-demo")
    oversight = client.get(f"/staf/pengaduan/{tracking_id}").text
    assert SECRET in oversight
    assert "Diterima dinas." in oversight
    assert f'action="/staf/pengaduan/{tracking_id}/catatan"' not in oversight
    assert _note(client, tracking_id, "Ombudsman menulis.")[0] == 403


def test_notes_never_reach_the_reporter_or_the_public(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The public page, the reporter's page and the JSON API never show a note."""
    receipt = submit(client, title="Lampu padam", body="Gelap sekali.")
    sign_in(client, "admin-demo")
    assert _note(client, receipt.tracking_id, SECRET)[0] == 303
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    client.post("/keluar", data={"csrf_token": csrf(client, "/")})
    assert SECRET not in client.get(f"/pengaduan/{receipt.tracking_id}").text
    client.post(
        "/lacak",
        data={
            "tracking_id": receipt.tracking_id,
            "access_key": receipt.access_key,
            "csrf_token": csrf(client),
        },
    )
    reporter_page = client.get(f"/lacak/{receipt.tracking_id}")
    assert reporter_page.status_code == 200
    assert "Lampu padam" in reporter_page.text
    assert SECRET not in reporter_page.text
    api = client.get(
        f"/api/v1/complaints/{receipt.tracking_id}", headers={"Authorization": "Bearer t-jakpus"}
    )
    assert api.status_code == 200
    assert SECRET not in api.text


def test_a_citizen_cannot_write_a_note(client: TestClient, desk: lc.ComplaintDesk, portal: Portal) -> None:
    """A citizen (or nobody) posting a note is sent to the staff sign-in; nothing is kept."""
    tracking_id = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    assert _note(client, tracking_id, "Dari orang luar.")[0] == 303
    sign_in(client, "warga-demo")
    status, _ = _note(client, tracking_id, "Dari warga.")
    assert status == 303
    assert portal.notes.notes_of(tracking_id) == ()


def test_another_institutions_officer_neither_reads_nor_writes(
    client: TestClient, desk: lc.ComplaintDesk, portal: Portal
) -> None:
    """Bandung's officer gets 404 for Jakarta's confidential complaint, on the page and on a note."""
    tracking_id = desk.submit(submission(confidential=True)).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    portal.notes.add(Note(tracking_id, "pemkot-jakpus", "Jakpus", "institution", START, SECRET))
    sign_in(client, "pemkot-bandung")
    assert client.get(f"/staf/pengaduan/{tracking_id}").status_code == 404
    assert _note(client, tracking_id, "Menyusup.")[0] == 404
    assert [note.text for note in portal.notes.notes_of(tracking_id)] == [SECRET]


def test_a_public_complaint_of_another_institution_shows_no_notes(
    client: TestClient, desk: lc.ComplaintDesk, portal: Portal
) -> None:
    """Bandung's officer reads Jakarta's published complaint as the public does, without its notes."""
    tracking_id = desk.submit(submission(title="Terbit")).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    portal.notes.add(Note(tracking_id, "pemkot-jakpus", "Jakpus", "institution", START, SECRET))
    sign_in(client, "pemkot-bandung")
    page = client.get(f"/staf/pengaduan/{tracking_id}")
    assert page.status_code == 200
    assert "Terbit" in page.text
    assert SECRET not in page.text
    assert f'action="/staf/pengaduan/{tracking_id}/catatan"' not in page.text
    assert _note(client, tracking_id, "Dari Bandung.")[0] == 403
    assert len(portal.notes.notes_of(tracking_id)) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "tidak boleh kosong"),
        ("x" * (MAX_NOTE + 1), "paling banyak 2.000 karakter"),
        ("ada\x00nul", "karakter tersembunyi"),
    ],
)
def test_a_bad_note_is_refused_in_indonesian(
    client: TestClient, desk: lc.ComplaintDesk, portal: Portal, text: str, reason: str
) -> None:
    """An empty, too long or control-character note is refused with the reason, and what was typed stays."""
    tracking_id = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    status, page = _note(client, tracking_id, text)
    assert status == 422
    summary = error_summary(page)
    assert len(summary) == 1
    assert summary[0].startswith("Catatan internal: ")
    assert reason in summary[0]
    assert portal.notes.notes_of(tracking_id) == ()


@given(st.text(max_size=MAX_NOTE + 50))
def test_check_note_keeps_only_clean_text_within_the_limit(text: str) -> None:
    """What check_note accepts is stripped, non-empty, at most MAX_NOTE characters, with no NUL."""
    kept, problems = check_note(text)
    if not problems:
        assert kept == text.strip()
        assert 0 < len(kept) <= MAX_NOTE
        assert "\x00" not in kept


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> NoteStore:
    if request.param == "memory":
        return InMemoryNoteStore()
    return SqliteNoteStore(tmp_path / "notes.db")


def test_a_note_store_keeps_notes_per_complaint_in_order(store: NoteStore) -> None:
    """Each store gives a complaint's notes oldest first, the most recent ``limit`` of them, no others."""
    for index in range(5):
        store.add(Note("AAAA", "a", "A", "admin", START, f"catatan {index}"))
    store.add(Note("BBBB", "b", "B", "admin", START, "lain"))
    assert [note.text for note in store.notes_of("AAAA")] == [f"catatan {i}" for i in range(5)]
    assert [note.text for note in store.notes_of("AAAA", limit=2)] == ["catatan 3", "catatan 4"]
    assert store.notes_of("AAAA")[0] == Note("AAAA", "a", "A", "admin", START, "catatan 0")
    assert store.notes_of("CCCC") == ()
    assert store.notes_of("AAAA", limit=0) == ()


def test_the_sqlite_note_store_keeps_notes_across_restarts(tmp_path: Path) -> None:
    """Notes written to the file are read back by a new store on the same file."""
    first = SqliteNoteStore(tmp_path / "notes.db")
    first.add(Note("AAAA", "a", "A", "admin", START, SECRET))
    first.close()
    again = SqliteNoteStore(tmp_path / "notes.db")
    assert [note.text for note in again.notes_of("AAAA")] == [SECRET]
    assert again.notes_of("AAAA")[0].written_at == START
