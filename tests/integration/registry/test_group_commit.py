"""Group commit on the real stores: commands sharing one transaction, each in its own savepoint."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text

from api.bootstrap import Services
from registry.domain import errors
from registry.domain.identifiers import make_nib
from tests.geometries import grid_squares, square
from tests.support import LAT, LON, SURVEY, SURVEYOR, VILLAGE, store_state


def parcel_rows(services: Services) -> list[str]:
    with services.registry.engine.connect() as connection:
        return [r[0] for r in connection.execute(text("SELECT nib FROM landreg_parcels ORDER BY nib"))]


def test_a_refused_command_rolls_back_alone_and_the_batch_commits_the_rest(services: Services) -> None:
    registry = services.registry
    first, beside = grid_squares(LON, LAT, 50, 2)[:2]
    overlapping = square(LON + 0.0001, LAT + 0.0001, 50)
    with registry.batch():
        a = registry.submit_survey(VILLAGE, first, SURVEY, actor=SURVEYOR)
        with pytest.raises(errors.OverlapError):
            registry.submit_survey(VILLAGE, overlapping, SURVEY, actor=SURVEYOR)
        b = registry.submit_survey(VILLAGE, beside, SURVEY, actor=SURVEYOR)
        assert parcel_rows(services) == []  # read models are brought up to date once, at the end
    # The refused survey's NIB serial rolled back with it: no gap in the village's numbers.
    assert [a["nib"], b["nib"]] == [make_nib(VILLAGE, 1), make_nib(VILLAGE, 2)]
    assert parcel_rows(services) == [a["nib"], b["nib"]]
    assert a["position"] < b["position"]
    assert registry.get_parcel(b["nib"]).version == 1


def test_an_error_escaping_the_batch_keeps_nothing_of_it(services: Services) -> None:
    registry = services.registry
    before = store_state(registry)
    with pytest.raises(RuntimeError), registry.batch():
        for geometry in grid_squares(LON, LAT, 50, 2):
            registry.submit_survey(VILLAGE, geometry, SURVEY, actor=SURVEYOR)
        raise RuntimeError("the importer crashed")
    assert store_state(registry) == before
    assert parcel_rows(services) == []


def test_a_command_id_repeated_inside_a_batch_returns_the_first_result(services: Services) -> None:
    registry = services.registry
    geometry = grid_squares(LON, LAT, 50, 1)[0]
    with registry.batch():
        first = registry.submit_survey(VILLAGE, geometry, SURVEY, actor=SURVEYOR, command_id="survey-1")
        again = registry.submit_survey(VILLAGE, geometry, SURVEY, actor=SURVEYOR, command_id="survey-1")
    assert again == first
    assert parcel_rows(services) == [first["nib"]]


def test_concurrent_commands_through_the_committer_each_land_once(services: Services) -> None:
    """24 threads at once: distinct squares all land, of two overlapping ones exactly one does."""
    registry = services.registry
    assert registry.committer is not None
    geometries = grid_squares(LON, LAT, 30, 5)[:22] + [square(LON + 0.01, LAT, 40), square(LON + 0.01001, LAT, 40)]
    barrier = threading.Barrier(len(geometries))

    def send(geometry: dict[str, Any]) -> Any:
        barrier.wait()
        try:
            return registry.submit_survey(VILLAGE, geometry, SURVEY, actor=SURVEYOR)
        except errors.OverlapError as error:
            return error

    with ThreadPoolExecutor(len(geometries)) as pool:
        results = list(pool.map(send, geometries))
    accepted = [r for r in results if isinstance(r, dict)]
    assert all(isinstance(r, dict) for r in results[:22])
    assert len(accepted) == 23
    assert len({r["position"] for r in accepted}) == 23
    assert sorted(r["nib"] for r in accepted) == [make_nib(VILLAGE, n) for n in range(1, 24)]
    assert parcel_rows(services) == sorted(r["nib"] for r in accepted)
