from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.testing import FrozenClock
from portal_helpers import ADMIN, JAKPUS, csrf, sign_in, submission


def _published(desk: lc.ComplaintDesk, institution: str = "31.71", **fields: Any) -> str:
    tid = desk.submit(submission(**fields)).tracking_id
    desk.forward(ADMIN, tid, institution=institution)
    return tid


def test_home_shows_counts_by_status_and_province(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The home page counts the public complaints per status and lists the busiest provinces."""
    for _ in range(3):
        _published(desk, location={"region": "31.71"})
    followed = _published(desk, institution="32.73", location={"region": "32.73"})
    desk.follow_up(lc.Principal.institution_officer("x", institution="32.73"), followed, "Sudah.")
    desk.submit(submission(location={"region": "33.74"}))  # not verified: not counted
    page = client.get("/").text
    by_status = page[page.index('id="stats-by-status"') :]
    assert '<meter min="0" max="3" value="3"></meter><span class="count">3</span>' in by_status
    assert "Ditindaklanjuti" in by_status
    by_province = page[page.index('id="stats-by-province"') :]
    assert by_province.index("Daerah Khusus Ibukota Jakarta") < by_province.index("Jawa Barat")
    assert "Jawa Tengah" not in by_province


def test_few_confidential_complaints_are_not_counted_publicly(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Two confidential complaints leave the public count as it was, marked as suppressed."""
    _published(desk, location={"region": "31.71"})
    for _ in range(2):
        _published(desk, location={"region": "31.71"}, confidential=True)
    rows = client.get("/api/v1/stats", params={"group_by": "province"}).json()
    assert rows == [{"province": "31", "count": 1, "merged": 0, "suppressed": True}]
    admin_rows = client.get(
        "/api/v1/stats", params={"group_by": "province"}, headers={"Authorization": "Bearer t-admin"}
    ).json()
    assert admin_rows == [{"province": "31", "count": 3, "merged": 0, "suppressed": False}]


def test_bad_statistics_requests_are_422(client: TestClient) -> None:
    """An unknown group key or filter value is refused with the field named."""
    answer = client.get("/api/v1/stats", params={"group_by": "colour"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "group_by"
    assert client.get("/api/v1/stats", params={"group_by": "status", "status": "lost"}).status_code == 422


def test_the_map_holds_public_complaints_only_without_identity(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Points are rounded or at the region's centroid; confidential ones and reporters never appear."""
    shown = _published(
        desk,
        title="Jalan rusak",
        anonymous=True,
        reporter={"name": "Siti Rahayu"},
        location={"region": "31.71.01", "lat": -6.17543, "lon": 106.82721},
    )
    placed = _published(desk, title="Tanpa titik", location={"region": "32.73"}, institution="32.73")
    _published(
        desk, title="Rahasia", confidential=True, location={"region": "31.71", "lat": -6.2, "lon": 106.8}
    )
    collection = client.get("/api/v1/map/complaints.geojson").json()
    by_id = {f["properties"]["tracking_id"]: f for f in collection["features"]}
    assert set(by_id) == {shown, placed}
    assert by_id[shown]["geometry"]["coordinates"] == [106.827, -6.175]
    assert by_id[placed]["properties"]["placed"] == "region"
    assert "Siti" not in str(collection)


def test_the_choropleth_counts_per_province(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The regions layer puts each province's count at its centroid; regencies on request."""
    for _ in range(2):
        _published(desk, location={"region": "31.71"})
    provinces = client.get("/api/v1/map/regions.geojson").json()["features"]
    assert [(f["properties"]["name"], f["properties"]["count"]) for f in provinces] == [
        ("Daerah Khusus Ibukota Jakarta", 2)
    ]
    regencies = client.get("/api/v1/map/regions.geojson", params={"level": "regency"}).json()["features"]
    assert regencies[0]["properties"]["code"] == "31.71"
    assert client.get("/api/v1/map/regions.geojson", params={"level": "village"}).status_code == 422


def test_the_sla_dashboard_shows_each_institution(
    client: TestClient, desk: lc.ComplaintDesk, clock: FrozenClock
) -> None:
    """Admins see per institution the on-time shares and the deadlines missed now."""
    on_time = _published(desk)
    desk.follow_up(JAKPUS, on_time, "Sudah.")
    _published(desk, institution="32.73")
    clock.advance(days=30)
    sign_in(client, "admin-demo")
    page = client.get("/staf/dasbor").text
    jakpus = page[page.index('data-institution="31.71"') :]
    assert "100%" in jakpus.split("</tr>")[0]
    bandung = page[page.index('data-institution="32.73"') :].split("</tr>")[0]
    assert '<td class="overdue">1</td>' in bandung


def test_only_admins_and_oversight_see_the_dashboard(client: TestClient) -> None:
    """Institution officers get 403; the supervisor may read it."""
    sign_in(client, "pemkot-jakpus")
    assert client.get("/staf/dasbor").status_code == 403
    client.post("/keluar", data={"csrf_token": csrf(client, "/")})
    sign_in(client, "ombudsman-demo")
    assert client.get("/staf/dasbor").status_code == 200
