"""What every route depends on: the wired services, the caller's token and role, and the
conversions of the versioning and idempotency headers."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import TokenStore
from api.bootstrap import Services
from api.readlog import Reader as ReadBy
from api.readlog import ReadLog
from api.replica import READ_AFTER_HEADER, parse_lsn
from registry.domain.errors import InvalidInput
from registry.domain.values import Actor


def services(request: Request) -> Services:
    """The wired services; a read sending X-Read-After-LSN gets the primary's queries unless the
    replica replays that position within LANDREG_REPLICA_WAIT_MS (read-your-writes)."""
    wired: Services = request.app.state.services
    position = request.headers.get(READ_AFTER_HEADER)
    if wired.replica is None or position is None:
        return wired
    return wired if wired.replica.has_replayed(parse_lsn(position)) else wired.on_primary()


def token_store(request: Request) -> TokenStore:
    return request.app.state.tokens  # type: ignore[no-any-return]


# The OpenAPI security scheme (the Authorize button of /docs); the token store answers 401 itself.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer", bearerFormat="lr_…",
                    description="A token from `landreg tokens create --role ROLE --name NAME`.")


def allow(*roles: str) -> Callable[..., Actor]:
    """A dependency: the caller's actor, if their token's role is one of `roles` (admin always is)."""
    def caller(
        request: Request, tokens: Annotated[TokenStore, Depends(token_store)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
    ) -> Actor:
        actor = tokens.actor(credentials.credentials if credentials else None)
        request.state.actor = actor.user_id  # for the access log (api/observe.py)
        if actor.role not in roles and actor.role != "admin":
            raise HTTPException(403, f"role {actor.role!r} may not do this; needs {' or '.join(roles)}")
        return actor
    return caller


Registry = Annotated[Services, Depends(services)]
Surveyor = Annotated[Actor, Depends(allow("surveyor"))]
Officer = Annotated[Actor, Depends(allow("officer"))]
Reader = Annotated[Actor, Depends(allow("officer", "auditor"))]
Auditor = Annotated[Actor, Depends(allow("auditor"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200,
                                              description="any text of 1-200 characters, kept per caller")]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=40, description='the ETag, e.g. "42"')]
_VERSION = re.compile(r'(?:W/)?"?([0-9]{1,18})"?')


Purpose = Annotated[str | None, Header(alias="X-Purpose", max_length=200, description=(
    "why the holders' personal data is read (e.g. a case number); kept in the read log (UU PDP 2022)"))]


class Disclosure:
    """A route's note to the read log: `disclose(actor, access, body)` records the people in `body`."""

    def __init__(self, log: ReadLog, purpose: str | None, request_id: str | None) -> None:
        self.log, self.purpose, self.request_id = log, purpose, request_id

    def __call__(self, actor: Actor, access: str, shown: Any) -> None:
        self.log.record(ReadBy(actor, self.purpose, self.request_id), access, shown)


def disclosure(request: Request, purpose: Purpose = None) -> Disclosure:
    return Disclosure(request.app.state.read_log, purpose, getattr(request.state, "request_id", None))


Disclose = Annotated[Disclosure, Depends(disclosure)]


def command_id(actor: Actor, key: str | None) -> str | None:
    """The registry command id of an Idempotency-Key: a digest of the caller and the key, so no
    two callers' keys can meet (`ann` + `x:k1` is not `ann:x` + `k1`) and every id fits storage."""
    if key is None:
        return None
    if not key.strip():
        raise InvalidInput("Idempotency-Key", "must not be empty; leave the header out instead")
    digest = hashlib.sha256(orjson.dumps([actor.user_id, key])).hexdigest()
    return f"http:{digest}"


def expected_version(if_match: str | None) -> int | None:
    """The resource version an If-Match names: '"42"', 'W/"42"' or '42' -> 42. The command compares
    it with the event store inside its own transaction (never with a read model, which may lag)."""
    if if_match is None:
        return None
    found = _VERSION.fullmatch(if_match.strip())
    if found is None:
        raise InvalidInput("If-Match", f'must be a version such as "42", got {if_match[:40]!r}')
    return int(found[1])


def versioned(body: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """A command's response body with `version` set to the resource version it produced."""
    return {**body, "version": result["position"]}
