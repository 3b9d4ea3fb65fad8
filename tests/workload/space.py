"""The workload's land: a grid of 40 m cells in the village's TM-3 zone, and rectangles cut from them."""
from __future__ import annotations

from typing import Any, cast

from shapely import Point, box

from spatial.crs import WGS84, tm3_zone, transform
from spatial.geometry import Surface, to_geojson

Rect = tuple[float, float, float, float]  # west, south, east, north in TM-3 metres
CELL_M = 40.0
COLUMNS = 100  # cells per row; rows grow northwards, so the village stays 4 km wide


class Grid:
    """Hands out fresh cells (row by row) and turns rectangles into GeoJSON in either input CRS."""

    def __init__(self, origin: tuple[float, float]) -> None:
        self.zone = tm3_zone(origin[0])
        corner = transform(cast(Surface, Point(origin)), WGS84, self.zone)
        self.x, self.y = corner.bounds[0], corner.bounds[1]
        self.used = 0

    @property
    def tm3_crs(self) -> str:
        return f"EPSG:{self.zone}"

    def _rect(self, index: int) -> Rect:
        west = self.x + (index % COLUMNS) * CELL_M
        south = self.y + (index // COLUMNS) * CELL_M
        return (west, south, west + CELL_M, south + CELL_M)

    def cell(self) -> Rect:
        self.used += 1
        return self._rect(self.used - 1)

    def pair(self) -> tuple[Rect, Rect]:
        """Two cells side by side in one row, west first (reserved for a later merger)."""
        if self.used % 2:
            self.used += 1  # pairs start on an even column, so both cells share a row
        return self.cell(), self.cell()

    def geometry(self, rect: Rect, crs: str | None) -> dict[str, Any]:
        """The rectangle as GeoJSON: in TM-3 metres when crs is given, else its EPSG:4326 copy."""
        square = box(*rect)
        return to_geojson(square if crs is not None else transform(square, self.zone, WGS84))

    def bow_tie(self, rect: Rect, crs: str | None) -> dict[str, Any]:
        """A self-intersecting ring over the rectangle (rejected as invalid geometry)."""
        west, south, east, north = rect
        ring = [(west, south), (east, north), (east, south), (west, north), (west, south)]
        if crs is None:
            corners = transform(box(*rect), self.zone, WGS84).exterior.coords  # type: ignore[union-attr]
            se, ne, nw, sw = list(corners)[:4]
            ring = [sw, ne, se, nw, sw]
        return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


def halves(rect: Rect, across: bool) -> tuple[Rect, Rect]:
    """West and east halves, or south and north halves when `across`."""
    west, south, east, north = rect
    if across:
        middle = (south + north) / 2
        return (west, south, east, middle), (west, middle, east, north)
    middle = (west + east) / 2
    return (west, south, middle, north), (middle, south, east, north)


def quarters(rect: Rect) -> list[Rect]:
    return [quarter for half in halves(rect, across=False) for quarter in halves(half, across=True)]


def shrunk(rect: Rect, metres: float) -> Rect:
    """The rectangle pulled in on its east and north sides: it stays inside its cell."""
    west, south, east, north = rect
    return (west, south, east - metres, north - metres)


def shifted(rect: Rect) -> Rect:
    """The rectangle moved a quarter of its size north-east: it overlaps where it came from."""
    west, south, east, north = rect
    dx, dy = (east - west) / 4, (north - south) / 4
    return (west + dx, south + dy, east + dx, north + dy)


def joined(west: Rect, east: Rect) -> Rect:
    return (west[0], west[1], east[2], east[3])


def smallest_side(rect: Rect) -> float:
    return min(rect[2] - rect[0], rect[3] - rect[1])
