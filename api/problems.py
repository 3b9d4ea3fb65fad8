"""Errors as application/problem+json (RFC 9457): the one table from domain errors to HTTP."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import Json
from registry.domain import errors

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
    errors.DealingNotAllowed: (409, "This right may not be dealt with so"),
    errors.DuplicateBlock: (409, "The applicant already holds a block on this title"),
    errors.TitleNotActive: (409, "Title is not active"),
    errors.ParcelNotActive: (409, "Parcel is not active"),
    errors.TitleAlreadyRegistered: (409, "Parcel already has a title"),
    errors.MortgageError: (409, "Mortgage rule broken"),
    errors.VersionConflict: (409, "Stale version"),
    errors.CommandIdReused: (422, "Idempotency key reused for another request"),
    errors.SerialsExhausted: (409, "No serial numbers left"),
    errors.StoreBusy: (503, "Registry busy"),
    errors.NotAnnounced: (409, "The parcel has not been announced"),
    errors.AnnouncementRunning: (409, "The announcement is still running"),
    errors.ObjectionOpen: (409, "An objection is not resolved"),
    errors.AnnouncementClosed: (409, "The announcement is closed"),
    errors.ObjectionResolved: (409, "The objection is already resolved"),
    errors.ComplaintClosed: (409, "The complaint is closed"),
    errors.LaterDealings: (409, "Later dealings stand on this title"),
    errors.DealingAnnulled: (409, "The dealing is already annulled"),
    errors.InConflict: (409, "The parcel is in conflict with another"),
    errors.CommonSharesExceeded: (409, "The building's common shares would exceed 1"),
    errors.UnitExists: (409, "The unit already has a title"),
    errors.ReleasePeriodRunning: (409, "The holder's release period is still running"),
    errors.ReleasePeriodEnded: (409, "The release period ended: the right is extinguished"),
}

# Refusals of the HTTP layer itself, before or instead of a domain error: status -> (code, title).
HTTP: dict[int, tuple[str, str]] = {
    400: ("invalid_parameter", "A query parameter OGC API - Features does not know"),
    401: ("unauthorized", "Missing, unknown or revoked bearer token"),
    403: ("forbidden", "The token's role may not do this"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("too_large", "Request body too large"),
    415: ("unsupported_media_type", "Request body not JSON"),
    429: ("too_many_requests", "Too many requests from this address"),
}


# The problem document's own members (RFC 9457); an error's details can never overwrite them.
RESERVED = frozenset({"type", "title", "status", "detail", "instance"})


def body(status: int, code: str, title: str, detail: str, members: dict[str, Any] | None = None) -> dict[str, Any]:
    """A problem document; `members` are extensions, renamed `<name>_` where they would collide
    with a member of the document itself (a title's `status` becomes `status_`)."""
    extensions = {(f"{k}_" if k in RESERVED else k): v for k, v in (members or {}).items()}
    return {**extensions, "type": f"/problems/{code}", "title": title, "status": status, "detail": detail}


def problem(status: int, code: str, title: str, detail: str, members: dict[str, Any] | None = None) -> Json:
    """A problem+json response (a 503 says when to send it again)."""
    headers = {"Retry-After": "1"} if status == 503 else None
    return Json(body(status, code, title, detail, members), status_code=status, media_type=PROBLEM, headers=headers)


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
    where = (error["loc"][1:] if error["loc"] and error["loc"][0] in ("body", "query", "header", "path")
             else error["loc"])
    field = ".".join(str(p) for p in where) or "body"
    return {"field": field, "reason": error["msg"]}


def http_error(_: Request, error: Exception) -> Json:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400 and "parsing the body" in str(error.detail):  # e.g. not UTF-8
        return problem(422, "invalid_input", "Invalid input", "body: not JSON in UTF-8",
                       {"field": "body", "reason": "not JSON in UTF-8"})
    return refusal(error.status_code, str(error.detail), error.headers)


def refusal(status: int, detail: str, headers: Mapping[str, str] | None = None) -> Json:
    """A problem the HTTP layer answers itself (table HTTP), with any headers it needs."""
    code, title = HTTP.get(status, ("http_error", detail))
    response = problem(status, code, title, detail)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.RegistryError, registry_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
