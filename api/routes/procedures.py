"""Public procedures over HTTP: the announcement before a first title and its objections, and
complaints (pengaduan). The `/v1/public/...` routes take no token and are rate-limited per address;
they show claimant names (public by law) but never an id number, a share or anyone's contact."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api import replies
from api.deps import Disclose, IdempotencyKey, Officer, Reader, Registry, command_id
from api.openapi import answer
from api.responses import GeoJson, Json
from api.schemas import (
    AnnouncementIn,
    ComplaintIn,
    ComplaintStepIn,
    ObjectionIn,
    OfficeObjectionIn,
    ResolutionIn,
)
from projections.procedures import OPEN
from registry.domain.values import Actor
from spatial.geometry import from_wkb_hex, to_geojson

router = APIRouter(tags=["procedures"])
FOUND = answer(not_found=True)  # commands and reads that name a parcel, objection or complaint
CREATED = answer(201, not_found=True)
PUBLIC_WRITE = {**CREATED, 409: {}, 503: {}}  # no Idempotency-Key, so declared here


def _created(body: dict[str, Any]) -> Json:
    return Json(body, 201)


@router.post("/v1/parcels/{nib}/announcement", status_code=201, response_model=replies.AnnouncementStarted,
             responses=CREATED, summary="Announce a parcel's data before its first title (pengumuman)")
def announce(nib: str, body: AnnouncementIn, actor: Officer, services: Registry, key: IdempotencyKey = None) -> Json:
    result = services.registry.announce(nib, body.kind, body.started_on, body.right_type, body.claimants,
                                        body.source, actor=actor, command_id=command_id(actor, key))
    return _created({"announcement_id": result["announcement_id"], "ends_on": result["ends_on"]})


@router.get("/v1/public/announcements", response_class=GeoJson, response_model=replies.Announcements,
            summary="A village's running announcements (no token)")
def running_announcements(services: Registry, village: Annotated[str, Query(pattern="^[0-9]{8}$")]) -> GeoJson:
    today = services.registry.clock().isoformat()
    rows = services.queries.procedures.running(village, today)
    return GeoJson({"type": "FeatureCollection", "village_code": village, "today": today,
                    "features": [_announced(r) for r in rows]})


def _announced(row: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": row["announcement_id"], "geometry": to_geojson(from_wkb_hex(row["wgs84"])),
            "properties": {"announcement_id": row["announcement_id"], "nib": row["nib"],
                           "village_code": row["village_code"], "area_m2": float(row["area_m2"]),
                           "kind": row["kind"], "right_type": row["right_type"],
                           "claimant_names": row["claimant_names"], "started_on": row["started_on"],
                           "ends_on": row["ends_on"]}}


@router.post("/v1/public/announcements/{announcement_id}/objections", status_code=201,
             response_model=replies.ObjectionLodged, responses=PUBLIC_WRITE,
             summary="Object to a running announcement (keberatan; no token)")
def object_online(announcement_id: str, body: ObjectionIn, services: Registry) -> Json:
    result = services.registry.public_objection(announcement_id, {"name": body.name, "contact": body.contact},
                                                body.grounds)
    return _created({"objection_id": result["objection_id"], "receipt": result["receipt"]})


@router.post("/v1/parcels/{nib}/objections", status_code=201, response_model=replies.ObjectionLodged, responses=CREATED,
             summary="Record an objection lodged at the office")
def object_at_office(nib: str, body: OfficeObjectionIn, actor: Officer, services: Registry,
                     key: IdempotencyKey = None) -> Json:
    result = services.registry.lodge_objection(nib, None, body.objector, body.grounds, body.lodged_on, body.source,
                                               actor=actor, command_id=command_id(actor, key))
    return _created({"objection_id": result["objection_id"], "receipt": result["receipt"]})


@router.post("/v1/parcels/{nib}/objections/{objection_id}/resolution", responses=FOUND,
             response_model=replies.ObjectionDecided,
             summary="Dismiss or uphold an objection; an upheld one ends the announcement")
def resolve_objection(nib: str, objection_id: str, body: ResolutionIn, actor: Officer, services: Registry,
                      key: IdempotencyKey = None) -> dict[str, Any]:
    result = services.registry.resolve_objection(nib, objection_id, body.outcome, body.source, actor=actor,
                                                 command_id=command_id(actor, key))
    return {name: result[name] for name in ("objection_id", "outcome", "announcement_status")}


@router.get("/v1/parcels/{nib}/announcement", responses=FOUND, response_model=replies.AnnouncementRead,
            summary="The parcel's announcement and its objections")
def announcement(nib: str, actor: Reader, services: Registry, disclose: Disclose) -> dict[str, Any]:
    found = services.registry.get_announcement(nib)
    disclose(actor, "announcement", {"nib": nib, "claimants": found.claimants})
    return {"announcement_id": found.announcement_id, "kind": found.kind, "started_on": found.started_on,
            "ends_on": found.ends_on, "right_type": found.right_type, "claimants": found.claimants,
            "status": found.status if found.status != "running" or found.running(services.registry.clock())
            else "ended", "objections": list(found.objections.values())}


# -- complaints --------------------------------------------------------------------------------

@router.post("/v1/public/complaints", status_code=201, responses={503: {}}, response_model=replies.ComplaintFiled,
             summary="File a complaint (pengaduan; no token)")
def file_complaint(body: ComplaintIn, services: Registry) -> Json:
    result = services.registry.file_complaint(body.about, body.category, body.text, body.contact)
    return _created({name: result[name] for name in ("complaint_number", "secret", "respond_by")})


@router.get("/v1/public/complaints/{number}", responses=FOUND, response_model=replies.ComplaintSeen,
            summary="Follow one's own complaint with its number and secret")
def follow_complaint(number: str, services: Registry,
                     secret: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    found = services.registry.complaint_for(number, secret)
    return {"complaint_number": found.number, "status": found.status, "filed_on": found.filed_on,
            "respond_by": found.respond_by, "replies": found.replies}


@router.get("/v1/complaints", response_model=replies.Inbox, summary="The complaints inbox: open and overdue first")
def complaints(actor: Officer, services: Registry, status: str | None = None,
               village: Annotated[str | None, Query(pattern="^[0-9]{8}$")] = None, overdue: bool = False,
               cursor: str = "", limit: Annotated[int, Query(ge=1)] = 100) -> dict[str, Any]:
    today = services.registry.clock().isoformat()
    rows = services.queries.procedures.complaints(status, village, overdue, today, cursor, min(limit, 1_000))
    return {"today": today, "complaints": [{**r, "overdue": r["status"] in OPEN and r["respond_by"] < today}
                                           for r in rows]}


@router.get("/v1/complaints/stats", response_model=replies.ComplaintStats,
            summary="Open, overdue, days to resolution, per village and category")
def complaint_stats(actor: Reader, services: Registry) -> dict[str, Any]:
    return services.queries.procedures.stats(services.registry.clock().isoformat())


def _step(services: Any, number: str, step: str, body: ComplaintStepIn, actor: Actor, key: str | None) -> Any:
    result = services.registry.handle_complaint(number, step, body.text, body.outcome, body.assigned_to,
                                                actor=actor, command_id=command_id(actor, key))
    return {"complaint_number": result["complaint_number"], "status": result["status"]}


@router.post("/v1/complaints/{number}/replies", responses=FOUND, response_model=replies.ComplaintStep,
             summary="Answer the complainant")
def reply(number: str, body: ComplaintStepIn, actor: Officer, services: Registry,
          key: IdempotencyKey = None) -> dict[str, Any]:
    return _step(services, number, "reply", body, actor, key)  # type: ignore[no-any-return]


@router.post("/v1/complaints/{number}/assignment", responses=FOUND, response_model=replies.ComplaintStep,
             summary="Hand the complaint to an officer")
def assign(number: str, body: ComplaintStepIn, actor: Officer, services: Registry,
           key: IdempotencyKey = None) -> dict[str, Any]:
    return _step(services, number, "assign", body, actor, key)  # type: ignore[no-any-return]


@router.post("/v1/complaints/{number}/resolution", responses=FOUND, response_model=replies.ComplaintStep,
             summary="Close the complaint: resolved or rejected")
def resolve(number: str, body: ComplaintStepIn, actor: Officer, services: Registry,
            key: IdempotencyKey = None) -> dict[str, Any]:
    return _step(services, number, "close", body, actor, key)  # type: ignore[no-any-return]
