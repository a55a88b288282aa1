"""Issue 21: what a first walk found in Open311 GeoReport v2, each fixed and kept fixed."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.testing import FrozenClock
from portal_helpers import ADMIN, OPEN311_KEY, submission
from test_open311 import BASE, REQUEST_FIELDS, assert_errors, parse_xml

POST = {"api_key": OPEN311_KEY, "service_code": "roads-bridges", "lat": "-6.1754", "long": "106.8272"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_is_readable_right_after_its_own_post(
    client: TestClient, desk: lc.ComplaintDesk, fmt: str
) -> None:
    """The poster reads its request at once: status, service and times, nothing of its content."""
    (created,) = client.post(f"{BASE}/requests.json", data={**POST, "description": "Lubang besar."}).json()
    tracking_id = created["service_request_id"]
    answer = client.get(f"{BASE}/requests/{tracking_id}.{fmt}")
    assert answer.status_code == 200, answer.text
    if fmt == "json":
        (request,) = answer.json()
        assert set(request) == REQUEST_FIELDS
        assert (request["status"], request["service_code"]) == ("open", "roads-bridges")
        assert request["status_notes"] == lc.Status.SUBMITTED.label("id")
        assert datetime.fromisoformat(request["requested_datetime"]).utcoffset() is not None
    else:
        (request_xml,) = parse_xml(answer.text)
        assert request_xml.findtext("service_request_id") == tracking_id
        assert request_xml.findtext("status") == "open"
    assert "Lubang besar." not in answer.text
    listed = client.get(f"{BASE}/requests.json", params={"service_request_id": tracking_id}).json()
    assert [r["service_request_id"] for r in listed] == [tracking_id]
    desk.forward(ADMIN, tracking_id, institution="31.71")  # once public, the whole request
    (public,) = client.get(f"{BASE}/requests/{tracking_id}.json").json()
    assert public["description"] == "Lubang besar."


def test_a_confidential_request_stays_unknown_after_its_post(client: TestClient) -> None:
    """A confidential request is never answered by ID, before or after verification."""
    data = {**POST, "description": "Rahasia.", "attribute[confidential]": "true"}
    (created,) = client.post(f"{BASE}/requests.json", data=data).json()
    assert_errors(client.get(f"{BASE}/requests/{created['service_request_id']}.json"), 404, "json")


def test_description_is_optional(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Without a description the report is its service (or its title attribute) and place."""
    (bare,) = client.post(f"{BASE}/requests.json", data=POST).json()
    stored = desk.view(ADMIN, bare["service_request_id"])
    assert stored.body == stored.title == "Jalan dan jembatan"
    titled_post = {**POST, "attribute[title]": "Jembatan retak"}
    (titled,) = client.post(f"{BASE}/requests.json", data=titled_post).json()
    assert desk.view(ADMIN, titled["service_request_id"]).body == "Jembatan retak"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nope.json", 404),
        ("GET", "/nope.xml", 404),
        ("GET", "/nope", 404),
        ("GET", "/tokens/abc.json", 404),
        ("DELETE", "/requests.json", 405),
        ("PUT", "/services.xml", 405),
        ("POST", "/discovery.json", 405),
    ],
)
def test_unknown_paths_and_wrong_methods_answer_the_georeport_error_list(
    client: TestClient, method: str, path: str, status: int
) -> None:
    """Never FastAPI's ``{"detail": ...}``: the error list, in the format the path asks for (else XML)."""
    answer = client.request(method, BASE + path)
    fmt = "json" if path.endswith(".json") else "xml"
    (description,) = assert_errors(answer, status, fmt)
    assert "detail" not in answer.text
    if status == 405:
        assert method in description
        assert "Allow" in answer.headers


def test_a_json_body_is_415_not_403(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A client sending JSON is told to send a form, even with a valid api_key in it; nothing is stored."""
    answer = client.post(f"{BASE}/requests.json", json={**POST, "description": "x"})
    (description,) = assert_errors(answer, 415, "json")
    assert "application/x-www-form-urlencoded" in description
    assert desk.complaints(ADMIN).items == ()


def test_open311_errors_follow_accept_language(client: TestClient) -> None:
    """The portal's own error texts are catalogue messages: Indonesian by default, English when preferred."""
    data = {key: value for key, value in POST.items() if key != "api_key"}
    indonesian = assert_errors(client.post(f"{BASE}/requests.json", data=data), 403, "json")
    english_answer = client.post(f"{BASE}/requests.json", data=data, headers={"Accept-Language": "en"})
    english = assert_errors(english_answer, 403, "json")
    assert indonesian == ["api_key tidak dikirim atau tidak dikenal"]
    assert english == ["api_key missing or not recognised"]


def test_the_date_range_follows_the_specification(
    client: TestClient, desk: lc.ComplaintDesk, clock: FrozenClock
) -> None:
    """Both dates may not span over 90 days; one date alone is the 90 days from or up to it, never refused."""
    tracking_id = desk.submit(submission(title="Lama", body="Lama.")).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    clock.advance(days=200)
    old_start = {"start_date": "2026-03-01T00:00:00+07:00"}
    found = client.get(f"{BASE}/requests.json", params=old_start).json()
    assert [r["service_request_id"] for r in found] == [tracking_id]
    assert client.get(f"{BASE}/requests.json", params={"end_date": "2026-06-01T00:00:00Z"}).json() != []
    assert client.get(f"{BASE}/requests.json").json() == []  # the last 90 days
    too_long = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-15T00:00:00Z"}
    assert assert_errors(client.get(f"{BASE}/requests.json", params=too_long), 400, "json") == [
        "start_date dan end_date paling jauh 90 hari"
    ]
    reversed_range = {"start_date": "2026-03-10T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"}
    reversed_answer = client.get(f"{BASE}/requests.xml", params=reversed_range)
    assert "start_date" in assert_errors(reversed_answer, 400, "xml")[0]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_changesets_carry_a_time_zone(client: TestClient, fmt: str) -> None:
    """GeoReport datetimes are ISO 8601 with a zone, the discovery's changesets included."""
    answer = client.get(f"{BASE}/discovery.{fmt}")
    if fmt == "json":
        found = [answer.json()["changeset"], answer.json()["endpoints"][0]["changeset"]]
    else:
        found = [element.text or "" for element in parse_xml(answer.text).iter("changeset")]
    assert len(found) == 2
    assert all(datetime.fromisoformat(text).utcoffset() is not None for text in found)


def test_service_code_is_never_null_or_unknown(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A complaint without a topic is the service ``other``; every code a request shows is listed."""
    tracking_id = desk.submit(submission(title="Tanpa topik", body="Tanpa topik.")).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    services = {s["service_code"] for s in client.get(f"{BASE}/services.json").json()}
    (request,) = client.get(f"{BASE}/requests/{tracking_id}.json").json()
    assert request["service_code"] == "other"
    assert request["service_name"] == "Lainnya"
    assert {r["service_code"] for r in client.get(f"{BASE}/requests.json").json()} <= services
