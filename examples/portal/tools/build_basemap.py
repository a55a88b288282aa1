"""Build the portal's offline base map: ``lapor_portal/static/basemap.geojson``.

The map needs no tile server: Leaflet (or ``map.js``'s own SVG drawing) draws this file. It holds

- Indonesia's 38 provinces, one ``MultiPolygon`` each, keyed by Kemendagri code (``"id": "31"``,
  properties ``code``, ``name``, ``kind: "province"``);
- the land of the neighbouring countries in the frame (``kind: "neighbour"``), so Borneo, Timor and New
  Guinea are not cut off at the border.

Sources, both licence-clean:

- the coastline: Natural Earth's 1:10m Admin 0 countries (public domain), as redistributed in TopoJSON by
  the npm package ``world-atlas`` 2.0.2 (Natural Earth 4.1.0; ISC licence);
- the provinces: the regency centroids of ``lapor_core``'s region table (``src/lapor_core/data/regions``,
  from cahyadsn/wilayah and cahyadsn/wilayah_boundaries, MIT; the notice is in ``static/basemap-NOTICE.md``).

How a province's shape is made: each of the 514 regencies gets the land nearer to its centroid than to any
other regency's centroid (a Voronoi cell), and a province is the union of its regencies' cells. The
coastline is Natural Earth's; the borders between provinces on land are therefore APPROXIMATE (straight
lines between regency centroids, off by up to tens of kilometres), good enough to colour a national map and
to find one's way, never a legal border. The 2022 Papua provinces (93-96) come out of their regencies like
every other province.

Simplification: the coastline is simplified with a tolerance of ``TOLERANCE`` degrees (about 1.1 km),
islands smaller than ``MIN_AREA`` square degrees (about 2.5 km²) are dropped unless a regency's centroid
lies on them, and coordinates are rounded to ``DECIMALS`` decimals (about 110 m). The result is a few
hundred kilobytes.

Run from the project root (needs ``shapely`` and ``npm``; neither is a dependency of the portal)::

    python -m venv /tmp/basemap && /tmp/basemap/bin/pip install shapely
    PYTHONPATH=src /tmp/basemap/bin/python examples/portal/tools/build_basemap.py

``--atlas PATH`` reads an already unpacked ``countries-10m.json`` instead of running ``npm pack``.
The output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from shapely import MultiPoint, Point, box, set_precision, voronoi_polygons
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.ops import unary_union

import lapor_core as lc

ATLAS_PACKAGE = "world-atlas@2.0.2"
INDONESIA = "360"
NEIGHBOURS = (
    "458",
    "096",
    "626",
    "598",
    "702",
    "608",
    "036",
)  # MY, BN, TL, PG, SG, PH, AU (ISO 3166 numeric)
FRAME = (92.0, -12.5, 142.5, 8.0)  # west, south, east, north
TOLERANCE = 0.01
MIN_AREA = 0.0002
DECIMALS = 3
OUTPUT = Path(__file__).resolve().parents[1] / "lapor_portal" / "static" / "basemap.geojson"


def _atlas(path: Path | None) -> dict[str, Any]:
    """The world-atlas 10m countries topology, from ``path`` or from ``npm pack``."""
    if path is not None:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["npm", "pack", ATLAS_PACKAGE, "--silent"], cwd=folder, check=True)  # noqa: S603, S607 - fixed arguments
        tarball = next(Path(folder).glob("world-atlas-*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/countries-10m.json")
            if member is None:
                raise SystemExit("countries-10m.json is missing from the world-atlas package")
            return json.loads(member.read())  # type: ignore[no-any-return]


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs in degrees (delta-decoded, de-quantized)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indexes: Sequence[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _country(geometry: dict[str, Any], arcs: list[list[tuple[float, float]]]) -> MultiPolygon:
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    parts = [Polygon(_ring(p[0], arcs), [_ring(r, arcs) for r in p[1:]]) for p in polygons]
    return MultiPolygon([p.buffer(0) for p in parts if p.is_valid or p.buffer(0).area > 0])


def _polygons(geometry: Any) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    return [g for g in getattr(geometry, "geoms", ()) if isinstance(g, Polygon)]


def _keep(geometry: Any, anchors: Iterable[Point]) -> MultiPolygon:
    """The polygons of ``geometry`` big enough to draw, or holding an anchor point."""
    anchored = list(anchors)
    kept = [p for p in _polygons(geometry) if p.area >= MIN_AREA or any(p.contains(a) for a in anchored)]
    return MultiPolygon(kept)


def _rounded(geometry: Any) -> Any:
    return set_precision(geometry, 10**-DECIMALS)


def build(topology: dict[str, Any]) -> dict[str, Any]:
    """The base map as a GeoJSON FeatureCollection (see the module docstring)."""
    arcs = _arcs(topology)
    countries = {g.get("id"): g for g in topology["objects"]["countries"]["geometries"]}
    frame = box(*FRAME)
    regions = lc.RegionTable.default()
    regencies = [r for r in regions if r.level == "regency" and r.centroid is not None]
    anchors = [Point(r.lon, r.lat) for r in regencies]
    land = _country(countries[INDONESIA], arcs).simplify(TOLERANCE, preserve_topology=True)
    land = _keep(land, anchors)
    cells = voronoi_polygons(MultiPoint(anchors), extend_to=frame.buffer(5))
    by_province: dict[str, list[Any]] = defaultdict(list)
    for cell in cells.geoms:
        owner = next(r for r, a in zip(regencies, anchors, strict=True) if cell.contains(a))
        by_province[owner.province_code].append(cell.intersection(land))
    features = []
    for province in regions.provinces():
        parts = _rounded(unary_union(by_province[province.code]))
        geometry = MultiPolygon(_polygons(parts))
        features.append(
            {
                "type": "Feature",
                "id": province.code,
                "properties": {"code": province.code, "name": province.name, "kind": "province"},
                "geometry": mapping(geometry),
            }
        )
    for code in NEIGHBOURS:
        country = _country(countries[code], arcs).intersection(frame).simplify(TOLERANCE * 2)
        kept = _rounded(_keep(country, ()))
        if kept.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "id": f"neighbour-{code}",
                "properties": {"code": code, "kind": "neighbour"},
                "geometry": mapping(MultiPolygon(_polygons(kept))),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _compact(value: Any) -> Any:
    """Coordinates as plain lists of numbers with at most :data:`DECIMALS` decimals."""
    if isinstance(value, float):
        rounded = round(value, DECIMALS)
        return int(rounded) if rounded.is_integer() else rounded
    if isinstance(value, (list, tuple)):
        return [_compact(v) for v in value]
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    return value


def main(argv: Sequence[str] | None = None) -> None:
    """Build the base map and write it (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, help="an unpacked world-atlas countries-10m.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    collection = _compact(build(_atlas(args.atlas)))
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"{args.output}: {len(collection['features'])} features, {len(text.encode()) // 1024} KiB")


if __name__ == "__main__":
    main()
