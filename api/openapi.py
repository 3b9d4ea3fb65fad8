"""The OpenAPI document made complete: every refusal an operation can answer, as problem+json.

Routes declare their success answer (`response_model`, `answer(...)` for its headers) and whether
they can miss what they look up (`answer(..., not_found=True)`). Everything else follows from the
operation itself, by the rules of `_refusals`, and every problem's type, title and examples come
from the one error table in `api/problems.py`, so the document cannot drift from what is sent.
"""
from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from api import problems
from api.replies import Problem
from registry.domain import errors

REF = "#/components/schemas/"
PROBLEM_REF = {"$ref": f"{REF}Problem"}
Responses = dict[int | str, dict[str, Any]]
_HEADERS = {
    "ETag": {"description": 'the resource version, e.g. "42": send it back as If-Match', "schema": {"type": "string"}},
    "Location": {"description": "where the new parcel is read", "schema": {"type": "string"}},
    "Retry-After": {"description": "seconds to wait before sending it again", "schema": {"type": "string"}},
    "WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}},
}
_DESCRIPTIONS = {
    400: "A query parameter OGC API - Features does not know, or a value it cannot take",
    401: "No bearer token, or one unknown or revoked",
    403: "The token's role may not call this",
    404: "No such parcel, title, certificate, mortgage or block",
    409: "The command breaks a rule of the register's current state (its `type` names which)",
    413: "The body is larger than LANDREG_MAX_BODY_BYTES",
    415: "The body is not application/json",
    422: "A field is malformed or breaks a rule (`field` names it, `reason` says why)",
    429: "Too many requests to the public endpoints from this address",
    503: "The store stayed busy through every retry; send the same command again",
}


def answer(status: int = 200, *, etag: bool = False, location: bool = False, not_found: bool = False) -> Responses:
    """The `responses` of a route: the headers its success carries, and 404 if it can miss."""
    headers = {name: _HEADERS[name] for name, sent in (("ETag", etag), ("Location", location)) if sent}
    found: Responses = {status: {"headers": headers}} if headers else {}
    if not_found:
        found[404] = {"description": _DESCRIPTIONS[404]}
    return found


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (made once, on first request)."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            complete(FastAPI.openapi(app))
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any]) -> None:
    """Add the problem schema and every operation's refusals, in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for generated in ("HTTPValidationError", "ValidationError"):  # FastAPI's own 422 shape, never sent here
        schemas.pop(generated, None)
    schemas["Problem"] = _problem_schema()
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            _add_refusals(path, operation)


def _problem_schema() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template=REF + "{model}")
    schema["properties"]["type"]["enum"] = sorted({f"/problems/{code}" for code, _ in _types()})
    return schema


def _types() -> list[tuple[str, str]]:
    """(code, title) of every problem the service sends: domain errors and the HTTP layer's own."""
    return [(kind.code, title) for kind, (_, title) in problems.STATUS.items()] + list(problems.HTTP.values())


def _add_refusals(path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status in sorted(_refusals(path, operation) | {int(s) for s in responses if s.isdigit() and int(s) >= 400}):
        if status == 503 and "content" in responses.get("503", {}):
            continue  # a route's own 503 body (/health degraded)
        entry = responses.setdefault(str(status), {})
        if entry.get("description") in (None, "", "Validation Error"):  # FastAPI's own 422 is not what is sent
            entry["description"] = _DESCRIPTIONS[status]
        entry["content"] = {problems.PROBLEM: {"schema": PROBLEM_REF,
                                               "examples": _examples(status, _is_command(operation))}}
        if status in (429, 503):
            entry["headers"] = {"Retry-After": _HEADERS["Retry-After"]}
        elif status == 401:
            entry["headers"] = {"WWW-Authenticate": _HEADERS["WWW-Authenticate"]}
    operation["responses"] = dict(sorted(responses.items()))


def _refusals(path: str, operation: dict[str, Any]) -> set[int]:
    """What an operation may answer besides its success and its declared 404, by what it is."""
    found = {422}  # the edge checks the path, query and headers of every request
    if operation.get("security"):
        found |= {401, 403}
    if "requestBody" in operation:
        found |= {413, 415}
    if path.startswith("/v1/public/"):
        found.add(429)
    if _is_command(operation):
        found |= {409, 503}
    return found


def _is_command(operation: dict[str, Any]) -> bool:
    """A command of the registry: it takes an Idempotency-Key."""
    return any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))


def _examples(status: int, command: bool) -> dict[str, Any]:
    """One example per problem type this status can carry; a query's 422 is malformed input only."""
    found = {}
    for kind, (code_status, title) in problems.STATUS.items():
        if code_status == status and (command or kind is errors.InvalidInput or status != 422):
            sample = _sample(kind)
            found[kind.code] = {"summary": title,
                                "value": problems.body(status, kind.code, title, sample.message, sample.details)}
    if status in problems.HTTP and not found:
        code, title = problems.HTTP[status]
        found[code] = {"summary": title, "value": problems.body(status, code, title, title)}
    return found


# The field an example of each kind of invalid input names.
_FIELDS = {errors.InvalidGeometry: "geometry", errors.SubdivisionError: "parts[1].geometry",
           errors.ShareError: "holders[1].share", errors.TermError: "ends_on", errors.FutureDate: "effective_at"}


def _sample(kind: type[errors.RegistryError]) -> errors.RegistryError:
    """An error of this kind as the registry raises it, worded from its docstring."""
    reason = re.sub(r"^Invariant \d+: ", "", (kind.__doc__ or kind.code).strip().splitlines()[0]).rstrip(".")
    if kind is errors.OverlapError:
        return errors.OverlapError(["3174010100002"], 12.5)
    if issubclass(kind, errors.InvalidInput):
        return kind(_FIELDS.get(kind, "village_code"), reason)
    return kind(reason)
