"""Parse, validate and serialise parcel geometries (2D Polygon, MultiPolygon); never repair them."""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon, mapping

Surface: TypeAlias = Polygon | MultiPolygon

ACCEPTED_TYPES = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A geometry or CRS that the registry refuses, with the field and the reason.

    >>> str(GeometryError("geometry", "ring is not closed", "unclosed_ring"))
    'geometry: ring is not closed'
    """

    def __init__(self, field: str, reason: str, code: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps the error picklable (process pools, task queues) despite the 3-argument init.
        return (type(self), (self.field, self.reason, self.code))


def parse_geojson(obj: object, field: str = "geometry", max_vertices: int = 100_000) -> Surface:
    """Build a valid Polygon or MultiPolygon from a GeoJSON geometry dict, or raise GeometryError.

    >>> parse_geojson({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}).area
    0.5
    """
    kind, coordinates = _type_and_coordinates(obj, field)
    where = f"{field}.coordinates"
    polygons = _polygon_rings(kind, coordinates, where)
    total = sum(len(ring) for rings in polygons for ring in rings)
    if total > max_vertices:
        raise GeometryError(
            where, f"{total} positions exceed the limit of {max_vertices}", "too_many_vertices"
        )
    shapes = [
        _polygon(rings, f"{where}[{i}]" if kind == "MultiPolygon" else where)
        for i, rings in enumerate(polygons)
    ]
    geom: Surface = shapes[0] if kind == "Polygon" else MultiPolygon(shapes)
    validate(geom, field)
    return geom


def _polygon_rings(kind: str, coordinates: object, where: str) -> list[list[list[Any]]]:
    """The rings of each polygon, checked for nesting only."""
    if kind == "Polygon":
        return [_check_rings(coordinates, where)]
    parts = _as_list(coordinates, where, "a list of polygons")
    if not parts:
        raise GeometryError(where, "a MultiPolygon needs at least one polygon", "malformed")
    return [_check_rings(part, f"{where}[{i}]") for i, part in enumerate(parts)]


def validate(geom: Surface, field: str = "geometry") -> None:
    """Raise GeometryError unless geom is a valid, non-degenerate Polygon or MultiPolygon.

    >>> validate(Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]))
    Traceback (most recent call last):
    ...
    spatial.geometry.GeometryError: geometry: self-intersection at (0.5, 0.5)
    """
    if not isinstance(geom, Polygon | MultiPolygon):
        raise GeometryError(
            field, f"expected a Polygon or MultiPolygon, got {geom.geom_type}", "wrong_type"
        )
    if geom.is_empty:
        raise GeometryError(field, "geometry is empty", "zero_area")
    _check_not_flat(geom, field)
    reason = shapely.is_valid_reason(geom)
    if reason != "Valid Geometry":
        raise GeometryError(field, *_explain(reason))
    if geom.area <= 0:
        raise GeometryError(field, "polygon has zero area", "zero_area")


def _check_not_flat(geom: Surface, field: str) -> None:
    # A collinear or repeated-point outline is degenerate; GEOS would call it a self-intersection.
    parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    for i, part in enumerate(parts):
        if part.convex_hull.area <= 0:
            which = f"polygon {i}" if isinstance(geom, MultiPolygon) else "polygon"
            reason = f"{which} has zero area: its points are collinear"
            raise GeometryError(field, reason, "zero_area")


def to_wkb_hex(geom: Surface) -> str:
    """Serialise to little-endian 2D WKB as hex; doubles survive the round trip exactly.

    >>> to_wkb_hex(Polygon([(0, 0), (1, 0), (1, 1), (0, 0)]))[:10]
    '0103000000'
    """
    return str(shapely.to_wkb(geom, hex=True, output_dimension=2, byte_order=1))


def from_wkb_hex(hex: str) -> Surface:
    """Read WKB hex written by to_wkb_hex back into a Polygon or MultiPolygon."""
    try:
        geom = shapely.from_wkb(hex)
    except (GEOSException, TypeError, ValueError) as error:
        raise GeometryError("wkb", f"not valid WKB hex: {error}", "malformed") from error
    if not isinstance(geom, Polygon | MultiPolygon):
        raise GeometryError(
            "wkb", f"expected a Polygon or MultiPolygon, got {geom.geom_type}", "wrong_type"
        )
    return geom


def to_geojson(geom: Surface) -> dict[str, Any]:
    """GeoJSON dict of geom with lists instead of tuples (JSON- and equality-friendly).

    >>> to_geojson(Polygon([(0, 0), (1, 0), (1, 1), (0, 0)]))["coordinates"]
    [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]
    """
    return {key: _listify(value) for key, value in mapping(geom).items()}


RFC7946_DIGITS = 7  # decimal places of a degree kept in GeoJSON: about 1 cm on the ground


def to_rfc7946(geom: Surface, digits: int = RFC7946_DIGITS) -> tuple[dict[str, Any], list[float]]:
    """GeoJSON of an EPSG:4326 geom as RFC 7946 wants it, and its bbox: coordinates rounded to
    `digits` decimals, exterior rings counter-clockwise and holes clockwise (right-hand rule).

    >>> shape, bbox = to_rfc7946(Polygon([(0, 0), (0, 1), (1.123456789, 0), (0, 0)]))
    >>> shape["coordinates"][0], bbox
    ([[0.0, 0.0], [1.1234568, 0.0], [0.0, 1.0], [0.0, 0.0]], [0.0, 0.0, 1.1234568, 1.0])
    """
    rounded = shapely.transform(geom, lambda xy: np.round(xy, digits))
    oriented = shapely.orient_polygons(rounded, exterior_cw=False)
    return to_geojson(oriented), [float(value) for value in oriented.bounds]


def _listify(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_listify(item) for item in value]
    return value


def _type_and_coordinates(obj: object, field: str) -> tuple[str, object]:
    if not isinstance(obj, dict):
        raise GeometryError(
            field, f"expected a GeoJSON geometry object, got {type(obj).__name__}", "malformed"
        )
    kind = obj.get("type")
    if kind is None:
        raise GeometryError(field, "missing 'type'", "malformed")
    if not isinstance(kind, str):
        raise GeometryError(f"{field}.type", "'type' must be a string", "malformed")
    if kind in ("Feature", "FeatureCollection"):
        raise GeometryError(field, f"a geometry object is expected, not a {kind}", "wrong_type")
    if kind not in ACCEPTED_TYPES:
        raise GeometryError(
            field, f"{kind} is not accepted: a parcel is a Polygon or MultiPolygon", "wrong_type"
        )
    if "coordinates" not in obj:
        raise GeometryError(field, "missing 'coordinates'", "malformed")
    return kind, obj["coordinates"]


def _as_list(value: object, field: str, expected: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise GeometryError(field, f"expected {expected}, got {type(value).__name__}", "malformed")
    return list(value)


def _check_rings(value: object, where: str) -> list[list[Any]]:
    """Check the nesting down to positions (as lists) without reading any number yet."""
    rings = _as_list(value, where, "a list of linear rings")
    if not rings:
        raise GeometryError(where, "a polygon needs an exterior ring", "malformed")
    return [_as_list(ring, f"{where}[{i}]", "a list of positions") for i, ring in enumerate(rings)]


def _polygon(rings: list[list[Any]], where: str) -> Polygon:
    checked = [_ring(ring, f"{where}[{i}]") for i, ring in enumerate(rings)]
    return Polygon(checked[0], checked[1:])


def _ring(ring: list[Any], where: str) -> list[tuple[float, float]]:
    points = [_position(position, f"{where}[{i}]") for i, position in enumerate(ring)]
    if len(points) < 4:
        raise GeometryError(
            where,
            f"a ring needs at least 4 positions (first = last), got {len(points)}",
            "too_few_points",
        )
    if points[0] != points[-1]:
        raise GeometryError(
            where,
            f"ring is not closed: first position {_show(points[0])} "
            f"differs from last {_show(points[-1])}",
            "unclosed_ring",
        )
    return points


def _position(position: object, where: str) -> tuple[float, float]:
    """Return (x, y) of a GeoJSON position; a third (z) value is checked, then dropped."""
    values = _as_list(position, where, "a position [x, y]")
    if len(values) not in (2, 3):
        raise GeometryError(where, f"a position has 2 or 3 numbers, got {len(values)}", "malformed")
    for value in values:
        # bool is an int subclass, but true/false in JSON is never a coordinate.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise GeometryError(where, f"coordinate {value!r} is not a number", "malformed")
        if not math.isfinite(value):
            raise GeometryError(where, f"coordinate {value!r} is not finite", "non_finite")
    return float(values[0]), float(values[1])


def _show(point: tuple[float, float]) -> str:
    return f"({point[0]!r}, {point[1]!r})"


def _explain(reason: str) -> tuple[str, str]:
    """Turn a GEOS validity reason like 'Self-intersection[0.5 0.5]' into (reason, code)."""
    label, _, rest = reason.partition("[")
    location = rest.rstrip("]").split()
    at = f" at ({', '.join(location)})" if location else ""
    text = f"{label.strip().lower()}{at}"
    if label.startswith("Too few points"):
        return text, "too_few_points"
    if label.startswith("Invalid Coordinate"):
        return text, "non_finite"
    if label.startswith("Ring is not closed"):
        return text, "unclosed_ring"
    # Crossing rings, holes outside or touching shells, nested or duplicate shells: for a
    # surveyor these are one problem, an outline that does not enclose a simple area.
    return text, "self_intersection"
