"""Certificates, public verification and health."""
from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from api import features, readlog
from api.deps import Auditor, Disclose, Reader, Registry
from api.features import ownership
from api.health import report as health_report
from api.openapi import answer
from api.replies import AuditReport, Health, ParcelFeature, PublicCheck, Reads, VillageOwnership
from api.responses import GeoJson, Json
from api.routes.parcels import AsOf, EffectiveOn, instant_of, legal_date_of, parcel_at
from projections.history import village_as_of
from registry.domain.errors import InvalidInput, NotFound
from registry.domain.values import iso_date

router = APIRouter()


@router.get("/v1/certificates/{number}", tags=["certificates"], summary="The parcel a certificate is registered on",
            response_class=GeoJson, response_model=ParcelFeature, responses=answer(etag=True, not_found=True))
def certificate(number: str, actor: Reader, services: Registry, disclose: Disclose, as_of: AsOf = None,
                effective_on: EffectiveOn = None) -> Json:
    """Now, or on the legal date and recorded time asked for (as `GET /v1/parcels/{nib}`)."""
    found = services.queries.certificate(number)
    if found is None:
        raise NotFound(f"no certificate {number}")
    row = parcel_at(services, found["nib"], as_of, effective_on)
    disclose(actor, "certificate", row)
    return GeoJson(features.feature(row), headers={"ETag": f'"{row["position"]}"'})


@router.get("/v1/public/certificates/{number}", tags=["certificates"],
            summary="Verify a certificate by number and hash (no personal data; rate-limited)",
            response_model=PublicCheck)
def verify_certificate(number: str, services: Registry,
                       hash: Annotated[str | None, Query(max_length=64,
                                                         description="sha256 printed on the certificate")] = None,
                       ) -> Json:
    """Only the holder of the printed certificate learns more than "not valid": without the
    current edition's hash the answer is the same for a wrong hash, an old edition, a cancelled
    title and a number that does not exist, so the register cannot be enumerated from here."""
    found = services.queries.certificate(number)
    title = found["title"] if found else None
    if title is None or hash is None or title["status"] != "active" or \
            not hmac.compare_digest(hash.lower(), features.hash_of(title)):
        return Json({"valid": False})
    return Json({"valid": True, "status": title["status"], "edition": title["edition"], "nib": title["nib"],
                 "area_m2": float(title["area_m2"])})


@router.get("/v1/villages/{village_code}/ownership", tags=["audit"],
            summary="Who held each parcel of a village on a legal date, as recorded by a time, folded from the log",
            response_model=VillageOwnership)
def village_ownership(village_code: str, actor: Reader, services: Registry, disclose: Disclose, as_of: AsOf = None,
                      effective_on: EffectiveOn = None) -> Json:
    instant = instant_of(as_of) if as_of else None
    legal = legal_date_of(effective_on) if effective_on else None
    with services.queries.engine.connect() as connection:
        rows = village_as_of(connection, village_code, instant, legal)
    parcels = [ownership(r) for r in rows]
    disclose(actor, "village_ownership", parcels)
    return Json({"village_code": village_code, "as_of": instant, "effective_on": legal, "parcels": parcels})


@router.get("/v1/audit/verify", tags=["audit"], summary="Recompute the hash chains, seals and checkpoints",
            response_model=AuditReport)
def audit_verify(actor: Auditor, services: Registry,
                 full: Annotated[bool, Query(description="every event from the first; by default only what came after "
                                                         "the checkpoint the last sound verify "
                                                         "ended on")] = False) -> Json:
    return Json(services.registry.verify_log(full=full).as_dict())


@router.get("/v1/audit/reads", tags=["audit"], response_model=Reads,
            summary="The read log of personal data: who read whose data, when and why (UU PDP 2022)")
def audit_reads(
    actor: Auditor, services: Registry, request: Request,
    holder: Annotated[str | None, Query(max_length=64, description="the person whose data was read")] = None,
    reader: Annotated[str | None, Query(alias="actor", max_length=64, description="who read it")] = None,
    nib: Annotated[str | None, Query(max_length=13)] = None,
    since: Annotated[str | None, Query(alias="from",
                                       description="ISO-8601 date or date-time (a date: its start)")] = None,
    until: Annotated[str | None, Query(alias="to", description="ISO-8601 date or date-time (a date: its end)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str, Query(pattern="^[0-9]{0,18}$", description="from `next_cursor`")] = "",
) -> Json:
    """Newest first. The reads of the last second or so may still be on their way to the table."""
    rows = readlog.find(request.app.state.read_log.engine, holder, reader, nib,
                        moment(since, "from", start=True), moment(until, "to", start=False),
                        int(cursor) if cursor else None, limit)
    following = str(rows[-1]["id"]) if len(rows) == limit else None
    return Json({"reads": rows, "next_cursor": following})


def moment(text: str | None, name: str, start: bool) -> datetime | None:
    """A query's time bound: a bare date is the start (or the end) of that day, UTC."""
    if text is None:
        return None
    if len(text) == 10:
        text = f"{iso_date(text, name)}T00:00:00+00:00" if start else instant_of(text)
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(name, f"must be an ISO-8601 date or date-time, got {text[:40]!r}") from None
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).astimezone(UTC)


@router.get("/health", tags=["health"], summary="ok, degraded or failing, with read-model and replica lag",
            response_model=Health, responses={503: {"model": Health, "description": "degraded or failing"}})
def health(services: Registry, request: Request) -> Json:
    """`ok`; `degraded` (503) naming each read model whose follower stopped, failed on an event, stays
    behind the log without moving or falls further behind, and a read replica that stays behind;
    `failing` (503) when the store does not answer. Checkpoints are not lag."""
    follower = request.app.state.follower
    body, status = health_report(services, None if follower is None else follower.is_alive())
    return Json(body, status_code=status)
