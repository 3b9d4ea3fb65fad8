"""Coordinate reference systems the registry accepts, transformation, area of use and area in m²."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache

import pyproj
import shapely
from pyproj.exceptions import CRSError

from spatial.geometry import GeometryError, Surface, from_wkb_hex, parse_geojson, validate

WGS84 = 4326

# DGN95 / Indonesia TM-3: 16 zones, 3 degrees wide, from zone 46.2 (central meridian 94.5).
TM3_ZONES = range(23830, 23846)
TM3_FIRST_WEST = 93.0
WGS84_UTM = (*range(32646, 32655), *range(32746, 32755))
# The DGN95 / UTM codes PROJ knows; 23873-23876 and 23885 do not exist, 23886-23894 are ID74.
DGN95_UTM = (*range(23866, 23873), *range(23877, 23885))
SUPPORTED = frozenset((WGS84, *TM3_ZONES, *WGS84_UTM, *DGN95_UTM))

# The registry covers Indonesia only: lon_min, lat_min, lon_max, lat_max in degrees.
INDONESIA = (94.0, -11.5, 142.0, 6.5)
# Areas of use published for projected zones are nominal (often the land only).
PROJECTED_MARGIN = 0.5

_EPSG_PATTERN = re.compile(r"^(?:epsg:|urn:ogc:def:crs:epsg:[^:]*:)(\d+)$", re.IGNORECASE)
_CRS84 = {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "ogc:crs84", "crs84"}
_SUPPORTED_TEXT = (
    "EPSG:4326, DGN95 / Indonesia TM-3 (EPSG:23830..23845), WGS 84 / UTM (EPSG:32646..32654, "
    "32746..32754) and DGN95 / UTM (EPSG:23866..23872, 23877..23884)"
)


@dataclass(frozen=True)
class Footprint:
    """A parcel's geometry as submitted plus the copies the registry derives from it."""

    geometry: Surface  # as submitted, in the source CRS
    epsg: int  # source CRS
    wgs84: Surface  # derived EPSG:4326 copy
    metric: Surface  # in the TM-3 zone tm3_epsg, for areas and overlaps
    tm3_epsg: int
    area_m2: float


def resolve_crs(value: object, field: str = "crs") -> int:
    """Return the EPSG code of a supported CRS given as None, int, string or GeoJSON 'name' object.

    >>> resolve_crs("urn:ogc:def:crs:EPSG::23834"), resolve_crs(None)
    (23834, 4326)
    """
    if value is None:
        return WGS84
    if isinstance(value, dict):
        return resolve_crs(_named_crs(value, field), field)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise GeometryError(
            field, f"expected an EPSG code or CRS name, got {type(value).__name__}", "malformed"
        )
    code = value if isinstance(value, int) else _code_from_text(value.strip(), field)
    if code not in SUPPORTED:
        name = _crs(code, field).name
        raise GeometryError(
            field,
            f"EPSG:{code} ({name}) is not supported; supported are {_SUPPORTED_TEXT}",
            "unsupported_crs",
        )
    return code


def tm3_zone(lon: float, field: str = "geometry") -> int:
    """EPSG code of the DGN95 / Indonesia TM-3 zone containing the longitude.

    >>> tm3_zone(106.8)  # Jakarta, zone 48.2
    23834
    """
    west, _, east, _ = INDONESIA
    if not (math.isfinite(lon) and west <= lon <= east):
        raise GeometryError(
            field,
            f"longitude {lon!r} is outside Indonesia ({west}..{east}): no TM-3 zone",
            "outside_crs_area",
        )
    # The last zone (138..141) also takes the sliver of Papua east of 141 degrees.
    index = min(int((lon - TM3_FIRST_WEST) // 3), len(TM3_ZONES) - 1)
    return TM3_ZONES[index]


def transform(geom: Surface, from_epsg: int, to_epsg: int) -> Surface:
    """Reproject geom (x = easting or longitude); the same object back when the CRSs are equal."""
    if from_epsg == to_epsg:
        return geom
    transformer = _transformer(from_epsg, to_epsg)
    return shapely.transform(geom, transformer.transform, interleaved=False)


def check_area_of_use(geom: Surface, epsg: int, field: str = "geometry") -> None:
    """Raise GeometryError (outside_crs_area) unless geom lies in the CRS's area of use.

    The area of use is clipped to Indonesia; EPSG:4326 means Indonesia itself.
    """
    _check_wgs84_bounds(transform(geom, epsg, WGS84).bounds, epsg, field)


def area_m2(geom: Surface, epsg: int) -> float:
    """Planar area in m² in the parcel's TM-3 zone (never in degrees, never in Web Mercator)."""
    if epsg in TM3_ZONES:
        return float(geom.area)
    wgs84 = transform(geom, epsg, WGS84)
    return float(transform(wgs84, WGS84, tm3_zone(wgs84.centroid.x)).area)


def footprint(
    geojson: object,
    crs: object = None,
    field: str = "geometry",
    crs_field: str = "crs",
    max_vertices: int = 100_000,
    min_area_m2: float = 0.0,
) -> Footprint:
    """Resolve the CRS, parse and validate the geometry, check where it lies, derive its copies.

    A `crs` member inside the GeoJSON geometry (as older GeoJSON and some GIS tools write it) is
    honoured, never ignored; it must agree with `crs` when both are given.
    """
    epsg = _crs_of(geojson, crs, field, crs_field)
    geom = parse_geojson(geojson, field, max_vertices)
    wgs84 = transform(geom, epsg, WGS84)
    _check_wgs84_bounds(wgs84.bounds, epsg, field)
    result = _derive(geom, epsg, wgs84, field)
    # Projection can collapse a hair-thin outline or make nearly touching rings cross.
    validate(result.metric, field)
    if result.area_m2 <= 0:
        raise GeometryError(field, "polygon has zero area in metres", "zero_area")
    if result.area_m2 < min_area_m2:
        raise GeometryError(field, f"area {result.area_m2:.6g} m² is below the smallest parcel of "
                                   f"{min_area_m2:g} m²", "too_small")
    return result


def _crs_of(geojson: object, crs: object, field: str, crs_field: str) -> int:
    """The EPSG code of a geometry: its own `crs` member, or the `crs` given beside it."""
    named = geojson.get("crs") if isinstance(geojson, dict) else None
    if named is None:
        return resolve_crs(crs, crs_field)
    inner = resolve_crs(named, f"{field}.crs")
    if crs is not None and (outer := resolve_crs(crs, crs_field)) != inner:
        raise GeometryError(crs_field, f"names EPSG:{outer}, but {field}.crs names EPSG:{inner}", "conflicting_crs")
    return inner


def epsg_of(crs: str) -> int | None:
    """The EPSG code of a CRS written in any form pyproj reads (WKT, PROJJSON, 'EPSG:n'), if it has one.

    >>> epsg_of('PROJCS["DGN95 / Indonesia TM-3 zone 48.2",GEOGCS["DGN95",DATUM["Datum_Geodesi_Nasional_1995",'
    ...         'SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
    ...         'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
    ...         'PARAMETER["central_meridian",106.5],PARAMETER["scale_factor",0.9999],'
    ...         'PARAMETER["false_easting",200000],PARAMETER["false_northing",1500000],'
    ...         'UNIT["metre",1]]')
    23834
    """
    try:
        return _user_crs(crs).to_epsg(min_confidence=70)
    except CRSError as error:
        raise GeometryError("crs", f"CRS {crs[:60]!r} is not one pyproj knows", "unknown_crs") from error


def to_wgs84(geom: Surface, crs: str) -> Surface:
    """Reproject geom from any CRS pyproj knows (not only those the registry takes) to EPSG:4326."""
    try:
        transformer = _to_wgs84_transformer(crs)
    except CRSError as error:
        raise GeometryError("crs", f"CRS {crs[:60]!r} is not one pyproj knows", "unknown_crs") from error
    return shapely.transform(geom, transformer.transform, interleaved=False)


@lru_cache(maxsize=64)
def _user_crs(crs: str) -> pyproj.CRS:
    return pyproj.CRS.from_user_input(crs)


@lru_cache(maxsize=64)
def _to_wgs84_transformer(crs: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(_user_crs(crs), f"EPSG:{WGS84}", always_xy=True)


def footprint_from_wkb(wkb_hex: str, epsg: int) -> Footprint:
    """Rebuild a Footprint from the primitives stored in an event (WKB hex and EPSG code)."""
    geom = from_wkb_hex(wkb_hex)
    return _derive(geom, epsg, transform(geom, epsg, WGS84), "geometry")


def _derive(geom: Surface, epsg: int, wgs84: Surface, field: str) -> Footprint:
    tm3 = epsg if epsg in TM3_ZONES else tm3_zone(wgs84.centroid.x, field)
    metric = transform(geom, epsg, tm3)
    return Footprint(geom, epsg, wgs84, metric, tm3, float(metric.area))


def _check_wgs84_bounds(bounds: tuple[float, float, float, float], epsg: int, field: str) -> None:
    box = _area_of_use(epsg)
    margin = 0.0 if epsg == WGS84 else PROJECTED_MARGIN
    # The margin widens a zone, but never beyond Indonesia.
    low = (max(box[0] - margin, INDONESIA[0]), max(box[1] - margin, INDONESIA[1]))
    high = (min(box[2] + margin, INDONESIA[2]), min(box[3] + margin, INDONESIA[3]))
    west, south, east, north = bounds
    inside = all(math.isfinite(value) for value in bounds) and (
        low[0] <= west and low[1] <= south and east <= high[0] and north <= high[1]
    )
    if not inside:
        raise GeometryError(
            field,
            f"geometry lies outside the area of use of EPSG:{epsg} ({_crs(epsg, field).name}: "
            f"lon {box[0]}..{box[2]}, lat {box[1]}..{box[3]}); it spans "
            f"lon {west:.4f}..{east:.4f}, lat {south:.4f}..{north:.4f}",
            "outside_crs_area",
        )


@cache
def _area_of_use(epsg: int) -> tuple[float, float, float, float]:
    """The CRS's area of use clipped to Indonesia, in degrees."""
    area = None if epsg == WGS84 else _crs(epsg, "crs").area_of_use
    if area is None:
        return INDONESIA
    return (
        max(area.west, INDONESIA[0]),
        max(area.south, INDONESIA[1]),
        min(area.east, INDONESIA[2]),
        min(area.north, INDONESIA[3]),
    )


@cache
def _transformer(from_epsg: int, to_epsg: int) -> pyproj.Transformer:
    # Building a transformer costs milliseconds; pyproj (>= 3.1) lets threads share one.
    return pyproj.Transformer.from_crs(f"EPSG:{from_epsg}", f"EPSG:{to_epsg}", always_xy=True)


def _crs(code: int, field: str) -> pyproj.CRS:
    try:
        return _known_crs(code)
    except CRSError as error:
        raise GeometryError(field, f"CRS 'EPSG:{code}' does not exist", "unknown_crs") from error


@lru_cache(maxsize=256)
def _known_crs(code: int) -> pyproj.CRS:
    return pyproj.CRS.from_epsg(code)


def _code_from_text(text: str, field: str) -> int:
    if text.lower() in _CRS84:
        return WGS84
    match = _EPSG_PATTERN.match(text)
    if match:
        return int(match.group(1))
    shown = text if len(text) <= 60 else text[:57] + "..."
    try:
        pyproj.CRS.from_user_input(text)
    except CRSError as error:
        raise GeometryError(field, f"CRS '{shown}' does not exist", "unknown_crs") from error
    raise GeometryError(
        field, f"CRS '{shown}' is not supported: give it as 'EPSG:<code>'", "unsupported_crs"
    )


def _named_crs(value: dict[object, object], field: str) -> object:
    """The name inside a GeoJSON 2008 {"type": "name", "properties": {"name": ...}} member."""
    properties = value.get("properties")
    if value.get("type") != "name" or not isinstance(properties, dict) or "name" not in properties:
        raise GeometryError(
            field, 'expected {"type": "name", "properties": {"name": "EPSG:<code>"}}', "malformed"
        )
    name = properties["name"]
    if not isinstance(name, str):
        raise GeometryError(
            f"{field}.properties.name", "the CRS name must be a string", "malformed"
        )
    return name


__all__ = [
    "WGS84",
    "Footprint",
    "area_m2",
    "check_area_of_use",
    "epsg_of",
    "footprint",
    "footprint_from_wkb",
    "resolve_crs",
    "tm3_zone",
    "to_wgs84",
    "transform",
]
