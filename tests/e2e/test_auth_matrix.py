"""Who may call what: every endpoint x every role, no token and an unknown token.

The table below is the authority; a route of the app without a row fails the test, so a new
endpoint cannot ship without deciding who may call it.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.e2e.calls import Headers, assert_problem, bearer

PUBLIC = frozenset({"anyone"})
SURVEYOR = frozenset({"surveyor"})
OFFICER = frozenset({"officer"})
READER = frozenset({"officer", "auditor"})
AUDITOR = frozenset({"auditor"})
ROLES = ("surveyor", "officer", "auditor", "admin")

# (method, path) -> the roles allowed besides admin (admin may do everything).
ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/parcels"): SURVEYOR,
    ("POST", "/v1/parcels/{nib}/boundary"): SURVEYOR,
    ("POST", "/v1/parcels/{nib}/subdivision"): OFFICER,
    ("POST", "/v1/parcels/{nib}/separation"): OFFICER,
    ("POST", "/v1/parcels/merge"): OFFICER,
    ("POST", "/v1/parcels/search"): READER,
    ("GET", "/v1/parcels/{nib}"): READER,
    ("GET", "/v1/parcels/{nib}/history"): READER,
    ("GET", "/v1/parcels"): READER,
    ("POST", "/v1/parcels/{nib}/title"): OFFICER,
    ("POST", "/v1/parcels/{nib}/transfers"): OFFICER,
    ("POST", "/v1/parcels/{nib}/title/holders"): OFFICER,
    ("POST", "/v1/parcels/{nib}/mortgages"): OFFICER,
    ("POST", "/v1/parcels/{nib}/mortgages/{mortgage_id}/release"): OFFICER,
    ("POST", "/v1/parcels/{nib}/blocks"): OFFICER,
    ("POST", "/v1/parcels/{nib}/blocks/{block_id}/lift"): OFFICER,
    ("POST", "/v1/parcels/{nib}/blocks/{block_id}/expire"): OFFICER,
    ("POST", "/v1/parcels/{nib}/title/extension"): OFFICER,
    ("POST", "/v1/parcels/{nib}/title/renewal"): OFFICER,
    ("POST", "/v1/parcels/{nib}/title/expiry"): OFFICER,
    ("POST", "/v1/parcels/{nib}/title/cancellation"): OFFICER,
    ("POST", "/v1/parcels/{nib}/title/replacement"): OFFICER,
    ("POST", "/v1/parcels/{nib}/title/eligibility-loss"): OFFICER,
    ("POST", "/v1/parcels/{nib}/title/extinguishment"): OFFICER,
    ("POST", "/v1/parcels/{nib}/dealings/{dealing_id}/annulment"): OFFICER,
    ("GET", "/v1/reports/overlaps"): READER,
    ("GET", "/v1/certificates/{number}"): READER,
    ("GET", "/v1/public/certificates/{number}"): PUBLIC,
    ("GET", "/v1/audit/verify"): AUDITOR,
    ("GET", "/v1/audit/reads"): AUDITOR,
    ("GET", "/v1/villages/{village_code}/ownership"): READER,
    ("GET", "/health"): PUBLIC,
    ("POST", "/v1/parcels/{nib}/announcement"): OFFICER,
    ("GET", "/v1/parcels/{nib}/announcement"): READER,
    ("GET", "/v1/public/announcements"): PUBLIC,
    ("POST", "/v1/public/announcements/{announcement_id}/objections"): PUBLIC,
    ("POST", "/v1/parcels/{nib}/objections"): OFFICER,
    ("POST", "/v1/parcels/{nib}/objections/{objection_id}/resolution"): OFFICER,
    ("POST", "/v1/public/complaints"): PUBLIC,
    ("GET", "/v1/public/complaints/{number}"): PUBLIC,
    ("GET", "/v1/complaints"): OFFICER,
    ("GET", "/v1/complaints/stats"): READER,
    ("POST", "/v1/complaints/{number}/replies"): OFFICER,
    ("POST", "/v1/complaints/{number}/assignment"): OFFICER,
    ("POST", "/v1/complaints/{number}/resolution"): OFFICER,
    ("GET", "/ogc"): READER,
    ("GET", "/ogc/"): READER,
    ("GET", "/ogc/conformance"): READER,
    ("GET", "/ogc/collections"): READER,
    ("GET", "/ogc/collections/{collection_id}"): READER,
    ("GET", "/ogc/collections/{collection_id}/items"): READER,
    ("GET", "/ogc/collections/{collection_id}/items/{feature_id}"): READER,
}
HEX = "0" * 64


def api_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every API route, including those of included routers."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.16x: routers stay nested
        routes = [(c.original_route, c.path) for c in iter_route_contexts(app.routes)]
    except ImportError:  # pragma: no cover - older FastAPI flattens routers into app.routes
        routes = [(r, getattr(r, "path", None)) for r in app.routes]
    for route, path in routes:
        if isinstance(route, APIRoute):
            for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
                yield method, str(path)


def call(client: TestClient, method: str, path: str, nib: str, number: str, headers: Headers) -> int:
    url = path.format(nib=nib, number=number, mortgage_id="HT1", block_id="BL1", dealing_id="DL1", village_code=nib[:8],
                      announcement_id=f"{nib}-1", objection_id="KB1", collection_id="parcels", feature_id=nib)
    if method == "GET":
        params = {"hash": HEX} if "/public/" in path else None
        return client.get(url, params=params, headers=headers).status_code
    # An empty object: refused as malformed (422) once the caller may call at all, so nothing changes.
    return client.post(url, json={}, headers=headers).status_code


@pytest.fixture
def titled_certificate(client: TestClient, titled_nib: str, auditor: Headers) -> tuple[str, str]:
    """(NIB, certificate number) of a parcel with a registered title."""
    feature = client.get(f"/v1/parcels/{titled_nib}", headers=auditor).json()
    return titled_nib, feature["properties"]["title"]["certificate_number"]


def test_every_route_has_a_row_in_the_auth_table(app: FastAPI) -> None:
    routes = set(api_routes(app))
    assert routes - ALLOWED.keys() == set(), "routes without a row in ALLOWED"
    assert ALLOWED.keys() - routes == set(), "rows for routes the app does not have"


def test_each_role_reaches_only_its_endpoints_over_http(
    app: FastAPI, client: TestClient, titled_certificate: tuple[str, str],
    surveyor: Headers, officer: Headers, auditor: Headers, admin: Headers,
) -> None:
    nib, number = titled_certificate
    callers = {"surveyor": surveyor, "officer": officer, "auditor": auditor, "admin": admin}
    wrong: list[str] = []
    for method, path in sorted(api_routes(app)):
        allowed = ALLOWED[method, path]
        for name, headers in (("no token", {}), ("unknown token", bearer("lr_not-a-token")),
                              ("not bearer", {"Authorization": "Basic dXNlcjpwYXNz"})):
            got = call(client, method, path, nib, number, headers)
            if allowed is PUBLIC:
                if got in (401, 403):
                    wrong.append(f"{method} {path} with {name}: {got}, but it is public")
            elif got != 401:
                wrong.append(f"{method} {path} with {name}: {got}, expected 401")
        for role in ROLES:
            got = call(client, method, path, nib, number, callers[role])
            may = allowed is PUBLIC or role == "admin" or role in allowed
            if may and got in (401, 403):
                wrong.append(f"{method} {path} as {role}: {got}, but {role} may call it")
            if not may and got != 403:
                wrong.append(f"{method} {path} as {role}: {got}, expected 403")
    assert wrong == []


def test_refusals_are_problems_that_say_how_to_authenticate(client: TestClient, titled_nib: str,
                                                             surveyor: Headers) -> None:
    missing = client.get(f"/v1/parcels/{titled_nib}")
    assert_problem(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"] == "Bearer"
    forbidden = client.get(f"/v1/parcels/{titled_nib}", headers=surveyor)
    body = assert_problem(forbidden, 403, "forbidden")
    assert "surveyor" in body["detail"]


def test_revoked_token_is_refused_over_http(app: FastAPI, client: TestClient, titled_nib: str) -> None:
    token = app.state.tokens.create("ani-revoked", "auditor")
    assert client.get(f"/v1/parcels/{titled_nib}", headers=bearer(token)).status_code == 200
    assert app.state.tokens.revoke("ani-revoked") == 1
    assert_problem(client.get(f"/v1/parcels/{titled_nib}", headers=bearer(token)), 401, "unauthorized")
    assert app.state.tokens.revoke("ani-revoked") == 0


def test_revoking_one_name_leaves_other_tokens_working(app: FastAPI, client: TestClient, titled_nib: str,
                                                       auditor: Headers) -> None:
    app.state.tokens.create("someone-else", "auditor")
    app.state.tokens.revoke("someone-else")
    assert client.get(f"/v1/parcels/{titled_nib}", headers=auditor).status_code == 200
