"""Errors as application/problem+json (RFC 9457): the one table from domain errors to HTTP."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import Json
from registry import errors

PROBLEM = "application/problem+json"

# Domain error -> (status, title). The problem type is /problems/<error code>.
STATUS: dict[type[errors.RegistryError], tuple[int, str]] = {
    errors.InvalidGeometry: (422, "Invalid geometry"),
    errors.SubdivisionError: (422, "Parts do not tile the parcel"),
    errors.ShareError: (422, "Invalid holders or shares"),
    errors.TermError: (422, "Invalid term"),
    errors.FutureDate: (422, "Date in the future"),
    errors.InvalidInput: (422, "Invalid input"),
    errors.EligibilityError: (422, "Holder not eligible for this right"),
    errors.MergerError: (422, "Parcels cannot be merged"),
    errors.NotFound: (404, "Not found"),
    errors.OverlapError: (409, "Overlaps an active parcel"),
    errors.TitleBlocked: (409, "Title is blocked"),
    errors.TitleNotActive: (409, "Title is not active"),
    errors.ParcelNotActive: (409, "Parcel is not active"),
    errors.TitleAlreadyRegistered: (409, "Parcel already has a title"),
    errors.MortgageError: (409, "Mortgage rule broken"),
    errors.VersionConflict: (409, "Stale version"),
    errors.CommandIdReused: (422, "Idempotency key reused for another request"),
    errors.SerialsExhausted: (409, "No serial numbers left"),
    errors.StoreBusy: (503, "Registry busy"),
}


# The problem document's own members (RFC 9457); an error's details can never overwrite them.
RESERVED = frozenset({"type", "title", "status", "detail", "instance"})


def problem(status: int, code: str, title: str, detail: str, members: dict[str, Any] | None = None) -> Json:
    """A problem+json response; `members` are extensions, renamed `<name>_` where they would
    collide with a member of the document itself (a title's `status` becomes `status_`)."""
    extensions = {(f"{k}_" if k in RESERVED else k): v for k, v in (members or {}).items()}
    body = {**extensions, "type": f"/problems/{code}", "title": title, "status": status, "detail": detail}
    headers = {"Retry-After": "1"} if status == 503 else None
    return Json(body, status_code=status, media_type=PROBLEM, headers=headers)


def _status_of(error: errors.RegistryError) -> tuple[int, str]:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]  # type: ignore[index]
    return 400, "Request refused"


def registry_error(_: Request, error: Exception) -> Json:
    assert isinstance(error, errors.RegistryError)
    status, title = _status_of(error)
    return problem(status, error.code, title, error.message, error.details)


def validation_error(_: Request, error: Exception) -> Json:
    """Malformed bodies and parameters: 422 naming each field and the reason."""
    assert isinstance(error, RequestValidationError)
    invalid = [_invalid(e) for e in error.errors()]
    first = invalid[0] if invalid else {"field": "body", "reason": "invalid"}
    return problem(422, "invalid_input", "Invalid input", f"{first['field']}: {first['reason']}",
                   {"field": first["field"], "reason": first["reason"], "invalid": invalid})


def _invalid(error: dict[str, Any]) -> dict[str, str]:
    if error["type"] == "json_invalid":  # the location is a character offset, not a field
        where = error["loc"][-1]
        return {"field": "body", "reason": f"malformed JSON near character {where}: {error['msg']}"}
    # The location kind (body, query, header, path) is left out: the field is named as the client wrote it.
    where = error["loc"][1:] if error["loc"] and error["loc"][0] in ("body", "query", "header", "path") else error["loc"]
    field = ".".join(str(p) for p in where) or "body"
    return {"field": field, "reason": error["msg"]}


def http_error(_: Request, error: Exception) -> Json:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400 and "parsing the body" in str(error.detail):  # e.g. not UTF-8
        return problem(422, "invalid_input", "Invalid input", "body: not JSON in UTF-8",
                       {"field": "body", "reason": "not JSON in UTF-8"})
    code = {400: "invalid_parameter", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
            413: "too_large", 415: "unsupported_media_type"}.get(error.status_code, "http_error")
    response = problem(error.status_code, code, str(error.detail), str(error.detail))
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.RegistryError, registry_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
