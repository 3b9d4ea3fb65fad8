"""The races of tests/e2e/test_http_concurrency.py against `landreg serve --workers 2`: two worker
processes, each with its own group-commit writer, and the store still admits exactly one of 16."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from api.auth import TokenStore
from api.bootstrap import Services
from tests.e2e.calls import Headers, bearer, if_match, survey_body, title_body, transfer_body
from tests.geometries import square
from tests.support import LAT, LON, citizen, event_count, landreg_serve

RACERS = 16


@pytest.fixture
def served(services: Services, tmp_path: Path) -> Iterator[httpx2.Client]:
    """Two worker processes serving the store of `services` (tables made, keys shared)."""
    settings = services.settings
    with landreg_serve(tmp_path, "--workers", "2", database_url=settings.database_url,
                       audit_key_file=str(settings.audit_key_file), audit_anchor_file=str(settings.audit_anchor_file),
                       first_registration_announcement="off") as (client, _):
        yield client


def token(services: Services, role: str) -> Headers:
    return bearer(TokenStore(services.registry.engine).create(f"{role}-workers", role))


def race(call: Callable[[httpx2.Client, int], Any], base_url: str) -> list[Any]:
    """call(client, i) for i < RACERS on as many threads and connections, released together."""
    start = threading.Barrier(RACERS)

    def run(i: int) -> Any:
        with httpx2.Client(base_url=base_url, timeout=60) as client:  # a connection of its own
            start.wait()
            return call(client, i)

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(run, range(RACERS)))


def test_overlapping_surveys_across_two_workers_admit_exactly_one(served: httpx2.Client, services: Services) -> None:
    surveyor = token(services, "surveyor")
    before = event_count(services.registry)
    degrees_per_2m = 2 / 111_320
    responses = race(lambda c, i: c.post("/v1/parcels", json=survey_body(square(LON + i * degrees_per_2m, LAT, 100)),
                                         headers=surveyor), str(served.base_url))
    assert Counter(r.status_code for r in responses) == {201: 1, 409: RACERS - 1}
    winner = next(r for r in responses if r.status_code == 201).json()["nib"]
    assert all(r.json()["conflicting_nibs"] == [winner] for r in responses if r.status_code == 409)
    assert event_count(services.registry) == before + 1


def test_transfers_on_one_version_across_two_workers_admit_exactly_one(served: httpx2.Client,
                                                                      services: Services) -> None:
    surveyor, officer = token(services, "surveyor"), token(services, "officer")
    surveyed = served.post("/v1/parcels", json=survey_body(), headers=surveyor)
    assert surveyed.status_code == 201, surveyed.text
    nib = surveyed.json()["nib"]
    version = served.post(f"/v1/parcels/{nib}/title", json=title_body(), headers=officer).json()["version"]
    before = event_count(services.registry)
    responses = race(lambda c, i: c.post(f"/v1/parcels/{nib}/transfers", json=transfer_body([citizen(f"buyer-{i}")]),
                                         headers={**officer, **if_match(version)}), str(served.base_url))
    assert Counter(r.status_code for r in responses) == {200: 1, 409: RACERS - 1}
    assert all(r.json()["type"].endswith("/version_conflict") for r in responses if r.status_code == 409)
    assert event_count(services.registry) == before + 1


def test_one_idempotency_key_across_two_workers_writes_once(served: httpx2.Client, services: Services,
                                                            tmp_path: Path) -> None:
    surveyor = token(services, "surveyor")
    before = event_count(services.registry)
    responses = race(lambda c, i: c.post("/v1/parcels", json=survey_body(),
                                         headers={**surveyor, "Idempotency-Key": "race-key-1"}), str(served.base_url))
    assert {r.status_code for r in responses} == {201}, ([r.text for r in responses if r.status_code != 201],
                                                         (tmp_path / "serve.log").read_text()[-6_000:])
    assert len({r.text for r in responses}) == 1  # every one answers the first result
    assert event_count(services.registry) == before + 1
