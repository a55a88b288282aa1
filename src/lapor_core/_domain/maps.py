"""GeoJSON (RFC 7946) for maps: public complaints as points, and counts at region centroids.

Everything here is built from what the public may read, so a map can be published as it is:

- a complaint's point is its location rounded to three decimals (about 100 m, as the public view shows it),
  or, without coordinates, the centroid of its region; its properties are public metadata and the title,
  never anything about the reporter;
- a choropleth carries the rows of the statistics (already filtered and suppressed for the principal) at the
  centroids of their regions.

Coordinates are ``[longitude, latitude]``, as GeoJSON orders them.

>>> from lapor_core._domain.regions import RegionTable
>>> region_counts([{"province": "31", "count": 12, "suppressed": False}], level="province",
...               regions=RegionTable.default())["features"][0]["geometry"]
{'type': 'Point', 'coordinates': [106.834378, -6.199049]}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from lapor_core._domain.regions import RegionTable
from lapor_core._domain.views import ComplaintView
from lapor_core.errors import NotFound, ValidationError

__all__ = [
    "COORDINATE_DECIMALS",
    "LEVELS",
    "complaint_feature",
    "feature_collection",
    "region_counts",
]

COORDINATE_DECIMALS: Final = 3
"""Decimals of a degree kept on a map: three is about 111 m of latitude."""

LEVELS: Final = ("province", "regency")
"""The region levels a choropleth can be drawn at."""

GeoJson = dict[str, Any]
"""A GeoJSON object, ready for ``json.dumps``."""


def _point(lon: float, lat: float) -> GeoJson:
    return {"type": "Point", "coordinates": [lon, lat]}


def _centroid(regions: RegionTable, code: str) -> tuple[float, float] | None:
    try:
        return regions.centroid_of(code)
    except (NotFound, ValidationError):
        return None


def complaint_feature(view: ComplaintView, regions: RegionTable) -> GeoJson | None:
    """A Point feature for a complaint as the public sees it, or None when it has no place at all.

    The point is the view's coordinates rounded to :data:`COORDINATE_DECIMALS` (``"placed": "rounded"``),
    else the centroid of its region (``"placed": "region"``).

    Args:
        view: The complaint's view for the public (its location already without a street address).
        regions: Where region centroids come from.
    """
    location = view.location
    if location is not None and location.lat is not None and location.lon is not None:
        geometry = _point(round(location.lon, COORDINATE_DECIMALS), round(location.lat, COORDINATE_DECIMALS))
        placed = "rounded"
    else:
        centroid = _centroid(regions, view.region) if view.region is not None else None
        if centroid is None:
            return None
        geometry = _point(centroid[1], centroid[0])
        placed = "region"
    properties = {
        "tracking_id": view.tracking_id,
        "title": view.title,
        "status": view.status.value,
        "summary": view.summary.value,
        "kind": view.kind.value,
        "channel": view.channel.value,
        "category": view.category,
        "region": view.region,
        "institution": view.institution,
        "submitted_at": view.submitted_at.isoformat(),
        "support_count": view.support_count,
        "placed": placed,
    }
    return {"type": "Feature", "id": view.tracking_id, "geometry": geometry, "properties": properties}


def feature_collection(features: Iterable[GeoJson]) -> GeoJson:
    """A FeatureCollection of ``features``.

    >>> feature_collection([])
    {'type': 'FeatureCollection', 'features': []}
    """
    return {"type": "FeatureCollection", "features": list(features)}


def region_counts(rows: Iterable[Mapping[str, object]], *, level: str, regions: RegionTable) -> GeoJson:
    """A FeatureCollection with one Point per region of ``rows``, at the region's centroid.

    Each feature's properties are the region's ``code``, ``name`` and ``level`` and the row's ``count``
    and ``suppressed``. Rows without a region, or whose region has no known centroid, are left out.

    Args:
        rows: Statistics rows grouped by ``level`` (``desk.stats(..., group_by=[level])``).
        level: ``"province"`` or ``"regency"``.
        regions: Where names and centroids come from.

    Raises:
        ValidationError: ``level`` is not one of :data:`LEVELS`.
    """
    if level not in LEVELS:
        raise ValidationError.single("level", "value.not_choice", choices=LEVELS)
    features = []
    for row in rows:
        code = row.get(level)
        if not isinstance(code, str):
            continue
        region = regions.find(code)
        centroid = _centroid(regions, code)
        if region is None or centroid is None:
            continue
        properties = {
            "code": code,
            "name": region.name,
            "level": level,
            "count": row.get("count"),
            "suppressed": bool(row.get("suppressed")),
        }
        features.append(
            {
                "type": "Feature",
                "id": code,
                "geometry": _point(centroid[1], centroid[0]),
                "properties": properties,
            }
        )
    return feature_collection(features)
