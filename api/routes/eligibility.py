"""A holder's loss of eligibility (UUPA art. 21(3)-(4)): its record, and the right's extinction
once the year to release it has passed."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import IdempotencyKey, IfMatch, Officer, Registry
from api.replies import EligibilityLost, Versioned
from api.responses import Json
from api.routes.titles import CHANGED, EDITION, TitleQuery, _run
from api.schemas import EligibilityLossIn, SourceIn

router = APIRouter(prefix="/v1/parcels/{nib}/title", tags=["titles"])


@router.post("/eligibility-loss", summary="Record a holder's loss of eligibility: the right is to be released "
                                          "to an eligible holder within a year", response_model=EligibilityLost,
             responses=CHANGED)
def lose_eligibility(nib: str, body: EligibilityLossIn, actor: Officer, services: Registry,
                     key: IdempotencyKey = None, if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.record_eligibility_loss(nib, body.cause, body.holders, body.source,
                                                         certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, (*EDITION, "release_by"))


@router.post("/extinguishment", summary="Record that a right not released by its deadline is extinguished",
             response_model=Versioned, responses=CHANGED)
def extinguish(nib: str, body: SourceIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
               if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.extinguish_right(nib, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, ())
