"""Bad input over HTTP: each is a clear 4xx problem, nothing is written, and the service stays healthy."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.e2e.calls import (
    Headers,
    assert_problem,
    if_match,
    survey_body,
    title_body,
    transfer_body,
)
from tests.geometries import SELF_INTERSECTING, UNCLOSED
from tests.support import citizen

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def titled_parcel_untouched(titled_nib: str, unchanged_store: None) -> str:
    """A titled parcel (its NIB) that the test must leave as it found it."""
    return titled_nib


def ring_of(n: int) -> list[list[float]]:
    """A closed ring of n positions along a short line (never checked past the vertex limit)."""
    return [[106.8 + i * 1e-7, -6.2] for i in range(n - 1)] + [[106.8, -6.2]]


def post_raw(client: TestClient, url: str, body: bytes | str, headers: Headers) -> Any:
    return client.post(url, content=body, headers={**JSON, **headers})


def test_truncated_json_is_refused_naming_the_body(client: TestClient, unchanged_store: None,
                                                   surveyor: Headers) -> None:
    text = json.dumps(survey_body())[:40]
    body = assert_problem(post_raw(client, "/v1/parcels", text, surveyor), 422, "invalid_input")
    assert body["field"] == "body" and "malformed JSON" in body["detail"]


def test_plain_text_body_is_refused_as_unsupported_media(client: TestClient, unchanged_store: None,
                                                         surveyor: Headers) -> None:
    answer = client.post("/v1/parcels", content=json.dumps(survey_body()),
                         headers={**surveyor, "Content-Type": "text/plain"})
    assert_problem(answer, 415, "unsupported_media_type")


def test_ten_megabyte_body_is_refused_as_too_large(client: TestClient, unchanged_store: None,
                                                   surveyor: Headers) -> None:
    padding = "x" * 10_000_000
    answer = post_raw(client, "/v1/parcels", json.dumps(survey_body(survey={"note": padding})), surveyor)
    assert_problem(answer, 413, "too_large")


def test_streamed_body_without_length_is_cut_off_when_too_large(client: TestClient, unchanged_store: None,
                                                                surveyor: Headers) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"village_code": "31740101", "survey": {"note": "'
        for _ in range(100):
            yield b"x" * 100_000
        yield b'"}}'

    answer = client.post("/v1/parcels", content=chunks(), headers={**JSON, **surveyor})
    assert_problem(answer, 413, "too_large")


def test_million_vertex_geometry_is_refused_by_size(client: TestClient, unchanged_store: None,
                                                    surveyor: Headers) -> None:
    geometry = {"type": "Polygon", "coordinates": [ring_of(1_000_000)]}
    answer = post_raw(client, "/v1/parcels", json.dumps(survey_body(geometry), separators=(",", ":")), surveyor)
    assert_problem(answer, 413, "too_large")


def test_geometry_over_the_vertex_limit_is_refused_naming_it(client: TestClient, services: Services,
                                                             unchanged_store: None, surveyor: Headers) -> None:
    limit = services.settings.max_vertices
    geometry = {"type": "Polygon", "coordinates": [ring_of(limit + 1)]}
    text = json.dumps(survey_body(geometry), separators=(",", ":"))
    assert len(text) < services.settings.max_body_bytes
    body = assert_problem(post_raw(client, "/v1/parcels", text, surveyor), 422, "invalid_geometry")
    assert body["field"].startswith("geometry") and body["geometry_error"] == "too_many_vertices"


def test_unknown_field_is_refused_naming_it(client: TestClient, unchanged_store: None, surveyor: Headers) -> None:
    body = assert_problem(client.post("/v1/parcels", json=survey_body(owner="me"), headers=surveyor),
                          422, "invalid_input")
    assert body["field"] == "owner" and "owner" in body["detail"]


@pytest.mark.parametrize("geometry, reason", [(SELF_INTERSECTING, "self_intersection"),
                                              (UNCLOSED, "unclosed_ring")])
def test_invalid_geometry_is_refused_naming_the_geometry(client: TestClient, unchanged_store: None,
                                                         surveyor: Headers, geometry: Any, reason: str) -> None:
    body = assert_problem(client.post("/v1/parcels", json=survey_body(geometry), headers=surveyor),
                          422, "invalid_geometry")
    assert body["field"].startswith("geometry") and body["geometry_error"] == reason


def test_stale_if_match_is_refused_as_a_conflict(client: TestClient, titled_parcel_untouched: str,
                                                 officer: Headers, auditor: Headers) -> None:
    nib = titled_parcel_untouched
    version = client.get(f"/v1/parcels/{nib}", headers=auditor).json()["properties"]["version"]
    answer = client.post(f"/v1/parcels/{nib}/transfers", json=transfer_body(),
                         headers={**officer, **if_match(version - 1)})
    body = assert_problem(answer, 409, "version_conflict")
    assert body["actual"] == version


@pytest.mark.parametrize("value", ["abc", '"4x"', "", '"-1"', "W/"])
def test_malformed_if_match_is_refused_naming_it(client: TestClient, titled_parcel_untouched: str,
                                                 officer: Headers, value: str) -> None:
    answer = client.post(f"/v1/parcels/{titled_parcel_untouched}/transfers", json=transfer_body(),
                         headers={**officer, "If-Match": value})
    assert assert_problem(answer, 422, "invalid_input")["field"] == "If-Match"


def test_unknown_nib_is_not_found(client: TestClient, unchanged_store: None, officer: Headers,
                                  auditor: Headers) -> None:
    assert_problem(client.get("/v1/parcels/3174010199999", headers=auditor), 404, "not_found")
    assert_problem(client.get("/v1/parcels/3174010199999/history", headers=auditor), 404, "not_found")
    assert_problem(client.post("/v1/parcels/3174010199999/transfers", json=transfer_body(), headers=officer),
                   404, "not_found")
    assert_problem(client.post("/v1/parcels/3174010199999/transfers", json=transfer_body(),
                               headers={**officer, **if_match(1)}), 404, "not_found")
    assert_problem(client.get("/v1/certificates/31740101199999", headers=auditor), 404, "not_found")


@pytest.mark.parametrize("query", [{"as_of": "yesterday"}, {"as_of": "2025-13-45"}, {"version": 0},
                                   {"version": "x"}])
def test_malformed_time_travel_query_is_refused_naming_it(client: TestClient, titled_parcel_untouched: str,
                                                          auditor: Headers, query: dict[str, Any]) -> None:
    answer = client.get(f"/v1/parcels/{titled_parcel_untouched}", params=query, headers=auditor)
    name = next(iter(query))
    assert name in assert_problem(answer, 422, "invalid_input")["field"]


def test_as_of_before_year_one_in_utc_is_refused_naming_it(client: TestClient, titled_nib: str,
                                                           auditor: Headers) -> None:
    answer = client.get(f"/v1/parcels/{titled_nib}", params={"as_of": "0001-01-01T00:00:00+14:00"},
                        headers=auditor)
    assert assert_problem(answer, 422, "invalid_input")["field"] == "as_of"


def test_body_that_is_not_utf8_is_refused_as_malformed(client: TestClient, titled_parcel_untouched: str,
                                                       officer: Headers) -> None:
    text = json.dumps(transfer_body()).replace("AJB-17/2025", "AJB-\udcff").encode("utf-8", "surrogateescape")
    answer = post_raw(client, f"/v1/parcels/{titled_parcel_untouched}/transfers", text, officer)
    assert assert_problem(answer, 422, "invalid_input")["field"] == "body"


@pytest.mark.parametrize("name", ["Robert'); DROP TABLE landreg_events;--", "<script>alert(1)</script>",
                                  "Ni Luh Putu \u201cAyu\u201d \u00e9\u00e8 \U0001f3e0"])
def test_hostile_holder_name_is_stored_and_returned_verbatim(client: TestClient, services: Services,
                                                             surveyed_nib: str, officer: Headers,
                                                             auditor: Headers, name: str) -> None:
    holder = citizen("robert", name=name)
    titled = client.post(f"/v1/parcels/{surveyed_nib}/title", json=title_body([holder]), headers=officer)
    assert titled.status_code == 201, titled.text

    shown = client.get(f"/v1/parcels/{surveyed_nib}", headers=auditor)
    assert shown.json()["properties"]["title"]["holders"] == [holder]
    assert shown.headers["content-type"].startswith("application/geo+json")  # JSON (RFC 7946), never HTML
    found = client.get("/v1/parcels", params={"holder": "robert"}, headers=auditor).json()["features"]
    assert [f["id"] for f in found] == [surveyed_nib]
    history = client.get(f"/v1/parcels/{surveyed_nib}/history", headers=auditor)
    assert name in json.dumps(history.json(), ensure_ascii=False)
    assert client.get("/health").json()["status"] == "ok"
    assert "landreg_events" in {t for t in _tables(services)}


def _tables(services: Services) -> list[str]:
    from tests.support import table_names
    return table_names(services.registry)


@pytest.mark.parametrize("field", ["holder", "holder_name", "village", "cursor"])
def test_nul_character_in_a_search_names_the_field(client: TestClient, auditor: Headers, field: str) -> None:
    params = {"holder_name": "abc", field: "ab\x00c"} if field == "cursor" else {field: "ab\x00c"}
    answer = client.get("/v1/parcels", params=params, headers=auditor)
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["field"] == field
