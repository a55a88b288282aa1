"""Open311 GeoReport v2 conformance: every field the specification lists, per endpoint, in XML and JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.testing import FrozenClock
from portal_helpers import ADMIN, JAKPUS, OPEN311_KEY, submission

BASE = "/open311/v2"
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
CREATED_FIELDS = {"service_request_id", "service_notice", "account_id"}
ERROR_FIELDS = {"code", "description"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def parse_xml(text: str) -> ET.Element:
    """Parse the portal's own XML answer (trusted: it is what the test just received from the app)."""
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(text.encode())  # noqa: S314 - the portal's own output, not untrusted input


def children(element: ET.Element) -> set[str]:
    return {child.tag for child in element}


def get_both(client: TestClient, path: str, **params: str) -> tuple[Any, ET.Element]:
    """The JSON and the XML answer of one resource, both 200, with the right content types."""
    as_json = client.get(f"{BASE}/{path}.json", params=params)
    as_xml = client.get(f"{BASE}/{path}.xml", params=params)
    assert as_json.status_code == as_xml.status_code == 200, (as_json.text, as_xml.text)
    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    assert as_xml.headers["content-type"] == "text/xml; charset=utf-8"
    return as_json.json(), parse_xml(as_xml.text)


def assert_errors(answer: Any, status: int, fmt: str) -> list[str]:
    """The answer is a GeoReport error list with the status; returns the descriptions."""
    assert answer.status_code == status, answer.text
    if fmt == "json":
        errors = answer.json()
        assert all(set(e) == ERROR_FIELDS and e["code"] == status for e in errors)
        return [e["description"] for e in errors]
    root = parse_xml(answer.text)
    assert root.tag == "errors"
    assert all(children(e) == ERROR_FIELDS and e.findtext("code") == str(status) for e in root)
    return [e.findtext("description") or "" for e in root]


@pytest.fixture
def complaints(desk: lc.ComplaintDesk, clock: FrozenClock) -> dict[str, str]:
    """Complaints in several states, by a name saying what each is."""
    made: dict[str, str] = {}

    def make(name: str, **fields: Any) -> str:
        made[name] = desk.submit(submission(**fields)).tracking_id
        clock.advance(minutes=5)
        return made[name]

    closed = make("closed", body="Lampu mati.", category="street-lighting")
    desk.forward(ADMIN, closed, institution="31.71")
    desk.follow_up(JAKPUS, closed, "Diganti.")
    clock.advance(days=30)  # past the 10 quiet working days after the follow-up (Nyepi, Idul Fitri between)
    desk.sweep()
    open_one = make(
        "open",
        title="Jalan rusak",
        body="Berlubang di depan SDN 3.",
        category="roads-bridges",
        location={"region": "31.71.01", "lat": -6.17543, "lon": 106.82721, "address": "Jl. Merdeka 1"},
    )
    desk.forward(ADMIN, open_one, institution="31.71")
    followed = make("followed_up", title="Sampah", body="Menumpuk.", category="waste")
    desk.forward(ADMIN, followed, institution="31.71")
    desk.follow_up(JAKPUS, followed, "Sudah diangkut.")
    anonymous = make(
        "anonymous",
        body="Pungli di loket.",
        anonymous=True,
        reporter={"name": "Siti Rahayu", "email": "siti@contoh.go.id", "phone": "081234567890"},
    )
    desk.forward(ADMIN, anonymous, institution="31.71")
    secret = make("confidential", body="Rahasia sekali.", confidential=True, category="waste")
    desk.forward(ADMIN, secret, institution="31.71")
    archived = make("archived", body="Spam.")
    desk.archive(ADMIN, archived, "Bukan pengaduan.")
    make("submitted", body="Belum diverifikasi.")
    return made


# --- discovery ----------------------------------------------------------------------------------------------
def test_discovery_lists_every_field_in_both_formats(client: TestClient) -> None:
    """changeset, contact, key_service and each endpoint's specification, url, changeset, type, formats."""
    as_json, as_xml = get_both(client, "discovery")
    assert set(as_json) == DISCOVERY_FIELDS
    (endpoint,) = as_json["endpoints"]
    assert set(endpoint) == ENDPOINT_FIELDS
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] in ("production", "test")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert as_xml.tag == "discovery"
    assert children(as_xml) == DISCOVERY_FIELDS
    (xml_endpoint,) = as_xml.find("endpoints") or []
    assert xml_endpoint.tag == "endpoint"
    assert children(xml_endpoint) == ENDPOINT_FIELDS
    assert [f.text for f in xml_endpoint.find("formats") or []] == ["text/xml", "application/json"]


# --- services -----------------------------------------------------------------------------------------------
def test_services_list_every_topic_with_every_field(client: TestClient, portal: Any) -> None:
    """One service per topic, each with all seven fields; metadata true, type realtime."""
    as_json, as_xml = get_both(client, "services")
    topics = [t for root, kids in portal.topic_groups() for t in (root, *kids)]
    assert [s["service_code"] for s in as_json] == [t.id for t in topics]
    assert all(set(s) == SERVICE_FIELDS for s in as_json)
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in as_json)
    health = next(s for s in as_json if s["service_code"] == "health-insurance")
    assert health["group"] == "Kesehatan"
    assert "Health insurance" in health["keywords"] or "health-insurance" in health["keywords"]
    assert as_xml.tag == "services"
    assert [s.tag for s in as_xml] == ["service"] * len(topics)
    assert all(children(s) == SERVICE_FIELDS for s in as_xml)
    assert {s.findtext("metadata") for s in as_xml} == {"true"}


def test_service_definition_lists_every_attribute_field(client: TestClient) -> None:
    """service_code and attributes, each with all eight fields and values of key and name."""
    as_json, as_xml = get_both(client, "services/waste")
    assert set(as_json) == DEFINITION_FIELDS
    assert as_json["service_code"] == "waste"
    attributes = as_json["attributes"]
    assert [a["code"] for a in attributes] == ["kind", "title", "region", "anonymous", "confidential"]
    for attribute in attributes:
        assert set(attribute) == ATTRIBUTE_FIELDS
        assert attribute["datatype"] in DATATYPES
        assert all(set(v) == {"key", "name"} for v in attribute["values"])
    assert sorted(a["order"] for a in attributes) == [1, 2, 3, 4, 5]
    assert [v["key"] for v in attributes[0]["values"]] == [k.value for k in lc.Kind]
    assert as_xml.tag == "service_definition"
    assert children(as_xml) == DEFINITION_FIELDS
    xml_attributes = as_xml.find("attributes")
    assert xml_attributes is not None
    assert all(a.tag == "attribute" and children(a) == ATTRIBUTE_FIELDS for a in xml_attributes)
    kind_values = xml_attributes[0].find("values")
    assert kind_values is not None
    assert all(v.tag == "value" and children(v) == {"key", "name"} for v in kind_values)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404_in_the_asked_format(client: TestClient, fmt: str) -> None:
    """An unknown service_code answers a GeoReport error list."""
    descriptions = assert_errors(client.get(f"{BASE}/services/potholes.{fmt}"), 404, fmt)
    assert descriptions == ["service_code tidak dikenal"]
    english = client.get(f"{BASE}/services/potholes.{fmt}", headers={"Accept-Language": "en"})
    assert assert_errors(english, 404, fmt) == ["service_code not found"]


@pytest.mark.parametrize("path", ["services", "discovery", "requests"])
def test_unknown_format_is_404_in_xml(client: TestClient, path: str) -> None:
    """A suffix other than xml or json answers 404 in XML, the required format."""
    assert_errors(client.get(f"{BASE}/{path}.csv"), 404, "xml")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_another_jurisdiction_is_404(client: TestClient, fmt: str) -> None:
    """A jurisdiction_id this endpoint does not serve is not found; its own is fine."""
    assert_errors(client.get(f"{BASE}/services.{fmt}", params={"jurisdiction_id": "sfgov.org"}), 404, fmt)
    assert (
        client.get(f"{BASE}/services.{fmt}", params={"jurisdiction_id": "lapor.example.go.id"}).status_code
        == 200
    )


# --- GET requests -------------------------------------------------------------------------------------------
def test_requests_carry_every_field_in_both_formats(client: TestClient, complaints: dict[str, str]) -> None:
    """Each request has all seventeen fields in JSON and in XML."""
    as_json, as_xml = get_both(client, "requests")
    assert as_json
    assert all(set(r) == REQUEST_FIELDS for r in as_json)
    assert as_xml.tag == "service_requests"
    assert all(r.tag == "request" and children(r) == REQUEST_FIELDS for r in as_xml)
    assert [r.findtext("service_request_id") for r in as_xml] == [r["service_request_id"] for r in as_json]


def test_a_request_maps_the_complaint(
    client: TestClient, complaints: dict[str, str], clock: FrozenClock
) -> None:
    """Tracking ID, status, service, agency, dates with offsets, region address, rounded point."""
    tid = complaints["open"]
    (request,) = client.get(f"{BASE}/requests/{tid}.json").json()
    assert request["service_request_id"] == tid
    assert request["status"] == "open"
    assert request["status_notes"] == "Diteruskan"
    assert (request["service_code"], request["service_name"]) == ("roads-bridges", "Jalan dan jembatan")
    assert request["description"] == "Berlubang di depan SDN 3."
    assert request["agency_responsible"] == "Pemerintah Kota Administrasi Jakarta Pusat"
    assert request["requested_datetime"] == "2026-04-16T10:05:00+07:00"
    assert datetime.fromisoformat(request["updated_datetime"]).utcoffset() == timedelta(hours=7)
    assert request["expected_datetime"] == "2026-04-24T00:00:00+07:00"  # 5 working days after forwarding
    assert request["address"] == "Gambir, Kota Administrasi Jakarta Pusat, Daerah Khusus Ibukota Jakarta"
    assert request["address_id"] == "31.71.01"
    assert (request["lat"], request["long"]) == (-6.175, 106.827)
    assert request["zipcode"] is None
    assert request["media_url"] is None


def test_followed_up_and_closed_statuses(client: TestClient, complaints: dict[str, str]) -> None:
    """A follow-up shows in status_notes; a closed complaint is closed."""
    followed = client.get(f"{BASE}/requests/{complaints['followed_up']}.json").json()[0]
    assert (followed["status"], followed["status_notes"]) == ("open", "Ditindaklanjuti: Sudah diangkut.")
    closed = client.get(f"{BASE}/requests/{complaints['closed']}.xml")
    request = parse_xml(closed.text)[0]
    assert request.findtext("status") == "closed"
    assert request.findtext("status_notes") == "Selesai: Diganti."
    assert request.findtext("zipcode") == ""


def test_confidential_and_unpublished_complaints_never_appear(
    client: TestClient, complaints: dict[str, str]
) -> None:
    """Hidden complaints are absent from lists; by ID only non-confidential ones show status and service.

    Archived and unverified complaints show their status, service and times, nothing of their content, so a
    client can read its request right after posting it (issue 21); a confidential one is not found.
    """
    hidden = [complaints[name] for name in ("confidential", "archived", "submitted")]
    everything = client.get(f"{BASE}/requests.xml").text + client.get(f"{BASE}/requests.json").text
    by_ids = client.get(f"{BASE}/requests.json", params={"service_request_id": ",".join(hidden)})
    assert [r["service_request_id"] for r in by_ids.json()] == hidden[1:]
    for tid in hidden:
        assert tid not in everything
    assert_errors(client.get(f"{BASE}/requests/{hidden[0]}.json"), 404, "json")
    for tid in hidden[1:]:
        (pending,) = client.get(f"{BASE}/requests/{tid}.json").json()
        assert pending["description"] is None
        assert pending["lat"] is pending["address"] is pending["agency_responsible"] is None
    assert "Rahasia sekali." not in everything + by_ids.text
    assert "Spam." not in by_ids.text


def test_anonymous_requests_carry_no_identity(client: TestClient, complaints: dict[str, str]) -> None:
    """Nothing of an anonymous reporter appears in either format."""
    for fmt in ("json", "xml"):
        text = client.get(f"{BASE}/requests/{complaints['anonymous']}.{fmt}").text
        assert "Pungli di loket." in text
        for identity in ("Siti", "siti@contoh.go.id", "081234567890", "6281234567890"):
            assert identity not in text


def test_filters_by_id_list_service_code_and_status(client: TestClient, complaints: dict[str, str]) -> None:
    """service_request_id overrides the rest; service_code and status filter."""

    def ids(**params: str) -> set[str]:
        return {r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params=params).json()}

    picked = f"{complaints['open']}, {complaints['closed']},nonsense"
    assert ids(service_request_id=picked, status="open") == {complaints["open"], complaints["closed"]}
    assert ids(service_code="waste") == {complaints["followed_up"]}
    assert ids(service_code="waste,street-lighting") == {complaints["followed_up"], complaints["closed"]}
    assert ids(status="closed") == {complaints["closed"]}
    assert ids(status="open") == {complaints[n] for n in ("open", "followed_up", "anonymous")}
    assert ids(status="open,closed") == ids()


def test_date_range_filters_and_defaults_to_90_days(client: TestClient, complaints: dict[str, str]) -> None:
    """start_date and end_date bound requested_datetime; the default window is the last 90 days."""
    first = {"start_date": "2026-03-17T00:00:00+07:00", "end_date": "2026-03-17T10:02:00+07:00"}
    answer = client.get(f"{BASE}/requests.json", params=first).json()
    assert [r["service_request_id"] for r in answer] == [complaints["closed"]]
    assert client.get(f"{BASE}/requests.json", params={"end_date": "2026-01-01T00:00:00Z"}).json() == []


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-15T00:00:00Z"},
        {"start_date": "2026-03-10T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
        {"start_date": "kemarin"},
        {"start_date": "2026-03-01T00:00:00"},
        {"status": "pending"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(client: TestClient, params: dict[str, str], fmt: str) -> None:
    """Spans over 90 days, reversed ranges, unreadable or zone-less dates and unknown statuses are 400."""
    assert_errors(client.get(f"{BASE}/requests.{fmt}", params=params), 400, fmt)


def test_a_single_request_is_a_list_of_one_and_unknown_ids_are_404(
    client: TestClient, complaints: dict[str, str]
) -> None:
    """GET requests/{id} answers a one-item list; an unknown or malformed ID is 404."""
    as_json, as_xml = get_both(client, f"requests/{complaints['open'].lower()}")
    assert len(as_json) == 1
    assert len(as_xml) == 1
    assert_errors(client.get(f"{BASE}/requests/0AY3-0547-1W7-S.json"), 404, "json")
    assert_errors(client.get(f"{BASE}/requests/not-an-id.xml"), 404, "xml")


# --- POST requests ------------------------------------------------------------------------------------------
NEW = {
    "api_key": OPEN311_KEY,
    "service_code": "roads-bridges",
    "lat": "-6.1754",
    "long": "106.8272",
    "description": "Lubang besar di Jl. Merdeka.\nSudah dua minggu.",
    "first_name": "Budi",
    "last_name": "Santoso",
    "email": "budi@contoh.go.id",
    "phone": "0812-3456-7890",
    "device_id": "device-123",
    "account_id": "acc-9",
    "media_url": "https://example.org/foto.jpg",
    "attribute[region]": "31.71.01",
}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_a_complaint_and_answers_every_field(
    client: TestClient, desk: lc.ComplaintDesk, fmt: str
) -> None:
    """The answer lists service_request_id, service_notice and account_id; the complaint is stored."""
    answer = client.post(f"{BASE}/requests.{fmt}", data=NEW)
    assert answer.status_code == 200, answer.text
    if fmt == "json":
        (created,) = answer.json()
        assert set(created) == CREATED_FIELDS
        tid = created["service_request_id"]
    else:
        (request,) = parse_xml(answer.text)
        assert request.tag == "request"
        assert children(request) == CREATED_FIELDS
        tid = request.findtext("service_request_id") or ""
    view = desk.view(ADMIN, tid)
    assert view.channel is lc.Channel.API
    assert view.category == "roads-bridges"
    assert view.title == "Lubang besar di Jl. Merdeka."
    assert view.region == "31.71.01"
    assert view.reporter is not None
    assert (view.reporter.name, view.reporter.phone) == ("Budi Santoso", "+6281234567890")
    history = str(desk.history(ADMIN, tid))
    for dropped in ("device-123", "acc-9", "foto.jpg"):
        assert dropped not in history


def test_post_attributes_set_kind_title_and_flags(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """attribute[kind], attribute[title] and the flags reach the complaint; address_id is the region."""
    data = {
        "api_key": OPEN311_KEY,
        "service_code": "waste",
        "address_id": "3273",
        "description": "Usul bank sampah.",
        "attribute[kind]": "aspirasi",
        "attribute[title]": "Bank sampah RW 5",
        "attribute[anonymous]": "true",
        "attribute[confidential]": "false",
    }
    (created,) = client.post(f"{BASE}/requests.json", data=data).json()
    view = desk.view(ADMIN, created["service_request_id"])
    assert (view.kind, view.title, view.region, view.anonymous, view.confidential) == (
        lc.Kind.ASPIRASI,
        "Bank sampah RW 5",
        "32.73",
        True,
        False,
    )


def test_a_long_first_line_is_cut_into_a_title(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Without attribute[title] the title is the description's first line, cut at a word to 150 characters."""
    data = {
        "api_key": OPEN311_KEY,
        "service_code": "waste",
        "address_string": "Pasar Baru",
        "description": "kata " * 60,
    }
    (created,) = client.post(f"{BASE}/requests.json", data=data).json()
    title = desk.view(ADMIN, created["service_request_id"]).title or ""
    assert len(title) <= 150
    assert title.endswith("kata…")


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code wajib diisi"),
        ({"service_code": "potholes"}, 404, "service_code tidak dikenal"),
        ({"lat": None, "long": None, "attribute[region]": None}, 400, "address_id"),
        ({"long": None}, 400, "long: "),
        ({"lat": "north"}, 400, "lat: "),
        ({"lat": "40.7"}, 400, "lat: "),
        ({"email": "budi@"}, 400, "email: "),
        ({"attribute[anonymous]": "maybe"}, 400, "attribute[anonymous]: "),
        ({"attribute[anonymous]": "yes"}, 400, "attribute[anonymous]: "),
        ({"attribute[kind]": "gosip"}, 400, "attribute[kind]: "),
        ({"attribute[region]": "31.99"}, 400, "attribute[region]: "),
        ({"attribute[region]": None, "address_id": "31.99"}, 400, "address_id: "),
        ({"jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors(
    client: TestClient,
    desk: lc.ComplaintDesk,
    change: dict[str, str | None],
    status: int,
    says: str,
    fmt: str,
) -> None:
    """Each missing or bad parameter answers its GeoReport error, and nothing is stored."""
    data = {key: value for key, value in {**NEW, **change}.items() if value is not None}
    descriptions = assert_errors(client.post(f"{BASE}/requests.{fmt}", data=data), status, fmt)
    assert any(says in d for d in descriptions), descriptions
    assert not any(internal in d for d in descriptions for internal in ("location.", "reporter.", "body:"))
    assert desk.complaints(ADMIN).items == ()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"long": None}, lc.FieldError("long", "location.incomplete")),
        ({"lat": "north"}, lc.FieldError("lat", "value.not_number", {"type": "string"})),
        (
            {"long": "150.0"},
            lc.FieldError("long", "location.lon_outside_indonesia", {"min": 94.5, "max": 141.5}),
        ),
        ({"attribute[title]": ""}, None),
    ],
)
@pytest.mark.parametrize("language", [None, "id", "en-GB,en;q=0.9", "fr, en;q=0.5"])
def test_post_errors_name_the_georeport_parameter_with_the_library_message(
    client: TestClient, change: dict[str, str | None], expected: lc.FieldError | None, language: str | None
) -> None:
    """``long: <message>``, never ``location.lon``, in the caller's language (Indonesian by default)."""
    data = {key: value for key, value in {**NEW, **change}.items() if value is not None}
    headers = {"Accept-Language": language} if language else {}
    answer = client.post(f"{BASE}/requests.json", data=data, headers=headers)
    if expected is None:  # an empty title falls back to the description's first line
        assert answer.status_code == 200, answer.text
        return
    lang = "en" if language and "en" in language else "id"
    assert assert_errors(answer, 400, "json") == [f"{expected.field}: {expected.message(lang)}"]


def test_bad_filter_errors_use_the_library_messages(client: TestClient) -> None:
    """A zone-less date and an unknown status are described by the library's codes' texts."""
    naive = assert_errors(
        client.get(f"{BASE}/requests.json", params={"start_date": "2026-03-01T00:00"}), 400, "json"
    )
    assert naive == [f"start_date: {lc.FieldError('start_date', 'instant.naive').message('id')}"]
    english = client.get(
        f"{BASE}/requests.json", params={"status": "pending"}, headers={"Accept-Language": "en"}
    )
    assert assert_errors(english, 400, "json") == ["status: must be one of open, closed"]


def test_the_schema_documents_open311_errors_and_formats(client: TestClient) -> None:
    """Every GeoReport operation documents 200 in JSON and XML, 404 and other client errors; POST also 403."""
    schema = client.get("/openapi.json").json()
    operations = [
        op for path, item in schema["paths"].items() if path.startswith(BASE) for op in item.values()
    ]
    assert len(operations) == 6
    for operation in operations:
        assert {"200", "404", "4XX"} <= set(operation["responses"])
        assert {"application/json", "text/xml"} <= set(operation["responses"]["200"]["content"])
