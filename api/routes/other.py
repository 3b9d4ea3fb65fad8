"""Certificates, public verification and health."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import features
from api.deps import Auditor, Reader, Registry
from api.responses import Json
from registry.errors import NotFound

router = APIRouter(tags=["certificates"])


@router.get("/v1/certificates/{number}", summary="The parcel a certificate is registered on")
def certificate(number: str, actor: Reader, services: Registry) -> Json:
    found = services.queries.certificate(number)
    row = services.queries.parcel(found["nib"]) if found else None
    if row is None:
        raise NotFound(f"no certificate {number}")
    return Json(features.feature(row), headers={"ETag": f'"{row["position"]}"'})


@router.get("/v1/public/certificates/{number}", summary="Verify a certificate by number and hash (no personal data)")
def verify_certificate(number: str, services: Registry,
                       hash: Annotated[str, Query(min_length=64, max_length=64, pattern="^[0-9a-fA-F]{64}$")],
                       ) -> dict[str, object]:
    found = services.queries.certificate(number)
    if found is None:
        raise NotFound(f"no certificate {number}")
    title = found["title"]
    current = features.hash_of(title)
    return {"valid": hash.lower() == current and title["status"] == "active", "status": title["status"],
            "edition": title["edition"], "nib": title["nib"], "area_m2": float(title["area_m2"])}


@router.get("/v1/audit/verify", tags=["audit"], summary="Recompute every hash chain and checkpoint")
def audit_verify(actor: Auditor, services: Registry) -> dict[str, object]:
    return services.registry.verify_log().as_dict()


@router.get("/health", tags=["health"], summary="Liveness and read-model lag")
def health(services: Registry) -> dict[str, object]:
    lag = {status.name: status.lag for status in services.projector.status()}
    return {"status": "ok", "store": services.settings.store, "read_model_lag": lag}
