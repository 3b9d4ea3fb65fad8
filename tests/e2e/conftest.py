"""Fixtures of the end-to-end HTTP tests: the app on the backend under test, a client, and a
bearer token for every role, each given as the request headers that carry it."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from tests.e2e.calls import Headers, bearer, survey_body, title_body
from tests.support import store_state


@pytest.fixture
def app(services: Services) -> FastAPI:
    """The landreg HTTP service on an empty registry of the backend under test."""
    return create_app(services=services)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def sqlite_services(services: Services) -> Services:
    """The services of the backend under test, when it is SQLite (other backends are skipped)."""
    if services.settings.store != "sqlite":
        pytest.skip("SQLite only: the check does not depend on the backend")
    return services


def _token(app: FastAPI, role: str) -> Headers:
    return bearer(app.state.tokens.create(f"{role}-e2e", role))


@pytest.fixture
def surveyor(app: FastAPI) -> Headers:
    return _token(app, "surveyor")


@pytest.fixture
def officer(app: FastAPI) -> Headers:
    return _token(app, "officer")


@pytest.fixture
def auditor(app: FastAPI) -> Headers:
    return _token(app, "auditor")


@pytest.fixture
def admin(app: FastAPI) -> Headers:
    return _token(app, "admin")


@pytest.fixture
def surveyed_nib(client: TestClient, surveyor: Headers) -> str:
    """The NIB of one surveyed 100 m square parcel, without a title."""
    return str(client.post("/v1/parcels", json=survey_body(), headers=surveyor).json()["nib"])


@pytest.fixture
def titled_nib(client: TestClient, surveyed_nib: str, officer: Headers) -> str:
    """The NIB of a surveyed parcel with a hak milik held by Budi."""
    answer = client.post(f"/v1/parcels/{surveyed_nib}/title", json=title_body(), headers=officer)
    assert answer.status_code == 201, answer.text
    return surveyed_nib


@pytest.fixture
def unchanged_store(client: TestClient, services: Services) -> Iterator[None]:
    """Asserts, after the test, that the store is as it was before it and the service answers."""
    before = store_state(services.registry)
    yield
    assert store_state(services.registry) == before
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok", health.text
