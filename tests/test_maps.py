from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, WIB, make_desk, officer, submission
from lapor_core._application import statistics
from lapor_core._domain.access import Relation, policy_for
from lapor_core._domain.maps import COORDINATE_DECIMALS, complaint_feature, feature_collection, region_counts
from lapor_core._domain.model import LAT_RANGE, LON_RANGE
from lapor_core._domain.regions import RegionTable
from lapor_core._domain.views import ComplaintView, build_view
from lapor_core.plugins import Complaint
from lapor_core.testing.builders import complaint, location

REGIONS = RegionTable.default()


def public_view(c: Complaint) -> ComplaintView:
    """The complaint as the public reads it."""
    return build_view(c, (), None, (), policy_for(Relation.PUBLIC, c))


def published(**fields: object) -> Complaint:
    """A forwarded, public complaint at Jakarta Pusat."""
    fields.setdefault("status", lc.Status.FORWARDED)
    fields.setdefault("institution", "31.71")
    return complaint(**fields)


# --- features ----------------------------------------------------------------------------------------------


def test_a_point_is_rounded_to_about_a_hundred_metres() -> None:
    """Coordinates keep three decimals and GeoJSON's [lon, lat] order; no address."""
    c = published(location=location("31.71.01", lat=-6.186543, lon=106.834187, address="Jl. Menteng Raya 1"))
    feature = complaint_feature(public_view(c), REGIONS)
    assert feature is not None
    assert feature["geometry"] == {"type": "Point", "coordinates": [106.834, -6.187]}
    assert feature["properties"]["placed"] == "rounded"
    assert "Menteng Raya" not in json.dumps(feature)


def test_without_coordinates_the_point_is_the_region_centroid() -> None:
    """A district has no centroid of its own: its regency's is used."""
    feature = complaint_feature(public_view(published(location=location("31.71.01"))), REGIONS)
    assert feature is not None
    lat, lon = REGIONS.centroid_of("31.71")  # type: ignore[misc]
    assert feature["geometry"]["coordinates"] == [lon, lat]
    assert feature["properties"]["placed"] == "region"


def test_a_complaint_with_no_place_has_no_feature() -> None:
    """No location, or a region code not in the table, gives no feature."""
    assert complaint_feature(public_view(published()), REGIONS) is None
    assert complaint_feature(public_view(published(location=location("31.99"))), REGIONS) is None


def test_feature_properties_are_public_metadata_only() -> None:
    """The properties name the complaint, its state and place, never its reporter."""
    c = published(location=location("31.71.01"), anonymous=True, identity_ref="who-1", owner_hash="h" * 64)
    feature = complaint_feature(public_view(c), REGIONS)
    assert feature is not None
    assert set(feature["properties"]) == {
        "tracking_id",
        "title",
        "status",
        "summary",
        "kind",
        "channel",
        "category",
        "region",
        "institution",
        "submitted_at",
        "support_count",
        "placed",
    }
    assert "who-1" not in json.dumps(feature)
    assert "h" * 64 not in json.dumps(feature)


@settings(max_examples=200)
@given(
    lat=st.floats(LAT_RANGE[0], LAT_RANGE[1], allow_nan=False),
    lon=st.floats(LON_RANGE[0], LON_RANGE[1], allow_nan=False),
)
def test_every_mapped_point_is_within_about_a_hundred_metres_and_no_finer(lat: float, lon: float) -> None:
    """A mapped point is at most half a thousandth of a degree off and has at most three decimals."""
    feature = complaint_feature(public_view(published(location=location("31.71", lat=lat, lon=lon))), REGIONS)
    assert feature is not None
    x, y = feature["geometry"]["coordinates"]
    assert abs(x - lon) <= 0.0005 + 1e-9
    assert abs(y - lat) <= 0.0005 + 1e-9
    assert round(x, COORDINATE_DECIMALS) == x
    assert round(y, COORDINATE_DECIMALS) == y
    assert not re.search(r"\.\d{4,}", json.dumps(feature["geometry"]))


def test_feature_collection_wraps_features() -> None:
    """A collection lists its features in order."""
    assert feature_collection(iter([{"type": "Feature"}])) == {
        "type": "FeatureCollection",
        "features": [{"type": "Feature"}],
    }


# --- choropleth --------------------------------------------------------------------------------------------


def test_region_counts_put_rows_at_region_centroids() -> None:
    """Each row becomes a point at its region's centroid, with its name, count and suppression."""
    rows = [
        {"regency": "31.71", "count": 4, "suppressed": True},
        {"regency": None, "count": 2, "suppressed": False},
        {"regency": "31.99", "count": 1, "suppressed": False},
    ]
    collection = region_counts(rows, level="regency", regions=REGIONS)
    [feature] = collection["features"]
    assert feature["id"] == "31.71"
    assert feature["properties"] == {
        "code": "31.71",
        "name": "Kota Administrasi Jakarta Pusat",
        "level": "regency",
        "count": 4,
        "suppressed": True,
    }


@pytest.mark.parametrize("level", ["district", "", "PROVINCE", None, ["province"]])
def test_region_counts_refuse_an_unknown_level(level: object) -> None:
    """Only provinces and regencies are drawn."""
    with pytest.raises(lc.ValidationError) as caught:
        region_counts([], level=level, regions=REGIONS)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"level": ("value.not_choice",)}
    assert caught.value.errors[0].params == {"choices": ("province", "regency")}
    assert caught.value.messages() == ("level: harus salah satu dari: province, regency",)


# --- through the desk --------------------------------------------------------------------------------------


def test_the_desk_maps_only_public_complaints_whoever_asks() -> None:
    """Unpublished and confidential complaints are never mapped, not even for admins."""
    desk, _ = make_desk()
    public = desk.submit(submission()).tracking_id
    secret = desk.submit(submission(confidential=True)).tracking_id
    pending = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, public, institution="31.71")
    desk.forward(ADMIN, secret, institution="31.71")
    for principal in (lc.Principal.public(), ADMIN, officer(), lc.Principal.supervisor("s")):
        collection = statistics.geojson(desk._ctx, principal)
        assert [f["id"] for f in collection["features"]] == [public]
        text = json.dumps(collection)
        assert secret not in text
        assert pending not in text
        assert "Siti" not in text
        assert "Menteng Raya" not in text


def test_the_desk_map_follows_the_filters() -> None:
    """Filters narrow the map; bad filters are refused."""
    desk, clock = make_desk()
    first = desk.submit(submission()).tracking_id
    clock.advance(days=40)
    second = desk.submit(submission(location={"region": "73.71", "lat": -5.14, "lon": 119.42})).tracking_id
    for tid, code in ((first, "31.71"), (second, "73.71")):
        desk.forward(ADMIN, tid, institution=code)
    ids = [f["id"] for f in statistics.geojson(desk._ctx, ADMIN, filters={"region": "73"})["features"]]
    assert ids == [second]
    march = {"period": (datetime(2026, 3, 1, tzinfo=WIB), datetime(2026, 4, 1, tzinfo=WIB))}
    assert [f["id"] for f in statistics.geojson(desk._ctx, ADMIN, filters=march)["features"]] == [first]
    with pytest.raises(lc.ValidationError):
        statistics.geojson(desk._ctx, ADMIN, filters={"colour": "red"})
    with pytest.raises(lc.ValidationError):
        statistics.geojson(desk._ctx, None)  # type: ignore[arg-type]


def test_the_desk_choropleth_counts_what_the_principal_may_count() -> None:
    """Admins count the unpublished complaint; the public does not, and its cell is not suppressed."""
    desk, _ = make_desk()
    shown = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, shown, institution="31.71")
    desk.submit(submission())
    admin = statistics.choropleth(desk._ctx, ADMIN, level="province")
    public = statistics.choropleth(desk._ctx, lc.Principal.public())
    assert [f["properties"]["count"] for f in admin["features"]] == [2]
    assert [
        (f["id"], f["properties"]["count"], f["properties"]["suppressed"]) for f in public["features"]
    ] == [("31", 1, False)]
    with pytest.raises(lc.ValidationError) as caught:
        statistics.choropleth(desk._ctx, ADMIN, level="district")
    assert caught.value.fields_by_name == {"level": ("value.not_choice",)}
