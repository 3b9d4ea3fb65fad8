"""Shared catalogue of test geometries: GeoJSON in EPSG:4326 near Jakarta unless named otherwise.

Squares are built in DGN95 / Indonesia TM-3 metres and their corners transformed to EPSG:4326,
so a square of size_m has an area of size_m² (to about 1e-6 m²) once projected back to TM-3.
This module uses pyproj directly, so it stays an independent oracle for spatial/.
The valid entries lie apart from one another, so a registry test may submit any of them together.
The entries are plain dicts shared by the whole suite: deepcopy one before changing it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pyproj

GeoJSON = dict[str, Any]

JAKARTA = (106.8, -6.2)
# TM-3 zone 48.2 (central meridian 106.5, false easting 200 km, false northing 1500 km).
TM3_JAKARTA_EPSG = 23834
TM3_JAKARTA_CRS = "EPSG:23834"


@cache
def _transformer(source: int, target: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def tm3_epsg(lon: float) -> int:
    """EPSG code of the TM-3 zone for a longitude in Indonesia (zone 46.2 starts at 93 degrees)."""
    return 23830 + min(int((lon - 93.0) // 3), 15)


def polygon(*rings: list[list[float]]) -> GeoJSON:
    """A GeoJSON Polygon from rings of [x, y] positions (the first ring is the exterior)."""
    return {"type": "Polygon", "coordinates": [list(ring) for ring in rings]}


def multipolygon(*polygons: GeoJSON) -> GeoJSON:
    """A GeoJSON MultiPolygon from GeoJSON Polygons."""
    return {"type": "MultiPolygon", "coordinates": [p["coordinates"] for p in polygons]}


def _tm3_ring(x: float, y: float, width: float, height: float) -> list[tuple[float, float]]:
    """Counter-clockwise closed rectangle in metres with its south-west corner at (x, y)."""
    return [(x, y), (x + width, y), (x + width, y + height), (x, y + height), (x, y)]


def _to_wgs84(points: list[tuple[float, float]], epsg: int) -> list[list[float]]:
    to_wgs84 = _transformer(epsg, 4326)
    return [list(to_wgs84.transform(x, y)) for x, y in points]


def _origin(lon: float, lat: float) -> tuple[int, float, float]:
    epsg = tm3_epsg(lon)
    x, y = _transformer(4326, epsg).transform(lon, lat)
    return epsg, x, y


def square(lon: float, lat: float, size_m: float) -> GeoJSON:
    """GeoJSON Polygon (EPSG:4326) of a TM-3 square of size_m, south-west corner at (lon, lat)."""
    epsg, x, y = _origin(lon, lat)
    return polygon(_to_wgs84(_tm3_ring(x, y, size_m, size_m), epsg))


def grid_squares(lon: float, lat: float, size_m: float, n: int) -> list[GeoJSON]:
    """n x n adjacent, non-overlapping squares from the south-west corner (lon, lat), row by row.

    Index row * n + column, row 0 the southernmost. Neighbours share exactly the same corner
    coordinates, so their common edges are exact.
    """
    epsg, x, y = _origin(lon, lat)
    corners = {
        (i, j): _to_wgs84([(x + i * size_m, y + j * size_m)], epsg)[0]
        for i in range(n + 1)
        for j in range(n + 1)
    }
    return [
        polygon(
            [
                corners[c, r],
                corners[c + 1, r],
                corners[c + 1, r + 1],
                corners[c, r + 1],
                corners[c, r],
            ]
        )
        for r in range(n)
        for c in range(n)
    ]


def _square_with_hole(lon: float, lat: float, size_m: float, hole_m: float) -> GeoJSON:
    epsg, x, y = _origin(lon, lat)
    offset = (size_m - hole_m) / 2
    # The hole runs clockwise, as RFC 7946 asks of interior rings.
    hole = list(reversed(_tm3_ring(x + offset, y + offset, hole_m, hole_m)))
    return polygon(_to_wgs84(_tm3_ring(x, y, size_m, size_m), epsg), _to_wgs84(hole, epsg))


def _sliver(lon: float, lat: float, length_m: float, width_m: float) -> GeoJSON:
    epsg, x, y = _origin(lon, lat)
    return polygon(_to_wgs84(_tm3_ring(x, y, length_m, width_m), epsg))


LON, LAT = JAKARTA

#: 100 m x 100 m, 10,000 m².
VALID_SQUARE = square(LON, LAT, 100.0)
VALID_SQUARE_AREA_M2 = 10_000.0

#: 100 m square with a 20 m square hole in the middle: 9,600 m².
WITH_HOLE = _square_with_hole(LON, LAT + 0.01, 100.0, 20.0)
WITH_HOLE_AREA_M2 = 9_600.0

#: Two separate 50 m squares, about 50 m apart: 5,000 m² in total.
MULTIPART = multipolygon(square(LON + 0.01, LAT, 50.0), square(LON + 0.0109, LAT, 50.0))
MULTIPART_AREA_M2 = 5_000.0

#: Bow-tie: the ring crosses itself at its centre (self_intersection).
SELF_INTERSECTING = polygon(
    [[106.80, -6.20], [106.801, -6.199], [106.801, -6.20], [106.80, -6.199], [106.80, -6.20]]
)

#: A valid but hair-thin strip, 10 m x 1 cm = 0.1 m²: accepted as a geometry; useful for tolerances.
SLIVER = _sliver(LON, LAT + 0.02, 10.0, 0.01)
SLIVER_AREA_M2 = 0.1

#: All positions on one line: no area at all (zero_area).
ZERO_AREA = polygon([[106.80, -6.20], [106.801, -6.20], [106.802, -6.20], [106.80, -6.20]])

#: The last position differs from the first (unclosed_ring); never auto-closed.
UNCLOSED = polygon([[106.80, -6.20], [106.801, -6.20], [106.801, -6.199], [106.80, -6.199]])

#: A closed ring of only three positions (too_few_points).
TOO_FEW_POINTS = polygon([[106.80, -6.20], [106.801, -6.20], [106.80, -6.20]])

#: A NaN coordinate (non_finite).
NAN_COORDS = polygon(
    [[106.80, -6.20], [106.801, float("nan")], [106.801, -6.199], [106.80, -6.199], [106.80, -6.20]]
)

#: Not a polygon at all (wrong_type).
POINT: GeoJSON = {"type": "Point", "coordinates": [106.8, -6.2]}

#: A valid square in Amsterdam: outside Indonesia and every supported CRS (outside_crs_area).
OUTSIDE_INDONESIA = polygon(
    [[4.90, 52.37], [4.901, 52.37], [4.901, 52.371], [4.90, 52.371], [4.90, 52.37]]
)

#: 100 m x 100 m in TM-3 zone 48.2, given in metres: submit with crs=TM3_SQUARE_100M_CRS.
#: It lies about 400 m south-west of VALID_SQUARE.
TM3_SQUARE_100M = polygon([list(p) for p in _tm3_ring(233_000.0, 814_000.0, 100.0, 100.0)])
TM3_SQUARE_100M_CRS = TM3_JAKARTA_CRS

#: Every valid entry with the crs to submit it with and its area in m².
VALID: dict[str, tuple[GeoJSON, str | None, float]] = {
    "VALID_SQUARE": (VALID_SQUARE, None, VALID_SQUARE_AREA_M2),
    "WITH_HOLE": (WITH_HOLE, None, WITH_HOLE_AREA_M2),
    "MULTIPART": (MULTIPART, None, MULTIPART_AREA_M2),
    "SLIVER": (SLIVER, None, SLIVER_AREA_M2),
    "TM3_SQUARE_100M": (TM3_SQUARE_100M, TM3_SQUARE_100M_CRS, 10_000.0),
}

#: Every invalid entry with the GeometryError code it must raise.
INVALID: dict[str, tuple[GeoJSON, str]] = {
    "SELF_INTERSECTING": (SELF_INTERSECTING, "self_intersection"),
    "ZERO_AREA": (ZERO_AREA, "zero_area"),
    "UNCLOSED": (UNCLOSED, "unclosed_ring"),
    "TOO_FEW_POINTS": (TOO_FEW_POINTS, "too_few_points"),
    "NAN_COORDS": (NAN_COORDS, "non_finite"),
    "POINT": (POINT, "wrong_type"),
    "OUTSIDE_INDONESIA": (OUTSIDE_INDONESIA, "outside_crs_area"),
}
