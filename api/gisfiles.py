"""Surveys from GIS files through GDAL (pyogrio): GeoPackage, Shapefile, FlatGeobuf, in any CRS.

Each feature is one `submit_survey`, its attributes mapped by the columns in `COLUMNS` (a
Shapefile's 10-character field names are taken too). A layer in a CRS the registry takes keeps it
(areas are then computed from the very coordinates surveyed); any other CRS pyproj knows is
reprojected to EPSG:4326 first. A MultiPolygon of one part is taken as its Polygon, since GIS
files make every polygon multi.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyogrio
import pyogrio.raw
import shapely
from shapely.geometry import MultiPolygon

from registry.domain.values import find_fault
from spatial.crs import SUPPORTED, epsg_of, to_wgs84
from spatial.geometry import GeometryError, to_geojson

# The attributes a survey needs, by column name (README: "Importing GIS files").
COLUMNS = ("village_code", "document_number", "document_sha256", "surveyed_on")
SHAPEFILE_NAME = 10  # a dBase field name has at most 10 characters: document_number -> document_n
SUFFIXES = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".fgb": "FlatGeobuf"}
CHUNK = 5_000  # features read from the file at a time


def is_gis_file(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def count(path: Path) -> int:
    return int(pyogrio.read_info(path)["features"])


def sidecars(path: Path) -> list[Path]:
    """The files that make up the dataset (a Shapefile is several), for the import's digest."""
    if path.suffix.lower() != ".shp":
        return [path]
    return sorted(p for p in path.parent.glob(f"{path.stem}.*") if p.suffix.lower() in (".shp", ".dbf", ".prj"))


def surveys(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(feature number, submit_survey command) pairs, or the reason a feature cannot be one."""
    info = pyogrio.read_info(path)
    where = _columns([str(name) for name in info["fields"]])
    crs = info["crs"]
    done = 0
    while done < info["features"]:
        _, _, geometries, values = pyogrio.raw.read(path, skip_features=done, max_features=CHUNK, force_2d=True,
                                                    datetime_as_string=True)
        for offset, wkb in enumerate(geometries):
            row = {name: _text(values[index][offset]) for name, index in where.items()}
            yield done + offset + 1, _survey(wkb, crs, row)
        done += len(geometries) or info["features"]


def _columns(fields: list[str]) -> dict[str, int]:
    """Where each of COLUMNS is among the file's fields (any case; a Shapefile's short name too)."""
    lowered = [name.lower() for name in fields]
    found = {}
    for name in COLUMNS:
        for candidate in (name, name[:SHAPEFILE_NAME]):
            if candidate in lowered:
                found[name] = lowered.index(candidate)
                break
    return found


def _survey(wkb: bytes | None, crs: str | None, row: dict[str, str | None]) -> dict[str, Any] | str:
    if wkb is None:
        return "the feature has no geometry"
    if crs is None:
        return "the file names no CRS: the registry never guesses one"
    if (fault := find_fault(row, "attributes")) is not None:
        return fault.message
    try:
        geometry, epsg = _geometry(shapely.from_wkb(wkb), crs)
    except GeometryError as error:
        return str(error)
    survey = {name: row.get(name) for name in COLUMNS[1:]}
    return {"command": "submit_survey", "args": {"village_code": row.get("village_code"), "geometry": geometry,
                                                 "crs": f"EPSG:{epsg}", "survey": survey}}


def _geometry(shape: Any, crs: str) -> tuple[dict[str, Any], int]:
    """The feature's geometry as GeoJSON in a CRS the registry takes, and that CRS's EPSG code."""
    if isinstance(shape, MultiPolygon) and len(shape.geoms) == 1:
        shape = shape.geoms[0]
    epsg = epsg_of(crs)
    if epsg is not None and epsg in SUPPORTED:
        return to_geojson(shape), epsg
    return to_geojson(to_wgs84(shape, crs)), 4326


def _text(value: Any) -> str | None:
    """An attribute as text: a number stored for a code (31740101.0) as its digits, a blank as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    text = str(value).strip()
    return text[:10] if _is_timestamp(text) else text or None


def _is_timestamp(text: str) -> bool:
    """'2025-01-02T00:00:00' as GDAL writes a date kept in a date-time field."""
    return len(text) > 10 and text[4] == "-" and text[10] == "T"
