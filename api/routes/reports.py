"""Reports: overlapping legacy parcels (conflicts and duplicate certificates)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api import features
from api.deps import Reader, Registry
from api.replies import OverlapReport
from api.responses import GeoJson
from projections import overlaps
from registry.domain.errors import InvalidInput
from spatial.geometry import to_rfc7946

router = APIRouter(prefix="/v1/reports", tags=["reports"])
MOST_SCANNED = 20_000  # parcels one answer scans at most, so no request holds a worker for long


@router.get("/overlaps", response_class=GeoJson, response_model=OverlapReport,
            summary="Pairs of parcels that overlap beyond the tolerance, in a village or province")
def overlap_report(
    actor: Reader, services: Registry, request: Request,
    village: Annotated[str | None, Query(pattern="^[0-9]{8}$", description="8-digit village code")] = None,
    province: Annotated[str | None, Query(pattern="^[0-9]{2}$", description="2-digit province code")] = None,
    limit: Annotated[int, Query(ge=1, description="pairs wanted per page (more than 1000 is taken as 1000); a "
                                                   "page ends after a whole page of parcels, "
                                                   "so it may hold more")] = 100,
    cursor: Annotated[str, Query(pattern="^[0-9]{0,13}$", description="next_cursor of the page before")] = "",
) -> GeoJson:
    """Each pair once, with its overlap in m² (as the overlap guard measures it), the fraction of the
    smaller parcel, the shared part as geometry and `duplicate`: same_number (both titles rest on a
    document of the same kind and number), same_parcel (the overlap covers 95 % of both) or null.
    A page scans up to 20,000 parcels: it may hold fewer pairs than `limit`, and `next_cursor` goes on."""
    if (village is None) == (province is None):
        raise InvalidInput("village|province", "give exactly one of village or province")
    low, below = overlaps.area_range(village, province)
    settings = services.settings
    found: list[overlaps.Pair] = []
    scanned, after = 0, cursor
    with services.queries.engine.connect() as connection:
        pages = overlaps.pairs(connection, low, below, settings.overlap_tolerance_m2,
                               settings.overlap_tolerance_fraction, after=cursor, page=2_000)
        for page, last in pages:
            found += page
            scanned, after = scanned + 2_000, last or ""
            if last is None or len(found) >= min(limit, 1_000) or scanned >= MOST_SCANNED:
                break
    next_cursor = after or None
    return GeoJson(features.collection([_feature(p) for p in found], features.page_links(request.url, next_cursor),
                                       next_cursor=next_cursor))


def _feature(pair: overlaps.Pair) -> dict[str, Any]:
    geometry, bbox = to_rfc7946(pair.geometry)
    return {"type": "Feature", "id": f"{pair.nib_a}-{pair.nib_b}", "bbox": bbox, "geometry": geometry,
            "properties": pair.as_dict()}
