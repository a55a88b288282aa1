"""Issue 21's "Poor" items on the citizen pages, one test (or a few) each.

Deadlines in the institution's own zone with the working days left; decimal commas; the status said once;
SLA rounds on the reporter's page; a voter seeing their own choice; the rating's words, comment and single
use; bidirectional controls neutralised at display; plain Indonesian without jargon.
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core import PollDraft
from lapor_core.testing import FrozenClock
from portal_helpers import ADMIN, START, csrf, error_summary, sign_in, submission

_WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def _text(html: str) -> str:
    """The page's text with tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _open_as_reporter(client: TestClient, receipt: lc.Receipt) -> str:
    """Open the reporter's view with the access key; the path of that view."""
    data = {"tracking_id": receipt.tracking_id, "access_key": receipt.access_key, "csrf_token": csrf(client)}
    assert client.post("/lacak", data=data).status_code == 303
    return f"/lacak/{receipt.tracking_id}"


def _post(client: TestClient, path: str, page: str, **data: str) -> tuple[int, str]:
    """Post a form of ``page``; the status and the page it leads to (the redirect followed)."""
    answer = client.post(path, data={**data, "csrf_token": csrf(client, page)})
    if answer.status_code == 303:
        return 303, client.get(answer.headers["location"]).text
    return answer.status_code, answer.text


# --- deadlines ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "zone"), [("73.71", "Asia/Makassar"), ("51.71", "Asia/Makassar"), ("31.71", "Asia/Jakarta")]
)
def test_citizen_pages_name_the_last_day_in_the_institutions_zone_with_working_days_left(
    client: TestClient, desk: lc.ComplaintDesk, region: str, zone: str
) -> None:
    """Makassar's and Denpasar's follow-up deadline reads in WITA on the public and the reporter's page."""
    receipt = desk.submit(submission(location={"region": region}))
    view = desk.forward(ADMIN, receipt.tracking_id, institution=region)
    follow_up = next(d for d in view.deadlines if d.stage == "follow_up")
    assert follow_up.due_at is not None
    local = follow_up.due_at.astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute) == (0, 0)  # due at midnight in the institution's own zone
    last = (local - timedelta(microseconds=1)).date()
    wording = f"paling lambat {_WEEKDAYS[last.weekday()]}, {last.day} {_MONTHS[last.month - 1]} {last.year}"
    public = _text(client.get(f"/pengaduan/{receipt.tracking_id}").text)
    reporter = _text(client.get(_open_as_reporter(client, receipt)).text)
    for page in (public, reporter):
        table = page[page.index("Batas waktu layanan") :]
        assert wording in table
        assert re.search(r"sisa \d+ hari kerja", table)
        assert "00.00" not in table


# --- numbers ------------------------------------------------------------------------------------------------


def _poll(desk: lc.ComplaintDesk, *, revote: str = "replace", results: str = "live") -> str:
    draft = PollDraft.from_dict(
        {
            "question": "Perlukah car free day diperluas?",
            "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
            "audience": None,
            "opens_at": START.isoformat(),
            "closes_at": (START + timedelta(days=7)).isoformat(),
            "results": results,
            "revote": revote,
        }
    )
    officer = lc.Principal.institution_officer("pemkot-jakpus", institution="31.71")
    poll_id = desk.create_poll(officer, draft)
    desk.open_poll(officer, poll_id)
    return poll_id


def test_poll_shares_use_a_decimal_comma_in_indonesian_and_a_point_in_english(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """One vote in three: 33,3% on the chart and in the table; 33.3% only on the English page."""
    poll_id = _poll(desk)
    for number, choice in enumerate((0, 1, 2)):
        desk.vote(lc.Principal.citizen(f"w{number}", verified=True, region="31.71"), poll_id, [choice])
    page = _text(client.get(f"/jajak-pendapat/{poll_id}").text)
    assert "1 (33,3%)" in page
    assert not re.search(r"\d\.\d+ ?%", page)
    client.cookies.set("lapor_lang", "en")
    assert "1 (33.3%)" in _text(client.get(f"/jajak-pendapat/{poll_id}").text)


def test_the_dashboard_writes_shares_and_median_days_as_indonesian_does(
    client: TestClient, desk: lc.ComplaintDesk, clock: FrozenClock
) -> None:
    """Two of three followed up in time, after 1 and 2 working days: 67% and a median of 1,5 (English 1.5)."""
    clock.advance(days=20)  # past Nyepi and Idul Fitri: every day below is a working day
    officer = lc.Principal.institution_officer("o", institution="31.71")
    ids = []
    for _ in range(3):
        ids.append(desk.submit(submission()).tracking_id)
        desk.forward(ADMIN, ids[-1], institution="31.71")
    for tid in ids[:2]:
        clock.advance(days=1)
        desk.follow_up(officer, tid, "Sudah.")
    clock.advance(days=20)
    sign_in(client, "admin-demo")

    def row() -> str:
        page = client.get("/staf/dasbor").text
        return _text(page[page.index('data-institution="31.71"') :].split("</tr>")[0])

    assert row().endswith(" 3 100% 67% 1,5 1 ")
    client.cookies.set("lapor_lang", "en")
    assert row().endswith(" 3 100% 67% 1.5 1 ")


# --- the status badge ---------------------------------------------------------------------------------------


def test_a_closed_complaints_badge_says_selesai_once(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Status and summary both "Selesai": no tooltip repeating it; a pending one keeps "Belum" as its tip."""
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(lc.Principal.institution_officer("o", institution="31.71"), tid, "Sudah.")
    desk.close_complaint(desk.authenticate(tid, receipt.access_key), tid)
    for path in (f"/pengaduan/{tid}", "/pengaduan"):
        html = client.get(path).text
        assert '<span class="badge done">Selesai</span>' in html
        assert 'title="Selesai"' not in html
    waiting = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    html = client.get(f"/staf/pengaduan/{waiting}").text
    assert '<span class="badge pending" title="Belum">Menunggu verifikasi</span>' in html


def test_the_sign_in_link_is_for_everyone(client: TestClient) -> None:
    """Citizens sign in at the same link: it says "Masuk", not "Masuk petugas"."""
    page = _text(client.get("/").text)
    assert "Masuk" in page
    assert "Masuk petugas" not in page


# --- rounds -------------------------------------------------------------------------------------------------


def test_the_reporters_page_labels_the_follow_up_rounds(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """After the reporter's reply the follow-up comes again: the citizen's page says which round."""
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(lc.Principal.institution_officer("o", institution="31.71"), tid, "Sudah diperbaiki.")
    desk.reply(desk.authenticate(tid, receipt.access_key), tid, "Belum, masih gelap.")
    table = _text(client.get(_open_as_reporter(client, receipt)).text)
    table = table[table.index("Batas waktu layanan") :]
    assert table.index("putaran ke-1") < table.index("putaran ke-2")
    assert table.count("Verifikasi admin") == 1


# --- a voter's own choice -----------------------------------------------------------------------------------


def test_a_voter_who_comes_back_sees_their_choice_and_may_change_it(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """After voting, the poll page says what the voter chose and ticks it; the public page says nothing."""
    poll_id = _poll(desk)
    path = f"/jajak-pendapat/{poll_id}"
    desk.vote(lc.Principal.citizen("someone-else", verified=True, region="31.71"), poll_id, ["Ragu-ragu"])
    sign_in(client, "warga-demo")
    before = client.get(path).text
    assert 'id="my-vote"' not in before
    assert "checked" not in before
    client.post(f"{path}/pilih", data={"choice": "1", "csrf_token": csrf(client, path)})
    page = client.get(path).text
    assert "Pilihan Anda yang tercatat: Tidak setuju." in _text(page)
    assert "Anda boleh mengubahnya" in _text(page)
    assert re.search(r'value="1" checked> Tidak setuju', page)
    assert page.count(" checked") == 1
    assert "Ubah pilihan" in page
    client.post("/keluar", data={"csrf_token": csrf(client, path)})
    public = client.get(path).text
    assert 'id="my-vote"' not in public
    assert "Tidak setuju." not in _text(public)


def test_a_poll_refusing_second_votes_shows_the_choice_without_a_ballot(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """With revote "refuse" the voter sees their choice and no form that would only be refused."""
    poll_id = _poll(desk, revote="refuse", results="after_close")
    path = f"/jajak-pendapat/{poll_id}"
    sign_in(client, "warga-demo")
    client.post(f"{path}/pilih", data={"choice": "0", "csrf_token": csrf(client, path)})
    page = client.get(path).text
    assert "Pilihan Anda yang tercatat: Setuju." in _text(page)
    assert 'id="ballot"' not in page
    assert "Anda boleh mengubahnya" not in _text(page)
    assert 'id="results-hidden"' in page


# --- the rating ---------------------------------------------------------------------------------------------


def _closed(client: TestClient, desk: lc.ComplaintDesk) -> tuple[str, str]:
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(lc.Principal.institution_officer("o", institution="31.71"), tid, "Sudah.")
    path = _open_as_reporter(client, receipt)
    assert client.post(f"{path}/selesai", data={"csrf_token": csrf(client, path)}).status_code == 303
    return tid, path


def test_a_rating_with_a_comment_is_shown_instead_of_the_form(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Words for each value and a comment field; once sent, the rating and the comment stand, no form."""
    tid, path = _closed(client, desk)
    form = client.get(path).text
    for words in ("1 · Sangat tidak puas", "3 · Cukup", "5 · Sangat puas"):
        assert words in form
    assert 'name="comment"' in form
    assert 'maxlength="500"' in form
    status, page = _post(client, f"{path}/nilai", path, rating="2", comment="Lama, tapi akhirnya beres.")
    assert status == 303
    text = _text(page)
    assert "Penilaian Anda: 2 dari 5 (Tidak puas). Terima kasih." in text
    assert "Komentar Anda: Lama, tapi akhirnya beres." in text
    assert f"{path}/nilai" not in page
    public = _text(client.get(f"/pengaduan/{tid}").text)
    assert "Lama, tapi akhirnya beres." in public  # on the timeline
    assert "Penilaian ★★☆☆☆ 2 dari 5 (Tidak puas)" in public  # the stars with their words
    closing = public[public.index("Penutupan (10 hari kerja") :]
    assert closing.startswith("Penutupan (10 hari kerja tanpa tanggapan) ")
    assert "tidak berlaku lagi" in closing.split(" Contoh portal")[0]  # the reporter closed: no countdown
    status, again = _post(client, f"{path}/nilai", path, rating="5", comment="Ubah.")
    assert status == 303
    assert "sudah Anda nilai" in again
    assert desk.view(ADMIN, tid).rating == 2


def test_a_rating_without_a_comment_is_taken(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The comment is optional: an empty one records the rating alone."""
    tid, path = _closed(client, desk)
    status, page = _post(client, f"{path}/nilai", path, rating="5", comment="  ")
    assert status == 303
    assert "Komentar Anda" not in page
    assert desk.view(ADMIN, tid).rating == 5


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("x" * 501, "Komentar: paling banyak 500 karakter, diberikan 501"),
        ("Bagus \u202eskali", "Komentar: memuat karakter tersembunyi yang membalik arah tulisan"),
    ],
)
def test_a_bad_comment_is_explained_in_indonesian_and_nothing_is_rated(
    client: TestClient, desk: lc.ComplaintDesk, comment: str, expected: str
) -> None:
    """Too long, or with a right-to-left override: the form comes back with the reason; no rating stored."""
    tid, path = _closed(client, desk)
    status, page = _post(client, f"{path}/nilai", path, rating="4", comment=comment)
    assert status == 422
    assert any(line.startswith(expected) for line in error_summary(page)), error_summary(page)
    assert desk.view(ADMIN, tid).rating is None
    assert f"{path}/nilai" in page


# --- bidirectional controls ---------------------------------------------------------------------------------


def test_a_stored_right_to_left_override_is_not_shown(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A title stored before the library refused U+202E (or by another system) shows in its stored order."""
    tid = desk.submit(submission(title="Pungli di loket")).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    store = desk.store
    complaint = store.get(tid)
    tricked = attrs.evolve(complaint, title="Pungli di \u202eteko\u202c", body="Isi \u2067rahasia\u2069.")
    store._complaints[tid] = tricked  # type: ignore[attr-defined]  # white box: bypass the text rules
    for path in (f"/pengaduan/{tid}", "/pengaduan"):
        html = client.get(path).text
        assert "Pungli di teko" in html
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", html)


# --- plain words --------------------------------------------------------------------------------------------

_JARGON = (
    "penyapuan",
    "disposisi",
    "Open311",
    "surrogate",
    "eskalasi",
    "U+202",
    "Selang",
    "karakter kendali",
)


def test_citizen_pages_use_no_jargon(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The words a citizen meets (forms, a complaint at a work unit, a refused title) hold no jargon."""
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.assign(lc.Principal.institution_officer("o", institution="31.71"), tid, "dinas-pu")
    poll_id = _poll(desk)
    desk.vote(lc.Principal.citizen("w", verified=True, region="31.71"), poll_id, [0])
    bad_title = {"kind": "pengaduan", "title": "Lampu \u202emati", "body": "Gelap."}
    refused = client.post("/lapor", data={**bad_title, "csrf_token": csrf(client, "/lapor")}).text
    pages = {
        "/lapor": client.get("/lapor").text,
        "/lapor (refused)": refused,
        "public": client.get(f"/pengaduan/{tid}").text,
        "reporter": client.get(_open_as_reporter(client, receipt)).text,
        "poll": client.get(f"/jajak-pendapat/{poll_id}").text,
    }
    assert "Ditangani unit kerja" in _text(pages["public"])
    assert "Diserahkan ke unit kerja" in _text(pages["public"])
    assert "karakter tersembunyi" in _text(refused)
    for name, html in pages.items():
        main = html[html.index("<main") : html.index("</main>")]  # the footer's links are for developers
        found = [word for word in _JARGON if word.lower() in _text(main).lower()]
        assert not found, (name, found)
