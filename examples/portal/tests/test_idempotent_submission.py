"""A report sent twice is stored once: the form's one-time key, the API's Idempotency-Key, Open311 devices."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from portal_helpers import ADMIN, OPEN311_KEY, csrf, error_summary

_ONCE = re.compile(r'name="once" value="([^"]*)"')
_RECEIPT = re.compile(r'id="tracking-id">([^<]+)</code>.*id="access-key">([^<]+)</code>', re.DOTALL)
FORM = {"kind": "pengaduan", "title": "Jalan berlubang", "body": "Di depan SDN 3."}
NEW = {"kind": "pengaduan", "channel": "mobile", "title": "Jalan rusak", "body": "Berlubang besar."}
BASE = "/open311/v2"


def _form_page(client: TestClient) -> tuple[str, str]:
    """The CSRF token and the one-time key of a freshly rendered submit form."""
    page = client.get("/lapor").text
    once = _ONCE.search(page)
    assert once, "no one-time key on the form"
    return csrf(client, "/lacak"), once.group(1)


def _receipt(page: str) -> tuple[str, str]:
    found = _RECEIPT.search(page)
    assert found, "no receipt"
    return found.group(1), found.group(2)


def _count(desk: lc.ComplaintDesk) -> int:
    return len(desk.complaints(ADMIN).items)


# --- the submit form ----------------------------------------------------------------------------------------


def test_each_rendered_form_carries_its_own_one_time_key(client: TestClient) -> None:
    """Every rendering of the form holds a new 24-character key in a hidden field."""
    keys = {_form_page(client)[1] for _ in range(5)}
    assert len(keys) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", key) for key in keys)


def test_posting_the_same_form_twice_shows_the_same_receipt_and_stores_one_report(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A reload of the receipt page (the same post again) shows the same tracking ID and a working key."""
    token, once = _form_page(client)
    data = {**FORM, "csrf_token": token, "once": once}
    first = _receipt(client.post("/lapor", data=data).text)
    again = _receipt(client.post("/lapor", data=data).text)
    assert again == first
    assert _count(desk) == 1
    reporter = desk.authenticate(*again)
    assert desk.view(reporter, first[0]).title == FORM["title"]


def test_a_double_click_from_threads_stores_one_report(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Four posts of one form at once: one report, the same receipt on every answer."""
    token, once = _form_page(client)
    data = {**FORM, "csrf_token": token, "once": once}
    with ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(lambda _: client.post("/lapor", data=data).text, range(4)))
    assert len({_receipt(page) for page in pages}) == 1
    assert _count(desk) == 1


def test_two_forms_with_the_same_text_are_two_reports(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Two renderings are two reports, even with identical text."""
    for _ in range(2):
        token, once = _form_page(client)
        client.post("/lapor", data={**FORM, "csrf_token": token, "once": once})
    assert _count(desk) == 2


def test_a_form_sent_again_with_other_content_is_not_stored_and_comes_back_with_a_new_key(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Back, edit, send again: the edit is not stored, the visitor is told, and the form can be sent anew."""
    token, once = _form_page(client)
    client.post("/lapor", data={**FORM, "csrf_token": token, "once": once})
    edited = {**FORM, "body": "Di depan SDN 4.", "csrf_token": token, "once": once}
    page = client.post("/lapor", data=edited)
    assert page.status_code == 200
    assert "Formulir ini sudah pernah dikirim dengan isi yang berbeda" in page.text
    assert 'value="Di depan SDN 4."' in page.text or ">Di depan SDN 4.</textarea>" in page.text
    fresh = _ONCE.search(page.text)
    assert fresh
    assert fresh.group(1) != once
    assert _count(desk) == 1
    _receipt(client.post("/lapor", data={**edited, "once": fresh.group(1)}).text)
    assert _count(desk) == 2


def test_a_form_with_errors_keeps_its_key_so_the_corrected_post_is_the_one_report(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A refused post stores nothing and keeps the key; the corrected post is stored once."""
    token, once = _form_page(client)
    refused = client.post("/lapor", data={**FORM, "title": " ", "csrf_token": token, "once": once})
    assert refused.status_code == 422
    assert error_summary(refused.text)
    kept = _ONCE.search(refused.text)
    assert kept
    assert kept.group(1) == once
    corrected = {**FORM, "csrf_token": token, "once": once}
    assert _receipt(client.post("/lapor", data=corrected).text) == _receipt(
        client.post("/lapor", data=corrected).text
    )
    assert _count(desk) == 1


@pytest.mark.parametrize("once", ["", "short", "x" * 25, "not/a-key-of-ours-at-all!", "A" * 23 + "\n"])
def test_a_post_without_a_key_of_ours_is_stored_without_deduplication(
    client: TestClient, desk: lc.ComplaintDesk, once: str
) -> None:
    """A post with no key, or a tampered one, is one report per post (as before one-time keys)."""
    token = csrf(client, "/lapor")
    for _ in range(2):
        _receipt(client.post("/lapor", data={**FORM, "csrf_token": token, "once": once}).text)
    assert _count(desk) == 2


# --- the JSON API -------------------------------------------------------------------------------------------


def test_api_retry_with_the_same_idempotency_key_answers_the_same_receipt(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Two posts with one Idempotency-Key and one body: 201 twice, one receipt, one complaint."""
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/api/v1/complaints", json=NEW, headers=headers)
    again = client.post("/api/v1/complaints", json=NEW, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert _count(desk) == 1
    receipt = again.json()
    assert desk.authenticate(receipt["tracking_id"], receipt["access_key"]).role is lc.Role.REPORTER


def test_api_without_the_header_stores_each_post(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Without Idempotency-Key every post is a new complaint."""
    client.post("/api/v1/complaints", json=NEW)
    client.post("/api/v1/complaints", json=NEW)
    assert _count(desk) == 2


def test_api_same_key_with_another_body_is_a_422_conflict_naming_the_header(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Another body under a used key: 422, the conflict's code, in the caller's language; nothing stored."""
    key = str(uuid.uuid4())
    client.post("/api/v1/complaints", json=NEW, headers={"Idempotency-Key": key})
    answer = client.post(
        "/api/v1/complaints",
        json={**NEW, "title": "Lain"},
        headers={"Idempotency-Key": key, "Accept-Language": "en"},
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "error.idempotency_conflict"
    assert "Idempotency-Key" in problem["detail"]
    assert "already used" in problem["detail"]
    assert key not in answer.text
    assert _count(desk) == 1


def test_api_key_used_by_another_caller_is_a_conflict(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A citizen's key repeated by the public (or another account) does not hand out the citizen's receipt."""
    key = str(uuid.uuid4())
    mine = client.post(
        "/api/v1/complaints", json=NEW, headers={"Idempotency-Key": key, "Authorization": "Bearer t-citizen"}
    )
    assert mine.status_code == 201
    theirs = client.post("/api/v1/complaints", json=NEW, headers={"Idempotency-Key": key})
    assert theirs.status_code == 422
    assert mine.json()["access_key"] not in theirs.text
    assert _count(desk) == 1


@pytest.mark.parametrize(
    ("key", "code"),
    [(" ", "text.empty"), ("k" * 197, "text.too_long"), (b"a\x85b", "idempotency.key_malformed")],
)
def test_api_bad_idempotency_key_is_a_422_naming_the_header(
    client: TestClient, desk: lc.ComplaintDesk, key: str | bytes, code: str
) -> None:
    """A blank, too long or unprintable key is refused as the header's fault; nothing is stored."""
    answer = client.post("/api/v1/complaints", json=NEW, headers={"Idempotency-Key": key})
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert (error["field"], error["code"]) == ("Idempotency-Key", code)
    if code == "text.too_long":
        assert error["params"] == {"max": 196, "actual": 197}
    assert _count(desk) == 0


def test_api_longest_key_is_accepted(client: TestClient) -> None:
    """196 characters (200 with the portal's namespace) are accepted."""
    answer = client.post("/api/v1/complaints", json=NEW, headers={"Idempotency-Key": "k" * 196})
    assert answer.status_code == 201


def test_api_and_form_keys_never_meet(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The form's key sent as an Idempotency-Key is another key (namespaces): a new complaint, no receipt."""
    token, once = _form_page(client)
    form_receipt = _receipt(client.post("/lapor", data={**FORM, "csrf_token": token, "once": once}).text)
    body = {**FORM, "channel": "web"}
    answer = client.post("/api/v1/complaints", json=body, headers={"Idempotency-Key": once})
    assert answer.status_code == 201
    assert answer.json()["tracking_id"] != form_receipt[0]
    assert _count(desk) == 2


# --- Open311 ------------------------------------------------------------------------------------------------

POSTED = {
    "api_key": OPEN311_KEY,
    "service_code": "roads-bridges",
    "lat": "-6.1754",
    "long": "106.8272",
    "description": "Lubang besar di Jl. Merdeka.",
    "attribute[region]": "31.71.01",
}


def test_open311_retry_from_the_same_device_answers_the_first_request(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The same request from the same device is one complaint with one service_request_id."""
    data = {**POSTED, "device_id": "android-7f3e"}
    (first,) = client.post(f"{BASE}/requests.json", data=data).json()
    (again,) = client.post(f"{BASE}/requests.json", data=data).json()
    assert again["service_request_id"] == first["service_request_id"]
    assert _count(desk) == 1
    assert "android-7f3e" not in str(desk.history(ADMIN, first["service_request_id"]))


def test_open311_other_content_or_device_or_no_device_is_another_request(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Another description, another device, or no device_id at all: each post is a new complaint."""
    posts = [
        {**POSTED, "device_id": "android-7f3e"},
        {**POSTED, "device_id": "android-7f3e", "description": "Lubang kedua."},
        {**POSTED, "device_id": "iphone-22"},
        POSTED,
        POSTED,
    ]
    ids = {client.post(f"{BASE}/requests.json", data=data).json()[0]["service_request_id"] for data in posts}
    assert len(ids) == 5
    assert _count(desk) == 5
