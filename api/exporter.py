"""`landreg export`: the active parcels of a village or a box as a file QGIS opens.

GeoPackage and FlatGeobuf keep the parcels' own CRS and coordinates when they share one (the
survey's TM-3 zone, say), else EPSG:4326; CSV has a WKT column in EPSG:4326; GeoJSON is RFC 7946
(api/features.py). Each parcel carries the GIS columns of the OGC API and the document its
boundary rests on under the names `landreg import` reads, so an export imports again as it was.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyogrio.raw
import shapely

from api import features
from projections.history import boundary_documents
from projections.overlaps import Pair
from projections.queries import MAX_PAGE, Queries, Row
from spatial.crs import WGS84

DRIVERS = {"gpkg": "GPKG", "fgb": "FlatGeobuf", "geojson": "GeoJSON", "csv": "CSV"}
LAYER = "parcels"
INTEGERS = frozenset({"edition"})
NUMBERS = frozenset({"area_m2", "overlap_m2", "fraction"})
FLAGS = frozenset({"has_mortgage", "is_blocked"})
# CSV: the geometry as a WKT column. FlatGeobuf: no spatial index, which would reorder the
# features along a curve; in NIB order an import allocates the NIBs in the same order.
LAYER_OPTIONS = {"csv": {"GEOMETRY": "AS_WKT"}, "fgb": {"SPATIAL_INDEX": "NO"}}
Box = tuple[float, float, float, float]


def parcels(queries: Queries, village: str | None, bbox: Box | None,
            advance: Callable[[int], None] = lambda _: None) -> list[Row]:
    """Every active parcel of the village, or meeting the box, read a page at a time."""
    rows: list[Row] = []
    cursor: str | None = ""
    while cursor is not None:
        page = queries.in_village(village, cursor, MAX_PAGE, "active") if village else \
            queries.in_bbox(*(bbox or (0.0, 0.0, 0.0, 0.0)), after=cursor, limit=MAX_PAGE)
        rows += page.items
        advance(len(page.items))
        cursor = page.next_cursor
    return rows


def records(queries: Queries, rows: list[Row], holders: bool) -> list[dict[str, Any]]:
    """Each parcel's columns: the GIS properties (holders only if asked) and its boundary document."""
    with queries.engine.connect() as connection:
        documents = boundary_documents(connection, [row["nib"] for row in rows])
    found = []
    for row in rows:
        properties = features.gis_properties(row)
        if not holders:
            del properties["holders"]
        document = documents.get(row["nib"], {})
        found.append({**properties, "document_number": document.get("number"),
                      "document_sha256": document.get("sha256"), "surveyed_on": document.get("date")})
    return found


def write(path: Path, kind: str, rows: list[Row], columns: list[dict[str, Any]]) -> None:
    """Write the parcels (rows) with their columns as a file of `kind` (a key of DRIVERS)."""
    path.unlink(missing_ok=True)
    if kind == "geojson":
        found = [features.gis_feature(row, properties=c) for row, c in zip(rows, columns, strict=True)]
        document = features.collection(found, [])
        del document["links"]
        path.write_bytes(orjson.dumps(document))
        return
    shared = {row["epsg"] for row in rows}
    own = kind != "csv" and len(shared) == 1
    epsg = shared.pop() if own else WGS84
    geometries = np.array([bytes.fromhex(row["geometry" if own else "wgs84"]) for row in rows], dtype=object)
    names = list(columns[0]) if columns else ["nib"]
    arrays, masks = zip(*(_field(name, [c.get(name) for c in columns]) for name in names), strict=True)
    pyogrio.raw.write(path, geometries, list(arrays), names, field_mask=list(masks), layer=LAYER,
                      driver=DRIVERS[kind], geometry_type="MultiPolygon", promote_to_multi=True,
                      crs=f"EPSG:{epsg}", layer_options=LAYER_OPTIONS.get(kind))


def _field(name: str, values: list[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """A column as GDAL takes it: values of one type and a mask of the missing ones."""
    missing = np.array([value is None for value in values], dtype=bool)
    if name in INTEGERS:
        return np.array([value or 0 for value in values], dtype=np.int32), missing
    if name in NUMBERS:
        return np.array([value or 0.0 for value in values], dtype=np.float64), missing
    if name in FLAGS:
        return np.array([bool(value) for value in values], dtype=bool), missing
    return np.array(values, dtype=object), missing


OVERLAP_COLUMNS = ("nib_a", "nib_b", "village_a", "village_b", "overlap_m2", "fraction", "duplicate")


def write_overlaps(path: Path, kind: str, pairs: list[Pair]) -> None:
    """The overlap report as a file (gpkg or csv): one shared part per pair, EPSG:4326, with its columns."""
    path.unlink(missing_ok=True)
    rows = [pair.as_dict() for pair in pairs]
    geometries = np.array([shapely.to_wkb(pair.geometry) for pair in pairs], dtype=object)
    arrays, masks = zip(*(_field(name, [r[name] for r in rows]) for name in OVERLAP_COLUMNS), strict=True)
    pyogrio.raw.write(path, geometries, list(arrays), list(OVERLAP_COLUMNS), field_mask=list(masks),
                      layer="overlaps", driver=DRIVERS[kind], geometry_type="MultiPolygon", promote_to_multi=True,
                      crs=f"EPSG:{WGS84}", layer_options=LAYER_OPTIONS.get(kind))
