"""OGC API - Features at /ogc: the landing page, conformance, the `parcels` collection and its items."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api import features, ogc
from api.deps import Disclose, Reader, Registry
from api.replies import OgcDocument
from api.responses import GeoJson, Json
from registry.domain.errors import NotFound

router = APIRouter(prefix="/ogc", tags=["ogc"])
ASKED: dict[int | str, dict[str, Any]] = {400: {}}  # a parameter OGC API - Features does not know (Part 1, 7.6)
FOUND: dict[int | str, dict[str, Any]] = {**ASKED, 404: {}}

Limit = Annotated[str | None, Query(description=f"features per page, 1 or more (default {ogc.DEFAULT_LIMIT}); "
                                                f"more than {ogc.MAX_PAGE} is taken as {ogc.MAX_PAGE}")]
Bbox = Annotated[str | None, Query(description="minx,miny,maxx,maxy in CRS84 (longitude, latitude)")]
Cursor = Annotated[str, Query(description="where the page starts: from the `next` link, never made by hand")]


@router.get("", name="ogc_landing", response_model=OgcDocument, responses=ASKED,
            summary="Landing page of the OGC API - Features service")
def landing(actor: Reader, request: Request) -> Json:
    ogc.check_parameters(request, ogc.COMMON)
    return Json(ogc.landing(request))


@router.get("/", include_in_schema=False)
def landing_with_slash(actor: Reader, request: Request) -> Json:
    return landing(actor, request)


@router.get("/conformance", name="ogc_conformance", response_model=OgcDocument, responses=ASKED,
            summary="The conformance classes implemented")
def conformance(actor: Reader, request: Request) -> Json:
    ogc.check_parameters(request, ogc.COMMON)
    return Json(ogc.conformance())


@router.get("/collections", name="ogc_collections", response_model=OgcDocument, responses=ASKED,
            summary="The feature collections")
def collections(actor: Reader, request: Request) -> Json:
    ogc.check_parameters(request, ogc.COMMON)
    return Json(ogc.collections(request))


@router.get("/collections/{collection_id}", name="ogc_collection", response_model=OgcDocument, responses=FOUND,
            summary="One feature collection")
def collection(collection_id: str, actor: Reader, request: Request) -> Json:
    ogc.check_parameters(request, ogc.COMMON)
    return Json(ogc.collection(request, collection_id))


@router.get("/collections/{collection_id}/items", name="ogc_items", response_class=GeoJson,
            response_model=OgcDocument, responses=FOUND,
            summary="Active parcels, in NIB order, a page at a time (follow the `next` link)")
def items(collection_id: str, actor: Reader, services: Registry, request: Request, disclose: Disclose,
          limit: Limit = None, bbox: Bbox = None, cursor: Cursor = "") -> GeoJson:
    ogc.known(collection_id)
    ogc.check_parameters(request, ogc.ITEMS)
    size, area = ogc.page_size(limit), ogc.bbox_area(bbox)
    queries = services.queries
    page = queries.active(cursor, size) if area is None else queries.intersecting(area, cursor, size)
    found = [features.gis_feature(row) for row in page.items]
    disclose(actor, "ogc_items", page.items)  # the features carry the holders' names
    links = [*features.page_links(request.url, page.next_cursor), ogc.collection_link(request)]
    counts = {"numberReturned": len(found)} | ({} if area else {"numberMatched": queries.active_count()})
    return GeoJson(features.collection(found, links, timeStamp=_now(), **counts))


@router.get("/collections/{collection_id}/items/{feature_id}", name="ogc_item", response_class=GeoJson,
            response_model=OgcDocument, responses=FOUND,
            summary="One active parcel; its id is the NIB")
def item(collection_id: str, feature_id: str, actor: Reader, services: Registry, request: Request,
         disclose: Disclose) -> GeoJson:
    ogc.known(collection_id)
    ogc.check_parameters(request, ogc.COMMON)
    row = services.queries.parcel(feature_id)
    if row is None or row["status"] != "active":
        raise NotFound(f"no active parcel with NIB {feature_id[:40]}")
    disclose(actor, "ogc_items", row)
    links = [{"rel": "self", "type": features.GEOJSON, "href": str(request.url)}, ogc.collection_link(request)]
    return GeoJson(features.gis_feature(row, links), headers={"ETag": f'"{row["position"]}"'})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
