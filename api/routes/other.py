"""Certificates, public verification and health."""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Query, Request

from api import features
from api.deps import Auditor, Reader, Registry
from api.features import ownership
from api.openapi import answer
from api.replies import AuditReport, Health, ParcelFeature, PublicCheck, VillageOwnership
from api.responses import GeoJson, Json
from api.routes.parcels import instant_of
from projections.history import village_as_of
from registry.domain.errors import NotFound

router = APIRouter()


@router.get("/v1/certificates/{number}", tags=["certificates"], summary="The parcel a certificate is registered on",
            response_class=GeoJson, response_model=ParcelFeature, responses=answer(etag=True, not_found=True))
def certificate(number: str, actor: Reader, services: Registry) -> Json:
    found = services.queries.certificate(number)
    row = services.queries.parcel(found["nib"]) if found else None
    if row is None:
        raise NotFound(f"no certificate {number}")
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
            summary="Who held each parcel of a village at a recorded time, folded from the log",
            response_model=VillageOwnership)
def village_ownership(village_code: str, actor: Reader, services: Registry,
                      as_of: Annotated[str | None, Query(description="ISO-8601 date or date-time")] = None,
                      ) -> Json:
    instant = instant_of(as_of) if as_of else None
    with services.queries.engine.connect() as connection:
        rows = village_as_of(connection, village_code, instant)
    return Json({"village_code": village_code, "as_of": instant, "parcels": [ownership(r) for r in rows]})


@router.get("/v1/audit/verify", tags=["audit"], summary="Recompute every hash chain and checkpoint",
            response_model=AuditReport)
def audit_verify(actor: Auditor, services: Registry) -> Json:
    return Json(services.registry.verify_log().as_dict())


@router.get("/health", tags=["health"], summary="Liveness and read-model lag; 503 when the read side is degraded",
            response_model=Health, responses={503: {"model": Health, "description": "the read side is degraded"}})
def health(services: Registry, request: Request) -> Json:
    """`ok`, or `degraded` (503) naming each read model whose follower stopped, failed on an event,
    or stays behind the log without moving."""
    statuses = services.projector.status()
    follower = request.app.state.follower
    troubles = services.projector.watch.troubles(statuses, None if follower is None else follower.is_alive())
    body: dict[str, object] = {"status": "degraded" if troubles else "ok", "store": services.settings.store,
                               "read_model_lag": {s.name: s.lag for s in statuses}}
    if services.replica is not None:
        try:
            body["replica_lag"] = services.replica.lag()
        except Exception as error:  # noqa: BLE001 - a replica that does not answer is what /health reports
            troubles.append({"read_model": "replica", "reason": f"the read replica does not answer: {type(error).__name__}"})
            body["status"] = "degraded"
    if troubles:
        body["problems"] = troubles
    return Json(body, status_code=503 if troubles else 200)
