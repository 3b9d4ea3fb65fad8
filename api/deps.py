"""What every route depends on: the wired services, the caller's token and role, and the
conversions of the versioning and idempotency headers."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request

from api.auth import TokenStore
from api.bootstrap import Services
from registry.errors import InvalidInput, NotFound, VersionConflict
from registry.values import Actor


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def token_store(request: Request) -> TokenStore:
    return request.app.state.tokens  # type: ignore[no-any-return]


def allow(*roles: str) -> Callable[..., Actor]:
    """A dependency: the caller's actor, if their token's role is one of `roles` (admin always is)."""
    def caller(
        tokens: Annotated[TokenStore, Depends(token_store)],
        authorization: Annotated[str | None, Header()] = None,
    ) -> Actor:
        actor = tokens.actor(authorization)
        if actor.role not in roles and actor.role != "admin":
            raise HTTPException(403, f"role {actor.role!r} may not do this; needs {' or '.join(roles)}")
        return actor
    return caller


Registry = Annotated[Services, Depends(services)]
Surveyor = Annotated[Actor, Depends(allow("surveyor"))]
Officer = Annotated[Actor, Depends(allow("officer"))]
Reader = Annotated[Actor, Depends(allow("officer", "auditor"))]
Auditor = Annotated[Actor, Depends(allow("auditor"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]
IfMatch = Annotated[str | None, Header(alias="If-Match")]


def command_id(actor: Actor, key: str | None) -> str | None:
    """The registry command id of an Idempotency-Key: scoped to the caller, so keys never collide."""
    return None if key is None else f"http:{actor.user_id}:{key}"


def parse_version(if_match: str) -> int:
    """'"42"', 'W/"42"' or '42' -> 42."""
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput("If-Match", f'must be a version such as "42", got {if_match!r}')
    return int(text)


def expected_version(services: Services, nib: str, if_match: str | None, of: str) -> int | None:
    """Check If-Match against the parcel resource's version; return the version the command must
    find on the aggregate it changes (`of` 'parcel' or 'title'), so a race is caught as well."""
    if if_match is None:
        return None
    row = services.queries.parcel(nib)
    if row is None:
        raise NotFound(f"no parcel with NIB {nib}")
    wanted = parse_version(if_match)
    if wanted != row["position"]:
        raise VersionConflict(f"parcel {nib} is at version {row['position']}, not {wanted}",
                              expected=wanted, actual=row["position"])
    if of == "parcel":
        return int(row["version"])
    return None if row["title"] is None else int(row["title"]["version"])


def versioned(body: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """A command's response body with `version` set to the resource version it produced."""
    return {**body, "version": result["position"]}
