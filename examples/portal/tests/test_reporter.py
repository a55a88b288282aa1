from __future__ import annotations

from fastapi.testclient import TestClient

import lapor_core as lc
from portal_helpers import ADMIN, JAKPUS, csrf, error_summary, submission, submit


def _open(client: TestClient, receipt: lc.Receipt) -> None:
    answer = client.post(
        "/lacak",
        data={
            "tracking_id": receipt.tracking_id,
            "access_key": receipt.access_key,
            "csrf_token": csrf(client),
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/lacak/{receipt.tracking_id}"


def _post(client: TestClient, path: str, **data: str) -> int:
    return client.post(path, data={**data, "csrf_token": csrf(client)}).status_code


def test_tracking_by_id_goes_to_the_public_page(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A published complaint's ID, typed sloppily, leads to its public page."""
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    answer = client.get("/lacak", params={"id": tid.lower().replace("-", " ")})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/pengaduan/{tid}"


def test_tracking_a_malformed_id_says_not_found(client: TestClient) -> None:
    """Text that is no tracking ID at all is answered like an unknown one."""
    answer = client.get("/lacak", params={"id": "<b>halo</b>"})
    assert answer.status_code == 404
    assert "<b>halo</b>" not in answer.text


def test_receipt_continue_leads_to_the_reporter_form(client: TestClient) -> None:
    """After confirming the key was saved, the tracking page offers the reporter form with the ID in it."""
    receipt = submit(client)
    page = client.get("/lacak", params={"saved": receipt.tracking_id, "confirm": "1"}).text
    assert f'name="tracking_id" value="{receipt.tracking_id}"' in page


def test_the_reporter_sees_everything_including_replies(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """With the key the reporter sees their confidential anonymous complaint, their name and the answer."""
    receipt = desk.submit(
        submission(title="Rahasia saya", confidential=True, anonymous=True, reporter={"name": "Siti Rahayu"})
    )
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    desk.follow_up(JAKPUS, receipt.tracking_id, "Kami sudah menindaklanjuti.")
    _open(client, receipt)
    page = client.get(f"/lacak/{receipt.tracking_id}").text
    for text in ("Rahasia saya", "Siti Rahayu", "Kami sudah menindaklanjuti.", "Masalah sudah selesai"):
        assert text in page


def test_without_the_key_the_reporter_page_redirects(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The reporter page of a complaint is closed to a visitor who did not enter its key."""
    tid = desk.submit(submission()).tracking_id
    answer = client.get(f"/lacak/{tid}")
    assert answer.status_code == 303
    assert _post(client, f"/lacak/{tid}/balas", message="Halo") == 303


def test_the_reporter_answers_a_hold(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """On hold, the reporter's page asks for the information; sending it resumes verification."""
    receipt = desk.submit(submission())
    desk.request_info(ADMIN, receipt.tracking_id, "Di RT berapa?")
    _open(client, receipt)
    page = client.get(f"/lacak/{receipt.tracking_id}").text
    assert "Di RT berapa?" in page
    assert _post(client, f"/lacak/{receipt.tracking_id}/info", message="RT 04 RW 02.") == 303
    assert desk.view(ADMIN, receipt.tracking_id).status is lc.Status.SUBMITTED


def test_an_empty_reply_is_shown_as_an_error(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A blank message is refused on the page, the complaint unchanged."""
    receipt = desk.submit(submission())
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    desk.follow_up(JAKPUS, receipt.tracking_id, "Sudah.")
    _open(client, receipt)
    answer = client.post(
        f"/lacak/{receipt.tracking_id}/balas", data={"message": "   ", "csrf_token": csrf(client)}
    )
    assert answer.status_code == 422
    assert error_summary(answer.text) == ["Pesan: tidak boleh kosong"]
    assert desk.view(ADMIN, receipt.tracking_id).status is lc.Status.FOLLOWED_UP


def test_the_reporter_replies_then_closes_and_rates(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A reply reopens; after a second follow-up the reporter closes and rates."""
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    _open(client, receipt)
    assert _post(client, f"/lacak/{tid}/balas", message="Belum, masih rusak.") == 303
    assert desk.view(ADMIN, tid).status is lc.Status.FORWARDED
    desk.follow_up(JAKPUS, tid, "Sudah diperbaiki lagi.")
    assert _post(client, f"/lacak/{tid}/selesai") == 303
    assert _post(client, f"/lacak/{tid}/nilai", rating="4") == 303
    view = desk.view(ADMIN, tid)
    assert (view.status, view.rating) == (lc.Status.CLOSED, 4)
    assert "★★★★☆" in client.get(f"/lacak/{tid}").text


def test_a_bad_rating_is_refused(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Ratings outside 1-5 (or not numbers) are validation errors."""
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    _open(client, receipt)
    _post(client, f"/lacak/{tid}/selesai")
    for rating in ("9", "x", "0"):
        assert _post(client, f"/lacak/{tid}/nilai", rating=rating) == 422


def test_closing_twice_is_a_conflict(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Closing a closed complaint answers 409."""
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    _open(client, receipt)
    assert _post(client, f"/lacak/{tid}/selesai") == 303
    assert _post(client, f"/lacak/{tid}/selesai") == 409


def test_the_reporter_can_sign_out(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """After closing the reporter's view, the page needs the key again."""
    receipt = desk.submit(submission())
    _open(client, receipt)
    assert _post(client, f"/lacak/{receipt.tracking_id}/keluar") == 303
    assert client.get(f"/lacak/{receipt.tracking_id}").status_code == 303


def test_citizens_support_public_complaints_once(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A signed-in citizen's support counts once; the public is sent to sign in."""
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    answer = client.post(f"/pengaduan/{tid}/dukung", data={"csrf_token": csrf(client)})
    assert answer.headers["location"].startswith("/masuk")
    client.post("/masuk", data={"account": "warga-demo", "csrf_token": csrf(client, "/masuk")})
    for _ in range(2):
        assert _post(client, f"/pengaduan/{tid}/dukung") == 303
    assert desk.view(ADMIN, tid).support_count == 1


def test_the_rating_has_words_and_is_given_once(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Issue 21: each value has its words; once sent the page shows it, and a second post changes nothing."""
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    _open(client, receipt)
    _post(client, f"/lacak/{tid}/selesai")
    form = client.get(f"/lacak/{tid}").text
    assert "1 · Sangat tidak puas" in form
    assert "5 · Sangat puas" in form
    assert _post(client, f"/lacak/{tid}/nilai", rating="4") == 303
    page = client.get(f"/lacak/{tid}").text
    assert "Penilaian Anda: 4 dari 5 (Puas). Terima kasih." in page
    assert f"/lacak/{tid}/nilai" not in page
    assert _post(client, f"/lacak/{tid}/nilai", rating="1") == 303
    assert desk.view(ADMIN, tid).rating == 4
    assert "sudah Anda nilai" in client.get(f"/lacak/{tid}").text
