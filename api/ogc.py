"""OGC API - Features Part 1 (Core, GeoJSON): the documents around the items, and their parameters."""
from __future__ import annotations

import math
from typing import Any

from fastapi import HTTPException, Request
from shapely.geometry import MultiPolygon, box
from shapely.geometry.base import BaseGeometry

from api.features import GEOJSON
from projections.queries import MAX_PAGE
from spatial.crs import INDONESIA

JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.1"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84_NAMES = frozenset({CRS84, "https://www.opengis.net/def/crs/OGC/1.3/CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84"})
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
PARCELS = "parcels"
DEFAULT_LIMIT = 100
# Query parameters each kind of request understands; any other is refused (400), as Part 1 asks.
COMMON = frozenset({"f"})
ITEMS = COMMON | {"limit", "bbox", "bbox-crs", "crs", "cursor"}
FORMATS = frozenset({"json", "geojson", "application/json", "application/geo+json"})
# Part 1's `datetime` filters features by their own time extent; these features are the parcels as
# they are now, so it would not answer "who held what on that day". Reads by legal date live beside.
NO_DATETIME = ("datetime: the parcels collection holds the parcels as they are now; read them on a legal date "
               "with GET /v1/parcels?village=CODE&effective_on=DATE or /v1/villages/CODE/ownership?effective_on=DATE "
               "(add as_of= for a recorded time)")


def refuse(detail: str) -> HTTPException:
    """A 400 for a query parameter the request cannot have, or cannot have so."""
    return HTTPException(400, detail)


def check_parameters(request: Request, allowed: frozenset[str]) -> None:
    """Refuse a parameter the endpoint does not know, and an output format other than GeoJSON."""
    unknown = sorted(set(request.query_params) - allowed)
    if "datetime" in unknown:
        raise refuse(NO_DATETIME)
    if unknown:
        raise refuse(f"unknown query parameter {unknown[0]!r}; this endpoint takes {', '.join(sorted(allowed))}")
    wanted = request.query_params.get("f")
    if wanted is not None and wanted.lower() not in FORMATS:
        raise refuse(f"f: only json (GeoJSON) is offered, not {wanted[:40]!r}")
    for name in ("crs", "bbox-crs"):
        given = request.query_params.get(name)
        if given is not None and given not in CRS84_NAMES:
            raise refuse(f"{name}: only {CRS84} is offered")


def page_size(text: str | None) -> int:
    """`limit` as a page size: 1 or more; above the maximum it is the maximum (never refused)."""
    if text is None:
        return DEFAULT_LIMIT
    try:
        value = int(text)
    except ValueError:
        raise refuse(f"limit: must be a whole number, got {text[:40]!r}") from None
    if value < 1:
        raise refuse("limit: must be 1 or more")
    return min(value, MAX_PAGE)


def bbox_area(text: str | None) -> BaseGeometry | None:
    """`bbox` (CRS84: minx,miny,maxx,maxy, or with heights minx,miny,minz,maxx,maxy,maxz) as the area
    it covers; a box whose west edge lies east of its east edge crosses the antimeridian."""
    if text is None:
        return None
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        raise refuse("bbox: must be 4 (or 6) comma-separated numbers") from None
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise refuse("bbox: must be 4 (or 6) comma-separated finite numbers")
    half = len(numbers) // 2
    west, south, east, north = numbers[0], numbers[1], numbers[half], numbers[half + 1]
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise refuse("bbox: longitudes must lie in -180..180 and latitudes in -90..90, south <= north")
    if west <= east:
        return box(west, south, east, north)
    return MultiPolygon([box(west, south, 180, north), box(-180, south, east, north)])


def landing(request: Request) -> dict[str, Any]:
    return {
        "title": "landreg", "description": "The land registry's parcels for GIS clients (OGC API - Features).",
        "links": [
            _link(request, "self", JSON, "ogc_landing", "This document"),
            {"rel": "service-desc", "type": OPENAPI, "title": "The API definition",
             "href": str(request.url_for("openapi"))},
            {"rel": "service-doc", "type": "text/html", "title": "The API documentation",
             "href": str(request.url_for("swagger_ui_html"))},
            _link(request, "conformance", JSON, "ogc_conformance", "Conformance classes"),
            _link(request, "data", JSON, "ogc_collections", "Collections"),
        ],
    }


def conformance() -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


def collections(request: Request) -> dict[str, Any]:
    return {"links": [_link(request, "self", JSON, "ogc_collections", "This document")],
            "collections": [collection(request, PARCELS)]}


def collection(request: Request, collection_id: str) -> dict[str, Any]:
    """The one collection: active parcels, extent the registry's area (Indonesia)."""
    known(collection_id)
    return {
        "id": PARCELS, "title": "Active parcels",
        "description": "Every active parcel (bidang) with its current right, certificate and holders; "
                       "the NIB is each feature's id.",
        "itemType": "feature", "crs": [CRS84], "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [list(INDONESIA)], "crs": CRS84}},
        "links": [
            _link(request, "self", JSON, "ogc_collection", "This collection", collection_id=PARCELS),
            _link(request, "items", GEOJSON, "ogc_items", "Its parcels", collection_id=PARCELS),
        ],
    }


def known(collection_id: str) -> None:
    if collection_id != PARCELS:
        raise HTTPException(404, f"no collection {collection_id[:60]!r}; the collection is {PARCELS!r}")


def collection_link(request: Request) -> dict[str, str]:
    return _link(request, "collection", JSON, "ogc_collection", "The collection", collection_id=PARCELS)


def _link(request: Request, rel: str, media_type: str, route: str, title: str, **path: str) -> dict[str, str]:
    return {"rel": rel, "type": media_type, "title": title, "href": str(request.url_for(route, **path))}
