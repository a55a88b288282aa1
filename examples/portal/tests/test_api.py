from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import lapor_core as lc
from portal_helpers import ADMIN, JAKPUS, submission

NEW = {
    "kind": "pengaduan",
    "channel": "mobile",
    "title": "Jalan rusak",
    "body": "Berlubang besar.",
    "location": {"region": "31.71.01", "lat": -6.1754, "lon": 106.8272, "address": "Jl. Merdeka 1"},
    "reporter": {"name": "Siti Rahayu", "email": "siti@contoh.go.id"},
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _published(desk: lc.ComplaintDesk, **fields: Any) -> str:
    tid = desk.submit(submission(**fields)).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    return tid


def test_submit_answers_201_with_the_receipt_and_no_store(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A valid report is stored; the answer holds the tracking ID and the working access key."""
    answer = client.post("/api/v1/complaints", json=NEW)
    assert answer.status_code == 201
    assert answer.headers["cache-control"] == "no-store"
    receipt = answer.json()
    principal = desk.authenticate(receipt["tracking_id"], receipt["access_key"])
    assert desk.view(principal, receipt["tracking_id"]).channel is lc.Channel.MOBILE


def test_invalid_submission_lists_every_field_with_422(client: TestClient) -> None:
    """The library's validation reaches the caller as 422 with every bad field, values never echoed."""
    bad = {**NEW, "title": " ", "kind": "gosip", "location": {"lat": 99.0}, "reporter": {"email": "siti@"}}
    answer = client.post("/api/v1/complaints", json=bad)
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"title", "kind", "location.lat", "reporter.email"} <= fields
    assert "siti@" not in answer.text


@pytest.mark.parametrize(
    "body",
    [
        {**NEW, "anonymous": "yes"},
        {**NEW, "surprise": 1},
        {"kind": "pengaduan"},
        [1, 2],
        {**NEW, "location": {"lat": "-6.2"}},
    ],
)
def test_wrongly_shaped_bodies_are_422_with_fields(client: TestClient, body: object) -> None:
    """Wrong types, unknown keys and missing fields are refused with the fields named."""
    answer = client.post("/api/v1/complaints", json=body)
    assert answer.status_code == 422
    assert answer.json()["errors"]


def test_malformed_json_is_400(client: TestClient) -> None:
    """A body that is not JSON is refused (400, it cannot be parsed), on the body as a whole (no position)."""
    answer = client.post(
        "/api/v1/complaints", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["$"]


def test_error_fields_carry_code_params_and_an_indonesian_message_by_default(client: TestClient) -> None:
    """Each bad field has the library's code, params and message, Indonesian without Accept-Language."""
    answer = client.post("/api/v1/complaints", json={**NEW, "title": "x" * 151})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "error.validation"
    assert body["errors"] == [
        {
            "field": "title",
            "code": "text.too_long",
            "params": {"max": 150, "actual": 151},
            "message": "paling banyak 150 karakter, diberikan 151",
        }
    ]
    assert (
        body["detail"] == lc.ValidationError.single("title", "text.too_long", max=150, actual=151).describe()
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "must not be empty"),
        ("en-US,en;q=0.9,id;q=0.8", "must not be empty"),
        ("id-ID,id;q=0.9,en;q=0.8", "tidak boleh kosong"),
        ("fr-FR", "tidak boleh kosong"),
        ("", "tidak boleh kosong"),
    ],
)
def test_error_messages_follow_accept_language(client: TestClient, language: str, message: str) -> None:
    """English when the caller prefers it, Indonesian otherwise."""
    answer = client.post(
        "/api/v1/complaints", json={**NEW, "title": " "}, headers={"Accept-Language": language}
    )
    assert answer.status_code == 422
    assert [(e["field"], e["code"], e["message"]) for e in answer.json()["errors"]] == [
        ("title", "text.empty", message)
    ]


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None, [], {}])
@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_flags_that_are_not_booleans_are_refused_never_coerced(
    client: TestClient, desk: lc.ComplaintDesk, flag: str, value: object
) -> None:
    """anonymous="yes" (or 1, or null) answers 422 value.not_boolean with the JSON type; nothing is stored."""
    answer = client.post("/api/v1/complaints", json={**NEW, flag: value}, headers={"Accept-Language": "en"})
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    json_type = {str: "string", int: "number", type(None): "null", list: "list", dict: "object"}[type(value)]
    words = {
        "string": "a string",
        "number": "a number",
        "null": "null",
        "list": "a list",
        "object": "an object",
    }
    assert error == {
        "field": flag,
        "code": "value.not_boolean",
        "params": {"type": json_type},
        "message": f"must be true or false, got {words[json_type]}",
    }
    assert desk.complaints(ADMIN).items == ()


def test_true_flags_are_kept(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """JSON true is True: the complaint is anonymous."""
    answer = client.post("/api/v1/complaints", json={**NEW, "anonymous": True})
    assert answer.status_code == 201
    assert desk.view(ADMIN, answer.json()["tracking_id"]).anonymous


def test_forward_refuses_a_string_flag(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The admin's forward takes true, false or nothing for a flag; "yes" is 422 and nothing changes."""
    tid = desk.submit(submission()).tracking_id
    answer = client.post(
        f"/api/v1/complaints/{tid}/forward",
        headers=bearer("t-admin"),
        json={"institution": "31.71", "confidential": "yes"},
    )
    assert answer.status_code == 422
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [
        ("confidential", "value.not_boolean")
    ]
    assert desk.view(ADMIN, tid).status is lc.Status.SUBMITTED


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"limit": 0}, "limit", "number.out_of_range"),
        ({"limit": 101}, "limit", "number.out_of_range"),
        ({"limit": "many"}, "limit", "value.not_integer"),
        ({"status": "nonsense"}, "status[0]", "value.not_choice"),
        ({"order": "random"}, "order", "value.not_choice"),
    ],
)
def test_query_errors_use_the_library_codes(
    client: TestClient, params: dict[str, object], field: str, code: str
) -> None:
    """Query parameters are refused with the same codes as bodies, their messages in the caller's language."""
    answer = client.get("/api/v1/complaints", params=params, headers={"Accept-Language": "en"})
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert "$" not in error["message"]  # every placeholder filled


def test_the_public_lists_only_published_non_confidential_complaints(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Unverified and confidential complaints are absent; coordinates are rounded and the address withheld."""
    shown = _published(
        desk,
        title="Terbuka",
        location={"lat": -6.17543, "lon": 106.82721, "address": "Jl. X 1"},
        reporter={"name": "Siti"},
        anonymous=True,
    )
    _published(desk, title="Rahasia", confidential=True)
    desk.submit(submission(title="Baru"))
    items = client.get("/api/v1/complaints").json()["items"]
    assert [i["tracking_id"] for i in items] == [shown]
    item = items[0]
    assert item["location"] == {"region": None, "lat": -6.175, "lon": 106.827, "address": None}
    assert item["reporter"]["name"] == "Anonim"
    assert "Siti" not in str(items)


def test_listing_filters_and_pages(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Status, kind and limit filter; next_cursor continues where the page ended."""
    for number in range(5):
        _published(desk, title=f"N{number}", kind="aspirasi" if number % 2 else "pengaduan")
    first = client.get("/api/v1/complaints", params={"kind": "aspirasi", "limit": 1}).json()
    assert len(first["items"]) == 1
    second = client.get(
        "/api/v1/complaints", params={"kind": "aspirasi", "limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert {first["items"][0]["title"], second["items"][0]["title"]} == {"N1", "N3"}
    assert client.get("/api/v1/complaints", params={"status": "closed"}).json()["items"] == []
    assert client.get("/api/v1/complaints", params={"status": "nonsense"}).status_code == 422
    assert client.get("/api/v1/complaints", params={"limit": 0}).status_code == 422


def test_a_bad_cursor_is_refused_not_a_crash(client: TestClient) -> None:
    """A cursor the store never issued answers 422."""
    assert client.get("/api/v1/complaints", params={"cursor": "bogus!"}).status_code == 422


def test_staff_tokens_list_what_their_principal_may_see(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The admin sees unverified complaints; Jakarta Pusat sees its own confidential one; Bandung does not."""
    fresh = desk.submit(submission(title="Baru")).tracking_id
    secret = _published(desk, title="Rahasia", confidential=True)
    admin = {
        i["tracking_id"] for i in client.get("/api/v1/complaints", headers=bearer("t-admin")).json()["items"]
    }
    jakpus = {
        i["tracking_id"] for i in client.get("/api/v1/complaints", headers=bearer("t-jakpus")).json()["items"]
    }
    bandung = {
        i["tracking_id"]
        for i in client.get("/api/v1/complaints", headers=bearer("t-bandung")).json()["items"]
    }
    assert {fresh, secret} <= admin
    assert secret in jakpus
    assert fresh not in jakpus
    assert secret not in bandung


def test_an_unknown_token_is_401(client: TestClient) -> None:
    """A bearer token the portal never issued answers 401 with WWW-Authenticate."""
    answer = client.get("/api/v1/complaints", headers=bearer("stolen"))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_the_reporter_reads_and_acts_with_the_access_key(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """X-Access-Key opens the reporter's view and lets them reply, close and rate."""
    receipt = client.post("/api/v1/complaints", json={**NEW, "confidential": True}).json()
    tid, key = receipt["tracking_id"], {"X-Access-Key": receipt["access_key"]}
    assert client.get(f"/api/v1/complaints/{tid}").status_code == 404
    mine = client.get(f"/api/v1/complaints/{tid}", headers=key).json()
    assert mine["reporter"]["name"] == "Siti Rahayu"
    assert mine["location"]["address"] == "Jl. Merdeka 1"
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Sudah.")
    assert (
        client.post(f"/api/v1/complaints/{tid}/reply", json={"message": "Belum."}, headers=key).status_code
        == 200
    )
    desk.follow_up(JAKPUS, tid, "Sekarang sudah.")
    assert client.post(f"/api/v1/complaints/{tid}/close", headers=key).json()["status"] == "closed"
    assert (
        client.post(f"/api/v1/complaints/{tid}/rate", json={"rating": 5}, headers=key).json()["rating"] == 5
    )


def test_a_wrong_access_key_is_404_and_repeated_ones_429(
    app: FastAPI, client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Wrong keys look like an unknown complaint; one address's sixth is refused with Retry-After.

    The refusal is for that address only, and never for the right key.
    """
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    for _ in range(5):
        assert client.get(f"/api/v1/complaints/{tid}", headers={"X-Access-Key": "salah"}).status_code == 404
    locked = client.get(f"/api/v1/complaints/{tid}", headers={"X-Access-Key": "salah"})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    owner = TestClient(app, client=("198.51.100.40", 443))
    assert owner.get(f"/api/v1/complaints/{tid}", headers={"X-Access-Key": "salah"}).status_code == 404
    for caller in (owner, client):
        mine = caller.get(f"/api/v1/complaints/{tid}", headers={"X-Access-Key": receipt.access_key})
        assert mine.status_code == 200
        assert mine.json()["tracking_id"] == tid


def test_the_whole_flow_through_the_api(client: TestClient) -> None:
    """Admin forwards, the institution assigns and follows up, the unit sees it, all by tokens."""
    tid = client.post("/api/v1/complaints", json=NEW).json()["tracking_id"]
    forwarded = client.post(
        f"/api/v1/complaints/{tid}/forward",
        headers=bearer("t-admin"),
        json={"institution": "31.71", "category": "roads-bridges", "anonymous": True},
    )
    assert forwarded.status_code == 200
    assert forwarded.json()["anonymous"] is True
    assigned = client.post(
        f"/api/v1/complaints/{tid}/assign", headers=bearer("t-jakpus"), json={"unit": "dinas-pu"}
    )
    assert assigned.json()["status"] == "assigned"
    assert assigned.json()["reporter"]["name"] == "Anonim"
    followed = client.post(
        f"/api/v1/complaints/{tid}/follow-up", headers=bearer("t-unit"), json={"message": "Ditambal."}
    )
    assert followed.json()["status"] == "followed_up"
    assert client.get(f"/api/v1/complaints/{tid}").json()["timeline"][-1]["message"] == "Ditambal."


def test_hold_provide_info_and_archive(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The admin holds; the reporter answers by key; another complaint is archived."""
    receipt = client.post("/api/v1/complaints", json=NEW).json()
    tid = receipt["tracking_id"]
    held = client.post(
        f"/api/v1/complaints/{tid}/request-info", headers=bearer("t-admin"), json={"message": "RT?"}
    )
    assert held.json()["status"] == "on_hold"
    answered = client.post(
        f"/api/v1/complaints/{tid}/provide-info",
        headers={"X-Access-Key": receipt["access_key"]},
        json={"message": "RT 04."},
    )
    assert answered.json()["status"] == "submitted"
    other = desk.submit(submission()).tracking_id
    archived = client.post(
        f"/api/v1/complaints/{other}/archive", headers=bearer("t-admin"), json={"reason": "Duplikat."}
    )
    assert archived.json()["status"] == "archived"


def test_decline_answers_204_and_ends_access(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Bukan wewenang answers no content; the institution then gets 404."""
    tid = _published(desk)
    answer = client.post(
        f"/api/v1/complaints/{tid}/decline", headers=bearer("t-jakpus"), json={"reason": "Provinsi."}
    )
    assert answer.status_code == 204
    assert client.get(f"/api/v1/complaints/{tid}", headers=bearer("t-jakpus")).status_code == 404


@pytest.mark.parametrize(
    ("token", "path", "body", "confidential", "status", "code"),
    [
        # its own, but forwarding is for admins
        ("t-jakpus", "forward", {"institution": "31.71"}, False, 403, lc.NotAllowed.code),
        # a public complaint: visible, not Bandung's
        ("t-bandung", "follow-up", {"message": "x"}, False, 403, lc.NotAllowed.code),
        # a confidential one: does not exist for Bandung
        ("t-bandung", "follow-up", {"message": "x"}, True, 404, lc.NotFound.code),
        # already forwarded
        ("t-admin", "forward", {"institution": "31.71"}, False, 409, lc.TransitionNotAllowed.code),
        ("t-admin", "forward", {"institution": "nowhere"}, False, 422, lc.ValidationError.code),
        ("t-citizen", "support", None, False, 200, None),
    ],
)
def test_errors_map_to_status_codes(
    client: TestClient,
    desk: lc.ComplaintDesk,
    token: str,
    path: str,
    body: object,
    confidential: bool,
    status: int,
    code: str | None,
) -> None:
    """NotAllowed 403, NotFound 404, TransitionNotAllowed 409, ValidationError 422, each with its code."""
    tid = _published(desk, confidential=confidential)
    answer = client.post(f"/api/v1/complaints/{tid}/{path}", headers=bearer(token), json=body)
    assert answer.status_code == status, answer.text
    if status >= 400:
        assert set(answer.json()) == {"code", "detail", "errors"}
        assert answer.json()["code"] == code


def test_a_malformed_tracking_id_is_404(client: TestClient) -> None:
    """A path that is no tracking ID answers 404 like an unknown one."""
    assert client.get("/api/v1/complaints/hello").status_code == 404


def test_region_and_topic_reference_data(client: TestClient) -> None:
    """The pickers' data: provinces, their children, the topic tree; unknown codes are 404, bad ones 422."""
    assert len(client.get("/api/v1/regions").json()) == 38
    regencies = client.get("/api/v1/regions/31/children").json()
    assert {"code": "31.71", "name": "Kota Administrasi Jakarta Pusat"}.items() <= regencies[1].items()
    assert client.get("/api/v1/regions/31.99/children").status_code == 404
    assert client.get("/api/v1/regions/abc/children").status_code == 422
    topics = client.get("/api/v1/topics").json()
    assert {"id": "health", "parent": None, "name_id": "Kesehatan", "name_en": "Health"} in topics


def test_the_schema_documents_every_error_answer(client: TestClient) -> None:
    """Each JSON API operation documents its error answers with the Problem body.

    At least 401 where it reads credentials; which ones each operation lists is tested in test_openapi.py.
    """
    schema = client.get("/openapi.json").json()
    operations = [
        op for path, item in schema["paths"].items() if path.startswith("/api/") for op in item.values()
    ]
    assert len(operations) >= 15
    for operation in operations:
        if operation.get("security"):
            assert "401" in operation["responses"]
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                problem = answer["content"]["application/json"]["schema"]
                assert problem == {"$ref": "#/components/schemas/Problem"}
    assert not any(path.startswith(("/lapor", "/staf", "/lacak")) for path in schema["paths"])
