"""Titles, addressed through their parcel: registration, transfers, mortgages, blocks, terms."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from api.bootstrap import Services
from api.deps import (
    IdempotencyKey,
    IfMatch,
    Officer,
    Registry,
    command_id,
    expected_version,
    versioned,
)
from api.openapi import answer
from api.replies import BlockPlaced, Edition, MortgageRegistered, Versioned
from api.responses import Json
from api.schemas import (
    AnnulmentIn,
    BlockIn,
    HoldersIn,
    MortgageIn,
    ReasonIn,
    SourceIn,
    TermIn,
    TitleIn,
    TransferIn,
)
from registry.domain.values import Actor

router = APIRouter(prefix="/v1/parcels/{nib}", tags=["titles"])
TitleQuery = Annotated[str | None, Query(description="a title beside the parcel's primary one (a right on a right, a "
                                                     "strata unit), by certificate number; default: the primary")]
EDITION = ("certificate_number", "edition", "certificate_hash")
CHANGED = answer(etag=True, not_found=True)  # every answer of _run carries the ETag


def _run(services: Services, nib: str, if_match: str | None, actor: Actor, key: str | None,
         call: Callable[..., dict[str, Any]], keep: tuple[str, ...], created: bool = False) -> Json:
    """Check If-Match, run the registry command, answer with the fields to `keep` and the new version."""
    expected = expected_version(if_match)
    result = call(actor=actor, command_id=command_id(actor, key), expected_version=expected)
    dealing = {"dealing_id": result["dealing_id"]} if "dealing_id" in result else {}
    body = versioned({**{name: result[name] for name in keep}, **dealing}, result)
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Json(body, code, headers={"ETag": f'"{body["version"]}"'})


@router.post("/title", status_code=201, summary="Register a right and issue certificate edition 1 (pembukuan hak)",
             response_model=Edition, responses=answer(201, etag=True, not_found=True))
def register_title(nib: str, body: TitleIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
                   if_match: IfMatch = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        if body.on_title is not None or body.unit is not None:  # a title beside the primary one
            return services.registry.register_secondary_title(nib, body.right_type, body.holders, body.ends_on,
                                                              body.source, body.granted_on, body.on_title,
                                                              body.unit, **who)
        return services.registry.register_title(nib, body.right_type, body.holders, body.ends_on, body.source,
                                                body.granted_on, **who)
    return _run(services, nib, if_match, actor, key, call, EDITION, created=True)


@router.post("/transfers", summary="Transfer the right (peralihan hak): sale, gift, inheritance, auction, exchange",
             response_model=Edition, responses=CHANGED)
def transfer(nib: str, body: TransferIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
             if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.transfer_ownership(nib, body.kind, body.to, body.effective_at, body.source,
                                                    certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, EDITION)


@router.post("/title/holders", summary="Correct holder data (names, kinds): a new edition, not a transfer",
             response_model=Edition, responses=CHANGED)
def correct_holders(nib: str, body: HoldersIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
                    if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.correct_holder_data(nib, body.holders, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, EDITION)


@router.post("/mortgages", status_code=201, summary="Register a mortgage (hak tanggungan)",
             response_model=MortgageRegistered, responses=answer(201, etag=True, not_found=True))
def register_mortgage(nib: str, body: MortgageIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
                      if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.register_mortgage(nib, body.creditor, body.amount, body.source, body.rank,
                                                   certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, ("mortgage_id", "rank"), created=True)


@router.post("/mortgages/{mortgage_id}/release", summary="Release a mortgage (roya)",
             response_model=Versioned, responses=CHANGED)
def release_mortgage(nib: str, mortgage_id: str, body: SourceIn, actor: Officer, services: Registry,
                     key: IdempotencyKey = None, if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.release_mortgage(nib, mortgage_id, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, ())


@router.post("/blocks", status_code=201, summary="Place a block (blokir) or seizure (sita)",
             response_model=BlockPlaced, responses=answer(201, etag=True, not_found=True))
def place_block(nib: str, body: BlockIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
                if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.place_block(nib, body.kind, body.requested_by, body.until, body.source,
                                             body.applicant, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, ("block_id", "until"), created=True)


@router.post("/blocks/{block_id}/lift", summary="Lift a block", response_model=Versioned, responses=CHANGED)
def lift_block(nib: str, block_id: str, body: SourceIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
               if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.lift_block(nib, block_id, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, ())


@router.post("/blocks/{block_id}/expire", summary="Record that a block's end date has passed",
             response_model=Versioned, responses=CHANGED)
def expire_block(nib: str, block_id: str, body: SourceIn, actor: Officer, services: Registry,
                 key: IdempotencyKey = None, if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.expire_block(nib, block_id, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, ())


@router.post("/title/extension", summary="Extend the term (perpanjangan) before it ends",
             response_model=Edition, responses=CHANGED)
def extend(nib: str, body: TermIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
           if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.extend_right(nib, body.ends_on, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, EDITION)


@router.post("/title/renewal", summary="Renew the right (pembaruan) after its term ended",
             response_model=Edition, responses=CHANGED)
def renew(nib: str, body: TermIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
          if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.renew_right(nib, body.ends_on, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, EDITION)


@router.post("/title/expiry", summary="Record that the term ended without extension",
             response_model=Versioned, responses=CHANGED)
def expire(nib: str, body: SourceIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
           if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.expire_right(nib, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, ())


@router.post("/title/cancellation", summary="Cancel the right (pembatalan)", response_model=Versioned,
             responses=CHANGED)
def cancel(nib: str, body: ReasonIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
           if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.cancel_right(nib, body.reason, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, ())


@router.post("/title/replacement", summary="Replace a lost or damaged certificate (sertipikat pengganti)",
             response_model=Edition, responses=CHANGED)
def replace(nib: str, body: ReasonIn, actor: Officer, services: Registry, key: IdempotencyKey = None,
            if_match: IfMatch = None, title: TitleQuery = None) -> Json:
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.replace_certificate(nib, body.reason, body.source, certificate_number=title, **who)
    return _run(services, nib, if_match, actor, key, call, EDITION)


@router.post("/dealings/{dealing_id}/annulment",
             summary="Annul a dealing (pembatalan) by a court decision or for an administrative defect",
             response_model=Edition, responses=CHANGED)
def annul_dealing(nib: str, dealing_id: str, body: AnnulmentIn, actor: Officer, services: Registry,
                  key: IdempotencyKey = None, if_match: IfMatch = None) -> Json:
    """Void from its own date: holders, mortgages and blocks as they would stand without it, under a
    new edition. Only the title's latest standing dealing (409 `/problems/later_dealings` names the later ones)."""
    def call(**who: Any) -> dict[str, Any]:
        return services.registry.annul_dealing(nib, dealing_id, body.reason, body.source, **who)
    return _run(services, nib, if_match, actor, key, call, EDITION)
