"""Racing requests over HTTP: the store decides one winner and the losers get a clear 409."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.e2e.calls import Headers, assert_problem, if_match, survey_body, transfer_body
from tests.geometries import square
from tests.support import LAT, LON, citizen, event_count

RACERS = 16


def race(call: Callable[[int], Any]) -> list[Any]:
    """Run call(0..RACERS-1) on RACERS threads released together; the responses in order."""
    start = threading.Barrier(RACERS)

    def run(i: int) -> Any:
        start.wait()
        return call(i)

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(run, range(RACERS)))


def test_overlapping_surveys_racing_over_http_admit_exactly_one(client: TestClient, services: Services,
                                                               surveyor: Headers) -> None:
    before = event_count(services.registry)
    # Squares of 100 m shifted 2 m apart: every one overlaps every other by at least 70 m x 100 m.
    degrees_per_2m = 2 / 111_320

    responses = race(lambda i: client.post(
        "/v1/parcels", json=survey_body(square(LON + i * degrees_per_2m, LAT, 100)), headers=surveyor))

    assert Counter(r.status_code for r in responses) == {201: 1, 409: RACERS - 1}
    winner = next(r for r in responses if r.status_code == 201).json()["nib"]
    for loser in (r for r in responses if r.status_code != 201):
        body = assert_problem(loser, 409, "overlap")
        assert body["conflicting_nibs"] == [winner]
    assert event_count(services.registry) == before + 1


def test_transfers_racing_on_one_version_over_http_admit_exactly_one(
    client: TestClient, services: Services, titled_nib: str, officer: Headers, auditor: Headers,
) -> None:
    version = client.get(f"/v1/parcels/{titled_nib}", headers=auditor).json()["properties"]["version"]
    before = event_count(services.registry)

    responses = race(lambda i: client.post(
        f"/v1/parcels/{titled_nib}/transfers", json=transfer_body([citizen(f"buyer-{i}")]),
        headers={**officer, **if_match(version)}))

    assert Counter(r.status_code for r in responses) == {200: 1, 409: RACERS - 1}
    for loser in (r for r in responses if r.status_code != 200):
        assert_problem(loser, 409, "version_conflict")
    assert event_count(services.registry) == before + 1
    winner = responses[[r.status_code for r in responses].index(200)]
    now = client.get(f"/v1/parcels/{titled_nib}", headers=auditor).json()
    assert now["properties"]["title"]["edition"] == 2 == winner.json()["edition"]
    assert now["properties"]["version"] == winner.json()["version"]
