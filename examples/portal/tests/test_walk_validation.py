"""Issue 21: input a first walk got stored (half points, unknown topics, regions that disagree) is refused.

Each entry point (the form, the JSON API, Open311, the staff forward form) refuses it with the library's
Indonesian message, stores nothing, and every page still answers afterwards.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_portal.web.rendering import make_templates
from portal_helpers import ADMIN, OPEN311_KEY, csrf, error_summary, sign_in, submit

API = {"kind": "pengaduan", "channel": "api", "title": "Lampu mati", "body": "Gelap."}
FORM = {"kind": "pengaduan", "title": "Jalan berlubang", "body": "Di depan SDN 3."}
OPEN311 = {"api_key": OPEN311_KEY, "service_code": "roads-bridges", "description": "Lubang."}


def _form(client: TestClient, **fields: str) -> list[str]:
    answer = client.post("/lapor", data={**FORM, **fields, "csrf_token": csrf(client, "/lapor")})
    assert answer.status_code == 422, answer.text
    return error_summary(answer.text)


def _pages_answer(client: TestClient) -> None:
    """The pages that broke on a half point all answer 200."""
    for path in ("/", "/pengaduan", "/lacak", "/staf/verifikasi"):
        assert client.get(path).status_code in (200, 303), path


@pytest.mark.parametrize(("given", "missing"), [({"lat": "-6.2"}, "Bujur"), ({"lon": "106.8"}, "Lintang")])
def test_half_a_point_is_refused_on_the_form(
    client: TestClient, desk: lc.ComplaintDesk, given: dict[str, str], missing: str
) -> None:
    """Latitude without longitude (or the reverse) names the missing one, in Indonesian."""
    expected = f"{missing}: lintang dan bujur harus diisi bersama atau tidak sama sekali"
    assert _form(client, **given) == [expected]
    assert desk.complaints(ADMIN).items == ()
    sign_in(client, "admin-demo")
    _pages_answer(client)


def test_half_a_point_is_refused_by_the_api_and_open311(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The JSON API names ``location.lon``, Open311 names ``long``; both in Indonesian by default."""
    api = client.post("/api/v1/complaints", json={**API, "location": {"lat": -6.2}})
    assert api.status_code == 422
    assert [(e["field"], e["code"]) for e in api.json()["errors"]] == [
        ("location.lon", "location.incomplete")
    ]
    open311 = client.post("/open311/v2/requests.json", data={**OPEN311, "lat": "-6.2", "address_id": "31.71"})
    assert open311.status_code == 400
    assert open311.json()[0]["description"].startswith("long: lintang dan bujur")
    assert desk.complaints(ADMIN).items == ()


def test_a_half_point_stored_earlier_is_not_drawn() -> None:
    """A complaint stored with half a point (before the library refused it) renders without its point."""
    location = SimpleNamespace(address="Jl. Merdeka 1", lat=-6.2, lon=None, region=None)
    view = SimpleNamespace(location=location, title="Judul", body="Isi", withheld=())
    page = (
        make_templates()
        .env.from_string('{% from "macros.html" import content with context %}{{ content(view) }}')
        .render(view=view, t=lambda key, **_: key)
    )
    assert "Jl. Merdeka 1" in page
    assert "coords" not in page


def test_unknown_topics_are_refused_everywhere(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """``topic=nope`` on the form, ``category=nope`` on the API and on the staff forward form: refused."""
    assert _form(client, topic="nope") == ["Topik: bukan topik yang dikenal"]
    api = client.post("/api/v1/complaints", json={**API, "category": "nope"})
    assert api.json()["errors"][0]["message"] == "bukan topik yang dikenal"
    receipt = submit(client)
    sign_in(client, "admin-demo")
    page = client.post(
        f"/staf/pengaduan/{receipt.tracking_id}/teruskan",
        data={"institution": "31.71", "category": "nope", "csrf_token": csrf(client, "/staf/verifikasi")},
    )
    assert page.status_code == 422
    assert error_summary(page.text) == ["Topik: bukan topik yang dikenal"]
    assert desk.view(ADMIN, receipt.tracking_id).status is lc.Status.SUBMITTED
    assert "Topik nope" not in client.get(f"/staf/pengaduan/{receipt.tracking_id}").text


def test_a_regency_outside_the_chosen_province_is_refused(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Province 31 with regency 32.73 (a stale form) is refused, not stored as 32.73."""
    found = _form(client, province="31", regency="32.73")
    assert found == ["Kabupaten/kota: harus terletak di dalam provinsi yang dipilih"]
    assert desk.complaints(ADMIN).items == ()
    assert submit(client, province="32", regency="32.73").tracking_id  # agreeing pickers still work


def test_a_point_far_from_its_region_is_refused_everywhere(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Jakarta Pusat (31.71) with longitude 120 (the Flores Sea): refused on Open311, the API and the form."""
    open311 = client.post(
        "/open311/v2/requests.json", data={**OPEN311, "address_id": "31.71", "lat": "-6.2", "long": "120"}
    )
    assert open311.status_code == 400
    assert [e["description"] for e in open311.json()] == [
        "address_id: berada lebih dari 300 km dari titik koordinat yang diberikan"
    ]
    api = client.post(
        "/api/v1/complaints", json={**API, "location": {"region": "31.71", "lat": -6.2, "lon": 120.0}}
    )
    assert [(e["field"], e["code"]) for e in api.json()["errors"]] == [
        ("location.region", "region.far_from_point")
    ]
    form = _form(client, province="31", regency="31.71", lat="-6.2", lon="120")
    assert form == ["Lokasi (wilayah): berada lebih dari 300 km dari titik koordinat yang diberikan"]
    assert desk.complaints(ADMIN).items == ()


def test_a_right_to_left_override_in_a_title_is_refused(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """An RLO (U+202E) would show a title reversed to every reader: the form refuses it, in Indonesian."""
    found = _form(client, title="Pungli di \u202eketol")
    assert len(found) == 1
    assert found[0].startswith("Judul: ")
    api = client.post("/api/v1/complaints", json={**API, "title": "Lampu \u202emati"})
    assert [(e["field"], e["code"]) for e in api.json()["errors"]] == [("title", "text.bidi_control")]
    assert desk.complaints(ADMIN).items == ()


def test_home_counts_statuses_in_lifecycle_order(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Forwarded, then followed up, then closed: the order a complaint goes, whatever the counts."""
    for _ in range(2):
        done = desk.submit(lc.Submission.from_dict({**API, "channel": "web"})).tracking_id
        desk.forward(ADMIN, done, institution="31.71")
        desk.follow_up(lc.Principal.institution_officer("o", institution="31.71"), done, "Sudah.")
    fresh = desk.submit(lc.Submission.from_dict({**API, "channel": "web"})).tracking_id
    desk.forward(ADMIN, fresh, institution="31.71")
    page = client.get("/").text
    bars = page[page.index('id="stats-by-status"') : page.index("</ul>", page.index('id="stats-by-status"'))]
    assert bars.index("Diteruskan") < bars.index("Ditindaklanjuti")


def test_address_and_coordinates_are_told_apart(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The address, a separator, then each coordinate named: they no longer run together."""
    location = {"region": "31.71", "lat": -6.17543, "lon": 106.82721, "address": "Jl. Merdeka 1"}
    tracking_id = desk.submit(lc.Submission.from_dict({**API, "location": location})).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    sign_in(client, "admin-demo")  # the public sees no address
    page = client.get(f"/staf/pengaduan/{tracking_id}").text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert re.search(r"Jl\. Merdeka 1 · Lintang -6\.17\d\d, Bujur 106\.82\d\d", text), text
