"""Idempotency-Key over HTTP: a repeat returns the original answer and writes nothing, even after
a restart; a key reused for another request is refused; keys belong to their caller."""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build
from registry.persistence.settings import Settings
from tests.conftest import TODAY
from tests.e2e.calls import Headers, assert_problem, bearer, survey_body, title_body, transfer_body
from tests.geometries import square
from tests.support import LAT, LON, event_count, store_state


def keyed(headers: Headers, key: str) -> Headers:
    return {**headers, "Idempotency-Key": key}


def test_repeated_survey_returns_the_original_response_and_writes_once(
    client: TestClient, services: Services, surveyor: Headers,
) -> None:
    first = client.post("/v1/parcels", json=survey_body(), headers=keyed(surveyor, "survey-1"))
    assert first.status_code == 201, first.text
    after_first = store_state(services.registry)

    again = client.post("/v1/parcels", json=survey_body(), headers=keyed(surveyor, "survey-1"))

    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert store_state(services.registry) == after_first


def test_repeated_transfer_returns_the_original_response_and_writes_once(
    client: TestClient, services: Services, titled_nib: str, officer: Headers,
) -> None:
    first = client.post(f"/v1/parcels/{titled_nib}/transfers", json=transfer_body(), headers=keyed(officer, "t-1"))
    assert first.status_code == 200, first.text
    events = event_count(services.registry)

    again = client.post(f"/v1/parcels/{titled_nib}/transfers", json=transfer_body(), headers=keyed(officer, "t-1"))

    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert event_count(services.registry) == events


def test_key_reused_with_another_body_is_refused_over_http(client: TestClient, services: Services,
                                                           surveyor: Headers) -> None:
    client.post("/v1/parcels", json=survey_body(), headers=keyed(surveyor, "survey-1"))
    before = store_state(services.registry)

    other = client.post("/v1/parcels", json=survey_body(square(LON + 0.01, LAT, 50)),
                        headers=keyed(surveyor, "survey-1"))

    assert_problem(other, 422, "command_id_reused")
    assert store_state(services.registry) == before


def test_repeat_after_restart_returns_the_original_response(app: FastAPI, services: Services,
                                                            settings: Settings) -> None:
    token = app.state.tokens.create("siti", "surveyor")
    with TestClient(app) as client:  # leaving it closes the first app's services
        first = client.post("/v1/parcels", json=survey_body(), headers=keyed(bearer(token), "survey-1"))
    assert first.status_code == 201, first.text

    restarted = build(settings, clock=lambda: TODAY)
    try:
        events = event_count(restarted.registry)
        with TestClient(create_app(services=restarted)) as client:
            again = client.post("/v1/parcels", json=survey_body(), headers=keyed(bearer(token), "survey-1"))
            health = client.get("/health")
        assert (again.status_code, again.json()) == (201, first.json())
        assert again.headers["location"] == first.headers["location"]
        assert event_count(restarted.registry) == events
        assert health.status_code == 200
    finally:
        restarted.close()


def test_same_key_from_two_callers_is_two_commands(app: FastAPI, client: TestClient, services: Services,
                                                   surveyed_nib: str) -> None:
    budi = bearer(app.state.tokens.create("budi", "officer"))
    wati = bearer(app.state.tokens.create("wati", "officer"))
    titled = client.post(f"/v1/parcels/{surveyed_nib}/title", json=title_body(), headers=keyed(budi, "k"))
    assert titled.status_code == 201, titled.text
    events = event_count(services.registry)

    # The same key and body from another officer is a new command, refused on its own merits.
    again = client.post(f"/v1/parcels/{surveyed_nib}/title", json=title_body(), headers=keyed(wati, "k"))
    assert_problem(again, 409, "title_exists")

    other = client.post(f"/v1/parcels/{surveyed_nib}/transfers", json=transfer_body(),
                        headers=keyed(wati, "k"))
    assert other.status_code == 200, other.text
    assert event_count(services.registry) == events + 1
