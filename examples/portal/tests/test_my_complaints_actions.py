"""Laporan saya: a citizen acts as the reporter of their own complaint, without the access key (issue 21)."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image

import lapor_core as lc
from lapor_core.testing import FrozenClock
from lapor_portal import DEMO_ACCOUNTS, Account, PortalSettings
from lapor_portal.context import Portal
from lapor_portal.notes import Note
from portal_helpers import ADMIN, JAKPUS, OPEN311_KEY, START, TOKENS, csrf, error_summary, sign_in, submission

OWNER = next(a for a in DEMO_ACCOUNTS if a.role is lc.Role.CITIZEN)
OTHER = Account(key="warga-lain", name="Warga lain (demo)", role=lc.Role.CITIZEN, verified=True)
ACTIONS = ("info", "balas", "selesai", "nilai", "ombudsman", "lampiran")
CONFLICT = "Status laporan tidak memungkinkan tindakan ini"
_FLASH = re.compile(r'<p class="flash"[^>]*>(.*?)</p>', re.DOTALL)


@pytest.fixture
def settings() -> PortalSettings:
    """The demonstration accounts and a second citizen."""
    return PortalSettings(
        api_tokens=TOKENS,
        open311_api_keys={OPEN311_KEY},
        sweep_seconds=None,
        accounts=(*DEMO_ACCOUNTS, OTHER),
    )


def _followed_up(desk: lc.ComplaintDesk, owner: Account | None = OWNER, **fields: object) -> lc.Receipt:
    """A complaint of ``owner`` (None: sent signed out) forwarded to Jakarta Pusat and answered."""
    receipt = desk.submit(submission(**fields), owner.principal() if owner else None)
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    desk.follow_up(JAKPUS, receipt.tracking_id, "Sudah kami perbaiki.")
    return receipt


def _post(client: TestClient, path: str, **data: str) -> tuple[int, str]:
    """Post a form of the page at ``path`` with the session's CSRF token; (status, location or page)."""
    answer = client.post(path, data={**data, "csrf_token": csrf(client)})
    return answer.status_code, answer.headers.get("location") or answer.text


def _flash(client: TestClient, path: str) -> str:
    found = _FLASH.search(client.get(path).text)
    return found.group(1).strip() if found else ""


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


# --- the owner acts ----------------------------------------------------------------------------------------


def test_the_owner_replies_closes_and_rates_with_a_comment(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Reply reopens, a second answer is closed and rated once with a comment, all from Laporan saya."""
    tid = _followed_up(desk).tracking_id
    page = f"/laporan-saya/{tid}"
    sign_in(client, OWNER.key)
    text = client.get(page).text
    assert f'action="{page}/balas"' in text
    assert f'action="{page}/selesai"' in text
    assert "/keluar" not in text.split('<article class="complaint reporter-view">', 1)[1]
    assert _post(client, f"{page}/balas", message="Belum, masih berlubang.") == (303, page)
    assert _flash(client, page) == "Tanggapan terkirim."
    assert desk.view(ADMIN, tid).status is lc.Status.FORWARDED
    desk.follow_up(JAKPUS, tid, "Sudah ditambal ulang.")
    assert _post(client, f"{page}/selesai") == (303, page)
    assert _post(client, f"{page}/nilai", rating="4", comment="Cepat, terima kasih.") == (303, page)
    view = desk.view(ADMIN, tid)
    assert (view.status, view.rating) == (lc.Status.CLOSED, 4)
    shown = client.get(page).text
    assert "Penilaian Anda: 4 dari 5 (Puas)" in shown
    assert "Cepat, terima kasih." in shown
    assert f'action="{page}/nilai"' not in shown
    assert _post(client, f"{page}/nilai", rating="1") == (303, page)
    assert _flash(client, page) == "Laporan ini sudah Anda nilai; penilaian tidak dapat diubah."
    assert desk.view(ADMIN, tid).rating == 4


def test_the_owner_answers_a_request_for_information(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """On hold the page asks for the information; sending it returns the complaint to verification."""
    tid = desk.submit(submission(), OWNER.principal()).tracking_id
    desk.request_info(ADMIN, tid, "Di RT berapa?")
    sign_in(client, OWNER.key)
    text = client.get(f"/laporan-saya/{tid}").text
    assert "Di RT berapa?" in text
    assert f'action="/laporan-saya/{tid}/info"' in text
    assert _post(client, f"/laporan-saya/{tid}/info", message="RT 04 RW 02.")[0] == 303
    assert desk.view(ADMIN, tid).status is lc.Status.SUBMITTED


def test_the_owner_escalates_after_closing_and_is_told_why_not_before(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Before any deadline is missed the library's refusal stands on the reason; after closing it goes."""
    tid = _followed_up(desk).tracking_id
    sign_in(client, OWNER.key)
    desk.reply(lc.Principal.citizen(OWNER.key), tid, "Belum beres.")
    status, text = _post(client, f"/laporan-saya/{tid}/ombudsman", reason="Tidak ditanggapi.")
    assert status == 422
    assert len(error_summary(text)) == 1
    assert error_summary(text)[0].startswith("Alasan: ")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    _post(client, f"/laporan-saya/{tid}/selesai")
    assert _post(client, f"/laporan-saya/{tid}/ombudsman", reason="Jalan masih rusak.")[0] == 303
    assert desk.view(ADMIN, tid).escalation is not None


def test_the_owner_adds_a_photo_and_opens_it(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A photo added from the page is listed under Laporan saya's address and served to its owner only."""
    tid = _followed_up(desk).tracking_id
    sign_in(client, OWNER.key)
    answer = client.post(
        f"/laporan-saya/{tid}/lampiran",
        data={"csrf_token": csrf(client)},
        files=[("lampiran", ("lubang.png", _png(), "image/png"))],
    )
    assert answer.status_code == 303
    link = re.search(rf'href="(/laporan-saya/{tid}/lampiran/[^"]+)"', client.get(f"/laporan-saya/{tid}").text)
    assert link is not None
    served = client.get(link.group(1))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    sign_in(client, OTHER.key)
    assert client.get(link.group(1)).status_code == 404


def test_a_file_that_is_no_picture_is_refused_in_indonesian(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Text posing as a photo: 422, the reporter's page again with the library's reason under the input."""
    tid = _followed_up(desk).tracking_id
    sign_in(client, OWNER.key)
    answer = client.post(
        f"/laporan-saya/{tid}/lampiran",
        data={"csrf_token": csrf(client)},
        files=[("lampiran", ("foto.jpg", b"bukan gambar", "image/jpeg"))],
    )
    assert answer.status_code == 422
    assert f'action="/laporan-saya/{tid}/lampiran"' in answer.text
    assert [line.split(":", 1)[0] for line in error_summary(answer.text)] == ["Lampiran"]
    assert desk.attachments(ADMIN, tid) == ()


# --- who may open it ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("owner", [OTHER, None], ids=["another citizen's", "sent signed out"])
def test_a_complaint_not_theirs_is_not_found_on_every_address(
    client: TestClient, desk: lc.ComplaintDesk, owner: Account | None
) -> None:
    """GET and every form answer 404 as for an unknown ID, never 403, and change nothing."""
    tid = _followed_up(desk, owner, title="Milik orang lain").tracking_id
    sign_in(client, OWNER.key)
    assert client.get(f"/laporan-saya/{tid}").status_code == 404
    for action in ACTIONS:
        status, text = _post(client, f"/laporan-saya/{tid}/{action}", message="x", rating="5", reason="x")
        assert status == 404, action
        assert "Tidak ditemukan" in text
        assert "Milik orang lain" not in text
    assert client.get(f"/laporan-saya/{tid}/lampiran/abc").status_code == 404
    assert desk.view(ADMIN, tid).status is lc.Status.FOLLOWED_UP
    unknown = client.get("/laporan-saya/0000-0000-000-0")
    assert unknown.status_code == 404
    assert _post(client, "/laporan-saya/0000-0000-000-0/selesai")[0] == 404


def test_signed_out_visitors_go_to_sign_in_and_staff_are_refused(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Signed out: the page and its forms lead to sign-in and back; staff get 403 as on the list."""
    tid = _followed_up(desk).tracking_id
    answer = client.get(f"/laporan-saya/{tid}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/masuk?next=%2Flaporan-saya%2F{tid}"
    assert _post(client, f"/laporan-saya/{tid}/selesai") == (303, f"/masuk?next=%2Flaporan-saya%2F{tid}")
    sign_in(client, "pemkot-jakpus")
    assert client.get(f"/laporan-saya/{tid}").status_code == 403
    assert _post(client, f"/laporan-saya/{tid}/selesai")[0] == 403
    assert desk.view(ADMIN, tid).status is lc.Status.FOLLOWED_UP


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A cross-site post (no token) is 403 and closes nothing."""
    tid = _followed_up(desk).tracking_id
    sign_in(client, OWNER.key)
    assert client.post(f"/laporan-saya/{tid}/selesai").status_code == 403
    assert desk.view(ADMIN, tid).status is lc.Status.FOLLOWED_UP


def test_a_sloppily_typed_id_redirects_to_the_written_form(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Lower case without dashes: a permanent redirect to the ID as written."""
    tid = _followed_up(desk).tracking_id
    sign_in(client, OWNER.key)
    answer = client.get(f"/laporan-saya/{tid.lower().replace('-', '')}")
    assert answer.status_code == 308
    assert answer.headers["location"] == f"/laporan-saya/{tid}"


# --- stale forms and junk ----------------------------------------------------------------------------------


def test_a_stale_form_gets_the_conflict_page(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The reply form of a page opened before the complaint was closed in another tab: 409, explained."""
    tid = _followed_up(desk).tracking_id
    sign_in(client, OWNER.key)
    token = csrf(client, f"/laporan-saya/{tid}")
    assert _post(client, f"/laporan-saya/{tid}/selesai")[0] == 303
    stale = client.post(f"/laporan-saya/{tid}/balas", data={"message": "Belum beres.", "csrf_token": token})
    assert stale.status_code == 409
    assert CONFLICT in stale.text
    assert desk.view(ADMIN, tid).status is lc.Status.CLOSED


@pytest.mark.parametrize(
    ("action", "data", "said"),
    [
        ("balas", {"message": "   "}, ["Pesan: tidak boleh kosong"]),
        ("balas", {"message": "x" * 4001}, ["Pesan: paling banyak 4.000 karakter, diberikan 4.001"]),
        ("balas", {"message": "ada\x00nol"}, None),
        ("nilai", {"rating": "x"}, None),
        ("nilai", {"rating": "9"}, None),
        ("nilai", {"rating": "4", "comment": "k" * 501}, None),
    ],
    ids=["blank", "too long", "control character", "not a number", "out of range", "long comment"],
)
def test_junk_is_refused_on_the_page_in_indonesian(
    client: TestClient, desk: lc.ComplaintDesk, action: str, data: dict[str, str], said: list[str] | None
) -> None:
    """The library refuses the input: 422, the reporter's page again with the reason in Indonesian."""
    tid = _followed_up(desk).tracking_id
    if action == "nilai":
        desk.close_complaint(lc.Principal.citizen(OWNER.key), tid)
    sign_in(client, OWNER.key)
    before = desk.view(ADMIN, tid)
    status, text = _post(client, f"/laporan-saya/{tid}/{action}", **data)
    assert status == 422
    problems = error_summary(text)
    if said is not None:
        assert problems == said
    assert len(problems) == 1
    assert problems[0].split(": ", 1)[0] in ("Pesan", "Penilaian", "Komentar")
    assert not re.search(r"[a-z]+\.[a-z_]+", problems[0].split(": ", 1)[1]), problems  # no raw code
    assert f'action="/laporan-saya/{tid}/' in text
    after = desk.view(ADMIN, tid)
    assert (after.status, after.rating) == (before.status, before.rating)


@pytest.mark.parametrize(
    ("action", "data"),
    [("balas", {"message": "x" * 8001}), ("nilai", {"rating": "100"}), ("nilai", {})],
    ids=["huge message", "three-digit rating", "missing rating"],
)
def test_input_beyond_the_forms_is_an_indonesian_invalid_page(
    client: TestClient, desk: lc.ComplaintDesk, action: str, data: dict[str, str]
) -> None:
    """What no form of the page can send is answered by the portal's invalid-input page, in Indonesian."""
    tid = _followed_up(desk).tracking_id
    sign_in(client, OWNER.key)
    status, text = _post(client, f"/laporan-saya/{tid}/{action}", **data)
    assert status == 422
    assert "Isian tidak valid" in text
    assert desk.view(ADMIN, tid).status is lc.Status.FOLLOWED_UP


# --- anonymity ---------------------------------------------------------------------------------------------


def _article(html: str, tid: str) -> str:
    """The page's complaint, with what differs between the two ways in taken out: the header and addresses."""
    article = html.split('<article class="complaint reporter-view">', 1)[1].split("</article>", 1)[0]
    article = re.sub(r'<p class="crumbs">.*?</p>', "", article, flags=re.DOTALL)
    article = re.sub(r'<form method="post" action="[^"]*/keluar".*?</form>', "", article, flags=re.DOTALL)
    article = re.sub(r'name="csrf_token" value="[^"]*"', "", article)
    return re.sub(r"\s+", " ", article.replace(f"/lacak/{tid}", f"/laporan-saya/{tid}"))


def test_the_page_shows_exactly_what_the_key_holders_page_shows(
    client: TestClient, desk: lc.ComplaintDesk, portal: Portal, clock: FrozenClock
) -> None:
    """Anonymous and confidential, with a staff note: both pages show the same, never the note."""
    receipt = _followed_up(
        desk,
        title="Pungli di kelurahan",
        body="Diminta 50 ribu.",
        anonymous=True,
        confidential=True,
        reporter={"name": "Siti Rahayu", "email": "siti@example.org"},
    )
    tid = receipt.tracking_id
    portal.notes.add(Note(tid, "pemkot-jakpus", "Jakpus", "institution", START, "CATATAN-INTERNAL-RAHASIA"))
    clock.advance(minutes=1)
    sign_in(client, OWNER.key)
    mine = client.get(f"/laporan-saya/{tid}").text
    client.cookies.clear()
    client.post(
        "/lacak", data={"tracking_id": tid, "access_key": receipt.access_key, "csrf_token": csrf(client)}
    )
    keyed = client.get(f"/lacak/{tid}").text
    assert _article(mine, tid) == _article(keyed, tid)
    assert "CATATAN-INTERNAL-RAHASIA" not in mine
    assert "Diminta 50 ribu." in mine


def test_steps_taken_here_are_the_reporters_and_an_anonymous_owners_photo_is_guarded(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The timeline says 'pelapor', never 'warga'; staff see the photo under a plain name with the warning."""
    tid = _followed_up(desk, anonymous=True).tracking_id
    sign_in(client, OWNER.key)
    _post(client, f"/laporan-saya/{tid}/balas", message="Belum, masih berlubang.")
    answer = client.post(
        f"/laporan-saya/{tid}/lampiran",
        data={"csrf_token": csrf(client)},
        files=[("lampiran", ("KTP_Siti_Aminah.png", _png(), "image/png"))],
    )
    assert answer.status_code == 303
    timeline = client.get(f"/laporan-saya/{tid}").text.split('<ol class="timeline">', 1)[1]
    assert '<span class="by">pelapor</span>' in timeline
    assert '<span class="by">warga</span>' not in timeline
    sign_in(client, "pemkot-jakpus")
    staff_page = client.get(f"/staf/pengaduan/{tid}").text
    assert "Dari pelapor anonim" in staff_page
    assert "KTP_Siti_Aminah" not in staff_page
