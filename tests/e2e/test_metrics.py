"""Prometheus metrics at /metrics: off without LANDREG_METRICS_TOKEN, only for its bearer, and the
counters of requests and of commands by type and outcome move with what the service answered."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from api.app import create_app
from api.bootstrap import Services
from tests.e2e.calls import (
    Headers,
    assert_problem,
    bearer,
    if_match,
    survey_body,
    title_body,
    transfer_body,
)
from tests.geometries import SELF_INTERSECTING

SCRAPER = "scrape-me-please-0123456789"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def metered(services: Services) -> Iterator[tuple[FastAPI, TestClient]]:
    """The service with metrics on (LANDREG_METRICS_TOKEN set), and a client."""
    services.settings = services.settings.model_copy(update={"metrics_token": SecretStr(SCRAPER)})
    app = create_app(services=services)
    with TestClient(app) as client:
        yield app, client


def scrape(client: TestClient) -> Samples:
    answer = client.get("/metrics", headers=bearer(SCRAPER))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_counters_move_with_commands_accepted_and_refused(metered: tuple[FastAPI, TestClient]) -> None:
    app, client = metered
    surveyor = bearer(app.state.tokens.create("siti", "surveyor"))
    officer = bearer(app.state.tokens.create("budi", "officer"))
    before = scrape(client)

    nib = client.post("/v1/parcels", json=survey_body(), headers=surveyor).json()["nib"]
    assert_problem(client.post("/v1/parcels", json=survey_body(SELF_INTERSECTING), headers=surveyor), 422)
    titled = client.post(f"/v1/parcels/{nib}/title", json=title_body(), headers=officer).json()
    stale = client.post(f"/v1/parcels/{nib}/transfers", json=transfer_body(), headers={**officer, **if_match(1)})
    assert_problem(stale, 409, "version_conflict")
    assert titled["version"] > 1
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("landreg_commands_total", command="submit_survey", outcome="accepted") == 1
    assert moved("landreg_commands_total", command="submit_survey", outcome="invalid_geometry") == 1
    assert moved("landreg_commands_total", command="register_title", outcome="accepted") == 1
    assert moved("landreg_commands_total", command="transfer", outcome="version_conflict") == 1
    assert moved("landreg_command_duration_seconds_count", command="submit_survey") == 2
    assert moved("landreg_http_requests_total", method="POST", route="/v1/parcels", status="201") == 1
    assert moved("landreg_http_requests_total", method="POST", route="/v1/parcels/{nib}/transfers", status="409") == 1
    assert moved("landreg_http_requests_total", method="GET", route="other", status="200") == 1  # the first scrape
    for model in ("parcels", "certificates"):  # inline read models: never behind
        assert value(after, "landreg_read_model_lag_events", read_model=model) == 0
        assert value(after, "landreg_read_model_position", read_model=model) >= titled["version"]


def test_metrics_need_the_token(metered: tuple[FastAPI, TestClient], officer_headers: Headers) -> None:
    _, client = metered
    assert_problem(client.get("/metrics"), 401, "unauthorized")
    assert_problem(client.get("/metrics", headers=bearer("not-the-scraper-token")), 401, "unauthorized")
    assert_problem(client.get("/metrics", headers=officer_headers), 401, "unauthorized")


def test_metrics_are_off_without_a_token(client: TestClient) -> None:
    assert_problem(client.get("/metrics", headers=bearer(SCRAPER)), 404, "not_found")


@pytest.fixture
def officer_headers(metered: tuple[FastAPI, TestClient]) -> Headers:
    return bearer(metered[0].state.tokens.create("budi", "officer"))
