"""The dashboard's province map: complaint counts per province in a few bands, and the legend's ranges.

The counts come from the library (``desk.choropleth``: already filtered and suppressed for the viewer); this
module only sorts them into bands of equal width, so the map (``static/map.js``) colours each province by its
band and the legend says which numbers each colour stands for. The page writes every number with Babel, in
the page's language (``1.234`` and ``12,5%`` in Indonesian).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

__all__ = ["BANDS", "Band", "ProvinceCount", "ProvinceMap", "band_of", "bands", "province_map"]

BANDS: Final = 5
"""The most colours the map uses for counts above zero (``map.js`` has a palette of five)."""


@attrs.frozen
class Band:
    """Counts from ``low`` to ``high``, both included."""

    low: int
    high: int


@attrs.frozen
class ProvinceCount:
    """One province's row: its code, name, count, share of all counted complaints and band (None for 0)."""

    code: str
    name: str
    count: int
    share: float
    band: int | None
    suppressed: bool


@attrs.frozen
class ProvinceMap:
    """What the dashboard's map and legend show."""

    bands: tuple[Band, ...]
    provinces: tuple[ProvinceCount, ...]
    total: int


def bands(most: int, classes: int = BANDS) -> tuple[Band, ...]:
    """Up to ``classes`` bands of equal width covering 1 to ``most``; none when ``most`` is 0 or less.

    >>> bands(10)
    (Band(low=1, high=2), Band(low=3, high=4), Band(low=5, high=6), Band(low=7, high=8), Band(low=9, high=10))
    >>> bands(3)
    (Band(low=1, high=1), Band(low=2, high=2), Band(low=3, high=3))
    >>> bands(0)
    ()
    """
    if most <= 0 or classes <= 0:
        return ()
    width = -(-most // classes)
    return tuple(Band(low, min(low + width - 1, most)) for low in range(1, most + 1, width))


def band_of(count: int, found: Sequence[Band]) -> int | None:
    """The index of the band ``count`` falls in, or None (zero, or beyond the bands).

    >>> band_of(4, bands(10)), band_of(0, bands(10))
    (1, None)
    """
    return next((index for index, band in enumerate(found) if band.low <= count <= band.high), None)


def province_map(collection: Mapping[str, Any], provinces: Iterable[tuple[str, str]]) -> ProvinceMap:
    """Sort a ``desk.choropleth(level="province")`` collection into bands, one row per province with a count.

    Args:
        collection: The GeoJSON FeatureCollection ``desk.choropleth`` returns.
        provinces: ``(code, name)`` of every province, in the order the table lists them.

    Example:
        >>> found = province_map({"features": [{"properties": {"code": "31", "count": 3}}]}, [("31", "DKI")])
        >>> found.total, found.provinces[0].band, found.provinces[0].share
        (3, 2, 1.0)
    """
    counts: dict[str, tuple[int, bool]] = {}
    for feature in collection.get("features", ()):
        properties = feature.get("properties") or {}
        code, count = properties.get("code"), properties.get("count")
        if isinstance(code, str) and isinstance(count, int) and count > 0:
            counts[code] = (count, bool(properties.get("suppressed")))
    total = sum(count for count, _ in counts.values())
    found = bands(max((count for count, _ in counts.values()), default=0))
    rows = tuple(
        ProvinceCount(code, name, count, count / total, band_of(count, found), suppressed)
        for code, name in provinces
        if code in counts
        for count, suppressed in (counts[code],)
    )
    return ProvinceMap(found, rows, total)
