"""What a hostile client tried against the service, each answered as a clean problem that writes
nothing and leaves the service healthy (issue 12's findings, one test or table row each)."""
from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from tests.e2e.calls import (
    Headers,
    assert_problem,
    bearer,
    block_body,
    if_match,
    mortgage_body,
    survey_body,
    title_body,
    transfer_body,
)
from tests.geometries import square
from tests.support import DEED, LAT, LON, SURVEY, VILLAGE, citizen, store_state

NUL, SURROGATE = "\u0000", "\ud800"


def post(client: TestClient, url: str, body: Any, headers: Headers) -> Any:
    """POST a body as raw JSON text (keeps lone surrogates as \\ud800 escapes)."""
    return client.post(url, content=json.dumps(body), headers={"Content-Type": "application/json", **headers})


def version_of(client: TestClient, nib: str, officer: Headers) -> int:
    return int(client.get(f"/v1/parcels/{nib}", headers=officer).headers["ETag"].strip('"'))


# 1. Commands on a title that is no longer active ---------------------------------------------------

@pytest.fixture
def cancelled_nib(client: TestClient, titled_nib: str, officer: Headers) -> str:
    done = client.post(f"/v1/parcels/{titled_nib}/title/cancellation",
                       json={"reason": "court decision", "source": DEED}, headers=officer)
    assert done.status_code == 200, done.text
    return titled_nib


@pytest.mark.parametrize("path, body", [
    ("transfers", transfer_body()),
    ("mortgages", mortgage_body()),
    ("title/replacement", {"reason": "lost", "source": DEED}),
    ("title/cancellation", {"reason": "again", "source": DEED}),
    ("blocks", block_body()),
])
def test_a_command_on_a_cancelled_title_is_409_with_the_problems_own_status(
        client: TestClient, cancelled_nib: str, officer: Headers, services: Services, path: str,
        body: dict[str, Any]) -> None:
    before = store_state(services.registry)
    answer = client.post(f"/v1/parcels/{cancelled_nib}/{path}", json=body, headers=officer)
    problem = assert_problem(answer, 409, "title_not_active")
    assert problem["status"] == 409 and problem["title_status"] == "cancelled"
    assert store_state(services.registry) == before


# 2. Unfit text: NUL and lone surrogates, everywhere a string goes ---------------------------------

TEXT_FIELDS = [
    ("title/holders", lambda v: {"holders": [citizen("budi", name=f"Budi{v}")], "source": DEED}, "holders[0].name"),
    ("transfers", lambda v: {**transfer_body(), "source": {**DEED, "number": f"AJB{v}"}}, "source.number"),
    ("mortgages", lambda v: {**mortgage_body(), "creditor": {"id": "bank-1", "name": f"Bank{v}"}},
     "creditor.name"),
    ("blocks", lambda v: {**block_body(), "requested_by": f"PN{v}"}, "requested_by"),
    ("title/replacement", lambda v: {"reason": f"lost{v}", "source": DEED}, "reason"),
    ("title/cancellation", lambda v: {"reason": f"void{v}", "source": DEED}, "reason"),
    ("transfers", lambda v: {**transfer_body(), "kind": f"sale{v}"}, "kind"),
    ("transfers", lambda v: {**transfer_body(), f"key{v}": 1}, "body (a key)"),
]


@pytest.mark.parametrize("character", [NUL, SURROGATE], ids=["nul", "surrogate"])
@pytest.mark.parametrize("path, body, field", TEXT_FIELDS, ids=[f"{p}:{f}" for p, _, f in TEXT_FIELDS])
def test_unfit_text_in_a_body_is_refused_naming_the_field(
        client: TestClient, titled_nib: str, officer: Headers, unchanged_store: None, character: str, path: str,
        body: Any, field: str) -> None:
    problem = assert_problem(post(client, f"/v1/parcels/{titled_nib}/{path}", body(character), officer), 422)
    assert problem["field"] == field and ("NUL" in problem["reason"] or "surrogate" in problem["reason"])


@pytest.mark.parametrize("url, field", [
    ("/v1/public/certificates/abc%00?hash=" + "0" * 64, "path"),
    ("/v1/parcels/abc%00", "path"),
    ("/v1/certificates/abc%00", "path"),
    ("/v1/parcels/abc%ED%A0%80", "path"),
    ("/v1/parcels?holder=a%00b", "holder"),
    ("/v1/parcels?holder_name=abc%00", "holder_name"),
    ("/v1/parcels?village=%ED%A0%80", "query"),
])
def test_unfit_text_in_a_path_or_query_is_refused_without_a_token(client: TestClient, unchanged_store: None,
                                                                   url: str, field: str) -> None:
    problem = assert_problem(client.get(url), 422, "invalid_input")
    assert problem["field"] == field


def test_a_nul_in_a_header_is_refused_naming_it(client: TestClient, surveyor: Headers, unchanged_store: None) -> None:
    answer = post(client, "/v1/parcels", survey_body(), {**surveyor, "Idempotency-Key": f"k{NUL}"})
    assert assert_problem(answer, 422)["field"].lower() == "idempotency-key"


def test_a_nul_in_a_survey_is_refused_on_the_public_path_of_a_survey(client: TestClient, surveyor: Headers,
                                                                     unchanged_store: None) -> None:
    body = survey_body()
    body["survey"] = {**SURVEY, "document_number": f"GU{NUL}"}
    assert assert_problem(post(client, "/v1/parcels", body, surveyor), 422)["field"] == "survey.document_number"


# 3. Numbers beyond reason -----------------------------------------------------------------------------

def test_a_coordinate_of_400_digits_is_refused_before_any_arithmetic(client: TestClient, surveyor: Headers,
                                                                     unchanged_store: None) -> None:
    text = json.dumps(survey_body()).replace("106.8", "1" + "0" * 400, 1)
    answer = client.post("/v1/parcels", content=text, headers={"Content-Type": "application/json", **surveyor})
    assert assert_problem(answer, 422)["field"].startswith("geometry.coordinates")


def test_a_share_of_5000_digits_is_refused(client: TestClient, titled_nib: str, officer: Headers,
                                           unchanged_store: None) -> None:
    to = [citizen("sari", share="1" * 5000 + "/" + "1" * 5000)]
    answer = client.post(f"/v1/parcels/{titled_nib}/transfers", json=transfer_body(to), headers=officer)
    assert assert_problem(answer, 422, "invalid_shares")["field"] == "to[0].share"


@pytest.mark.parametrize("value", ["9" * 5000, "\"" + "1" * 30 + "\"", "W/\"x\"", ""])
def test_an_if_match_beyond_reason_is_refused(client: TestClient, titled_nib: str, officer: Headers,
                                              unchanged_store: None, value: str) -> None:
    answer = client.post(f"/v1/parcels/{titled_nib}/transfers", json=transfer_body(),
                         headers={**officer, "If-Match": value})
    assert assert_problem(answer, 422)["field"] == "If-Match"


# 4. Idempotency keys -------------------------------------------------------------------------------

def test_a_key_of_100_characters_is_kept_and_replayed(client: TestClient, surveyor: Headers) -> None:
    key = {"Idempotency-Key": "k" * 100}
    first = client.post("/v1/parcels", json=survey_body(), headers={**surveyor, **key})
    again = client.post("/v1/parcels", json=survey_body(), headers={**surveyor, **key})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()


def test_an_empty_key_is_refused(client: TestClient, surveyor: Headers, unchanged_store: None) -> None:
    answer = client.post("/v1/parcels", json=survey_body(), headers={**surveyor, "Idempotency-Key": ""})
    assert assert_problem(answer, 422)["field"] == "Idempotency-Key"


def test_keys_of_two_callers_never_meet(app: Any, client: TestClient) -> None:
    ann = bearer(app.state.tokens.create("ann", "surveyor"))
    ann_x = bearer(app.state.tokens.create("ann:x", "surveyor"))
    first = client.post("/v1/parcels", json=survey_body(), headers={**ann, "Idempotency-Key": "x:k1"})
    other = survey_body(square(LON + 0.01, LAT, 50))
    second = client.post("/v1/parcels", json=other, headers={**ann_x, "Idempotency-Key": "k1"})
    assert first.status_code == second.status_code == 201, second.text
    assert first.json()["nib"] != second.json()["nib"]


# 5. Accepted although it must be refused ------------------------------------------------------------

def test_a_polygon_of_a_micro_degree_is_below_the_smallest_parcel(client: TestClient, surveyor: Headers,
                                                                  unchanged_store: None) -> None:
    tiny = {"type": "Polygon", "coordinates": [[[106.8, -6.2], [106.8 + 1e-9, -6.2], [106.8 + 1e-9, -6.2 + 1e-9],
                                                [106.8, -6.2 + 1e-9], [106.8, -6.2]]]}
    assert_problem(client.post("/v1/parcels", json=survey_body(tiny), headers=surveyor), 422)


def test_a_transfer_dated_year_one_is_refused(client: TestClient, titled_nib: str, officer: Headers,
                                              unchanged_store: None) -> None:
    answer = client.post(f"/v1/parcels/{titled_nib}/transfers", json=transfer_body(effective_at="0001-01-01"),
                         headers=officer)
    assert assert_problem(answer, 422)["field"] == "effective_at"


def test_a_block_on_a_document_older_than_the_title_is_refused(client: TestClient, titled_nib: str,
                                                               officer: Headers, unchanged_store: None) -> None:
    body = {**block_body(), "source": {**DEED, "date": "0001-01-01"}}
    answer = client.post(f"/v1/parcels/{titled_nib}/blocks", json=body, headers=officer)
    assert assert_problem(answer, 422)["field"] == "source.date"


def test_a_geometrys_own_crs_member_is_honoured(client: TestClient, surveyor: Headers) -> None:
    x, y = 233_200.0, 814_470.0  # metres in TM-3 zone 48.2 (EPSG:23834), in Jakarta Selatan
    ring = [[x, y], [x + 20, y], [x + 20, y + 20], [x, y + 20], [x, y]]
    geometry = {"type": "Polygon", "coordinates": [ring],
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::23834"}}}
    answer = client.post("/v1/parcels", json=survey_body(geometry), headers=surveyor)
    assert answer.status_code == 201, answer.text
    assert answer.json()["area_m2"] == pytest.approx(400, abs=0.01)


def test_a_crs_member_that_contradicts_the_crs_field_is_refused(client: TestClient, surveyor: Headers,
                                                                unchanged_store: None) -> None:
    geometry = {**square(LON, LAT, 20), "crs": {"type": "name", "properties": {"name": "EPSG:23834"}}}
    answer = client.post("/v1/parcels", json=survey_body(geometry, crs="EPSG:4326"), headers=surveyor)
    assert assert_problem(answer, 422)["field"] == "crs"


# 6. A merger of more parcels than one transaction can lock ------------------------------------------

def test_a_merger_of_1665_parcels_is_refused_by_the_cap(client: TestClient, officer: Headers,
                                                        unchanged_store: None) -> None:
    nibs = [f"{VILLAGE}{i:05d}" for i in range(1, 1666)]
    answer = client.post("/v1/parcels/merge", json={"nibs": nibs, "source": DEED}, headers=officer)
    assert assert_problem(answer, 422)["field"] == "nibs"


# 7. If-Match is compared with the event store, not a lagging read model -----------------------------

def test_if_match_is_checked_against_the_log_while_read_models_lag(services: Services) -> None:
    services.close()
    app = create_app(services.settings.model_copy(update={"projections": "async"}))
    app.state.services.projector.follow = lambda stop: None  # no follower: the read models stay behind
    officer = bearer(app.state.tokens.create("budi", "officer"))
    surveyor = bearer(app.state.tokens.create("siti", "surveyor"))
    with TestClient(app) as client:
        created = client.post("/v1/parcels", json=survey_body(), headers=surveyor)
        nib, version = created.json()["nib"], created.json()["version"]
        titled = client.post(f"/v1/parcels/{nib}/title", json=title_body(), headers=officer)
        assert titled.status_code == 201, titled.text
        stale = client.post(f"/v1/parcels/{nib}/transfers", json=transfer_body(),
                            headers={**officer, **if_match(version)})
        assert_problem(stale, 409, "version_conflict")
        current = client.post(f"/v1/parcels/{nib}/transfers", json=transfer_body(),
                              headers={**officer, **if_match(titled.json()["version"])})
        assert current.status_code == 200, current.text


# 8. The public certificate check ---------------------------------------------------------------------

def test_the_public_check_reveals_nothing_without_the_current_hash(client: TestClient, titled_nib: str,
                                                                   officer: Headers) -> None:
    number = client.get(f"/v1/parcels/{titled_nib}",
                        headers=officer).json()["properties"]["title"]["certificate_number"]
    for params in ({"hash": "0" * 64}, {}, {"hash": "zz"}):
        answer = client.get(f"/v1/public/certificates/{number}", params=params)
        assert answer.status_code == 200 and answer.json() == {"valid": False}, answer.text
    unknown = client.get("/v1/public/certificates/99999999999999", params={"hash": "0" * 64})
    assert unknown.status_code == 200 and unknown.json() == {"valid": False}


def test_the_public_endpoints_are_rate_limited_per_client(services: Services) -> None:
    services.close()
    app = create_app(services.settings.model_copy(update={"public_rate_per_minute": 6, "public_rate_burst": 3}))
    with TestClient(app) as client:
        answers = [client.get("/v1/public/certificates/1", params={"hash": "0" * 64}) for _ in range(5)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
        problem = assert_problem(answers[-1], 429, "too_many_requests")
        assert int(answers[-1].headers["Retry-After"]) >= 1 and problem["status"] == 429
        assert client.get("/health").status_code == 200  # other endpoints are not limited


# 9. Headers --------------------------------------------------------------------------------------

def test_api_responses_forbid_sniffing_and_caching(client: TestClient, titled_nib: str, officer: Headers) -> None:
    for answer in (client.get(f"/v1/parcels/{titled_nib}", headers=officer), client.get("/v1/parcels/x")):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["X-Content-Type-Options"] == "nosniff"
