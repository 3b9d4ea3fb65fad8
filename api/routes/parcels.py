"""Parcels: surveys, boundaries, subdivision, separation, merger, and reading them."""
from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status

from api import features
from api.bootstrap import Services
from api.deps import (
    Disclose,
    IdempotencyKey,
    IfMatch,
    Officer,
    Reader,
    Registry,
    Surveyor,
    command_id,
    expected_version,
    versioned,
)
from api.openapi import answer
from api.replies import History, ParcelFeature, ParcelPage, ParcelWritten, Subdivided
from api.responses import GeoJson, Json
from api.schemas import BoundaryIn, MergeIn, SearchIn, SeparationIn, SubdivisionIn, SurveyIn
from projections import secondary
from projections.history import parcel_events, state_after, village_as_of
from projections.queries import MAX_PAGE, Page
from registry.domain.errors import InvalidGeometry, InvalidInput, NotFound
from registry.domain.values import iso_date

router = APIRouter(prefix="/v1/parcels", tags=["parcels"])


def _created(body: dict[str, object], nib: str, version: int) -> Json:
    return Json(body, status.HTTP_201_CREATED,
                          headers={"Location": f"/v1/parcels/{nib}", "ETag": f'"{version}"'})


@router.post("", status_code=201, summary="Submit a survey (pengukuran): a new parcel and its NIB",
             response_model=ParcelWritten, responses=answer(201, etag=True, location=True))
def submit_survey(body: SurveyIn, actor: Surveyor, services: Registry, key: IdempotencyKey = None) -> Json:
    result = services.registry.submit_survey(body.village_code, body.geometry, body.survey, body.crs,
                                             actor=actor, command_id=command_id(actor, key))
    out = versioned({"nib": result["nib"], "area_m2": result["area_m2"]}, result)
    return _created(out, result["nib"], out["version"])


@router.post("/{nib}/boundary", summary="Correct the boundary (pengukuran ulang)",
             response_model=ParcelWritten, responses=answer(etag=True, not_found=True))
def correct_boundary(nib: str, body: BoundaryIn, actor: Surveyor, services: Registry, key: IdempotencyKey = None,
                     if_match: IfMatch = None) -> Json:
    expected = expected_version(if_match)
    result = services.registry.correct_boundary(nib, body.geometry, body.survey, body.crs, actor=actor,
                                                command_id=command_id(actor, key), expected_version=expected)
    out = versioned({"nib": nib, "area_m2": result["area_m2"]}, result)
    return Json(out, headers={"ETag": f'"{out["version"]}"'})


@router.post("/{nib}/subdivision", status_code=201, summary="Subdivide (pemecahan) into parts that tile the parcel",
             response_model=Subdivided, responses=answer(201, not_found=True))
def subdivide(nib: str, body: SubdivisionIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
              if_match: IfMatch = None) -> Json:
    expected = expected_version(if_match)
    parts = [part.model_dump() for part in body.parts]
    result = services.registry.subdivide(nib, parts, body.source, body.consents, actor=actor,
                                         command_id=command_id(actor, key), expected_version=expected)
    return Json(versioned({"children": result["children"]}, result), status.HTTP_201_CREATED)


@router.post("/{nib}/separation", status_code=201, summary="Separate a part (pemisahan) into a new parcel",
             response_model=ParcelWritten, responses=answer(201, etag=True, location=True, not_found=True))
def separate(nib: str, body: SeparationIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
             if_match: IfMatch = None) -> Json:
    expected = expected_version(if_match)
    result = services.registry.separate(nib, body.part.model_dump(), body.source, body.consents, actor=actor,
                                        command_id=command_id(actor, key), expected_version=expected)
    out = versioned({"nib": result["nib"], "area_m2": result["area_m2"]}, result)
    return _created(out, result["nib"], out["version"])


@router.post("/merge", status_code=201, summary="Merge touching parcels (penggabungan)",
             response_model=ParcelWritten, responses=answer(201, etag=True, location=True, not_found=True))
def merge(body: MergeIn, actor: Officer, services: Registry, key: IdempotencyKey = None) -> Json:
    result = services.registry.merge(body.nibs, body.source, actor=actor, command_id=command_id(actor, key))
    out = versioned({"nib": result["nib"], "area_m2": result["area_m2"]}, result)
    return _created(out, result["nib"], out["version"])


AsOf = Annotated[str | None, Query(description="a recorded time, ISO-8601 date or date-time (UTC if no zone): "
                                                "as the registry knew it then")]
EffectiveOn = Annotated[str | None, Query(description="a legal date YYYY-MM-DD in the registry's time zone: "
                                                      "the rights in force that day")]


@router.get("/{nib}", response_class=GeoJson,
            summary="A parcel now, in force on a legal date, as of a recorded time, or at a version",
            response_model=ParcelFeature, responses=answer(etag=True, not_found=True))
def get_parcel(nib: str, actor: Reader, services: Registry, response: Response, disclose: Disclose, as_of: AsOf = None,
               effective_on: EffectiveOn = None, version: Annotated[int | None, Query(ge=1)] = None) -> Json:
    row = parcel_at(services, nib, as_of, effective_on, version)
    disclose(actor, "parcel", row)
    found = features.feature(row)
    found["properties"]["other_titles"] = features.other_titles(_others(services, nib, as_of, version))
    return GeoJson(found, headers={"ETag": f'"{row["position"]}"'})


def _others(services: Services, nib: str, as_of: str | None, version: int | None) -> list[secondary.Titled]:
    """The titles beside the primary one (rights on rights, strata units), now or as recorded then."""
    if as_of is None and version is None:
        return secondary.from_rows(services.queries.certificates_on(nib))
    with services.queries.engine.connect() as connection:
        events = parcel_events(connection, nib)
    return secondary.from_events(events, position=version, recorded_by=instant_of(as_of) if as_of else None)


def parcel_at(services: Services, nib: str, as_of: str | None, effective_on: str | None,
              version: int | None = None) -> dict[str, Any]:
    """The parcel row now (the read model) or on the time axes asked for (folded from the log)."""
    if as_of is None and version is None and effective_on is None:
        row = services.queries.parcel(nib)
    else:
        axes = (instant_of(as_of) if as_of else None, legal_date_of(effective_on) if effective_on else None)
        with services.queries.engine.connect() as connection:
            events = parcel_events(connection, nib)
        row = state_after(events, position=version, recorded_by=axes[0], effective_on=axes[1])
    if row is None:
        then = as_of is None and version is None and effective_on is None
        raise NotFound(f"no parcel with NIB {nib}" + ("" if then else " at that time"))
    return row


@router.get("/{nib}/history", summary="Every event of the parcel and its titles, with both dates",
            response_model=History, responses=answer(not_found=True))
def history(nib: str, actor: Reader, services: Registry, disclose: Disclose, as_of: AsOf = None,
            effective_on: EffectiveOn = None) -> Json:
    """Each entry has its recorded time and legal date; `as_of` keeps those recorded by then,
    `effective_on` those in force by that date. A void dealing stays, with the annulment that voided it."""
    with services.queries.engine.connect() as connection:
        events = parcel_events(connection, nib)
    if not events:
        raise NotFound(f"no parcel with NIB {nib}")
    recorded, legal = instant_of(as_of) if as_of else None, legal_date_of(effective_on) if effective_on else None
    events = [e for e in events if (recorded is None or e.recorded_at <= recorded)
              and (legal is None or str(e.data["effective_at"]) <= legal)]
    void = {(e.originator_id, e.data["dealing_id"]): e.position for e in events if e.kind == "Title.DealingAnnulled"}
    body = {"nib": nib, "events": [features.history_entry(e, void) for e in events]}
    disclose(actor, "parcel_history", body)
    return Json(body)


# How each search is named in the read log.
SEARCHES = {"holder": "holder_search", "holder_name": "holder_name_search", "village": "village_list",
            "bbox": "area_search"}
PageSize = Annotated[int, Query(ge=1, description=f"parcels per page; more than {MAX_PAGE} is taken as {MAX_PAGE}")]
VillageStatus = Annotated[Literal["active", "retired", "all"], Query(
    alias="status", description="with village: active (the default), retired or all parcels")]


@router.get("", response_class=GeoJson, summary="Parcels by holder id, holder name, village or box (keyset pages)",
            response_model=ParcelPage)
def list_parcels(
    actor: Reader, services: Registry, request: Request, disclose: Disclose,
    holder: str | None = None, village: str | None = None,
    holder_name: Annotated[str | None, Query(min_length=3, description="part of a holder's name, any case")] = None,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in degrees")] = None,
    parcel_status: VillageStatus = "active", limit: PageSize = 100, cursor: str = "",
    as_of: AsOf = None, effective_on: EffectiveOn = None,
) -> GeoJson:
    """With `village`, also on the time axes (`effective_on`, `as_of`): the village folded from the log."""
    given = (("holder", holder), ("holder_name", holder_name), ("village", village), ("bbox", bbox))
    chosen = [name for name, value in given if value]
    if len(chosen) != 1:
        raise InvalidInput("holder|holder_name|village|bbox",
                           "give exactly one of holder, holder_name, village or bbox")
    queries = services.queries
    if (as_of or effective_on) and not village:
        raise InvalidInput("effective_on" if effective_on else "as_of", "a listing on the time axes needs village")
    if village and (as_of or effective_on):
        page = _village_then(services, village, as_of, effective_on, parcel_status, cursor, limit)
    elif holder:
        page = queries.by_holder(holder, cursor, limit)
    elif holder_name:
        page = queries.by_holder_name(holder_name, cursor, limit)
    elif village:
        page = queries.in_village(village, cursor, limit, parcel_status)
    else:
        page = queries.in_bbox(*_bbox(bbox or ""), after=cursor, limit=limit)
    disclose(actor, SEARCHES[chosen[0]], page.items)
    return GeoJson(features.parcel_collection(page.items, page.next_cursor, request.url))


@router.post("/search", response_class=GeoJson, summary="Active parcels intersecting a geometry",
             response_model=ParcelPage)
def search(body: SearchIn, actor: Reader, services: Registry, request: Request, disclose: Disclose,
           limit: PageSize = 100, cursor: str = "") -> GeoJson:
    """The `next` link is to be POSTed with the same body."""
    probe = services.registry.footprint(body.geometry, body.crs, parcel=False)
    page = services.queries.intersecting(probe.wgs84, after=cursor, limit=limit)
    disclose(actor, "area_search", page.items)
    found = features.parcel_collection(page.items, page.next_cursor, request.url)
    for link in found["links"]:
        link["method"] = "POST"
    return GeoJson(found)


def _village_then(services: Services, village: str, as_of: str | None, effective_on: str | None, status: str,
                  after: str, limit: int) -> Page:
    """A keyset page of the village as it stood on the time axes (its parcels folded from the log)."""
    recorded, legal = instant_of(as_of) if as_of else None, legal_date_of(effective_on) if effective_on else None
    with services.queries.engine.connect() as connection:
        rows = village_as_of(connection, village, recorded, legal)
    chosen = [r for r in rows if r["nib"] > after and status in ("all", r["status"])]
    size = min(limit, MAX_PAGE)
    return Page(chosen[:size], chosen[size - 1]["nib"] if len(chosen) > size else None)


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        minx, miny, maxx, maxy = (float(part) for part in text.split(","))
    except ValueError:
        raise InvalidInput("bbox", "must be four numbers: minx,miny,maxx,maxy (degrees)") from None
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidGeometry("bbox", "must satisfy minx <= maxx and miny <= maxy within -180..180, -90..90")
    return minx, miny, maxx, maxy


def legal_date_of(text: str) -> str:
    """An effective_on value: a legal date, any day (a date ahead reads the rights as they stand now)."""
    return iso_date(text, "effective_on")


def instant_of(text: str) -> str:
    """An as_of value as a UTC ISO time comparable with recorded times; a bare date means its end."""
    from datetime import datetime

    if len(text) == 10:
        return iso_date(text, "as_of") + "T23:59:59.999999+00:00"
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    except (ValueError, OverflowError):
        raise InvalidInput("as_of", f"must be an ISO-8601 date or date-time, got {text!r}") from None
