"""Races decided by the store: overlapping surveys and transfers at the same version, from
threads of one process and from separate processes, on SQLite and PostgreSQL."""
from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from registry.application.registry import Registry
from registry.domain import errors
from tests.geometries import square
from tests.support import (
    DEED,
    LAT,
    LON,
    OFFICER,
    SURVEY,
    SURVEYOR,
    VILLAGE,
    citizen,
    event_count,
    store_state,
    survey_in_another_process,
    titled,
)

RACERS = 8


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Start every call at the same instant on its own thread; return results or errors."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except errors.RegistryError as error:
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def overlapping_squares(count: int) -> list[dict[str, Any]]:
    """100 m squares each shifted 5 m east of the last: every pair overlaps."""
    return [square(LON + i * 0.000045, LAT, 100) for i in range(count)]


def test_eight_overlapping_surveys_at_once_admit_exactly_one(registry: Registry) -> None:
    calls = [
        (lambda g=g: registry.submit_survey(VILLAGE, g, SURVEY, actor=SURVEYOR))
        for g in overlapping_squares(RACERS)
    ]
    results = race(calls)
    accepted = [r for r in results if isinstance(r, dict)]
    assert len(accepted) == 1
    assert all(isinstance(r, errors.OverlapError) for r in results if not isinstance(r, dict))
    assert event_count(registry) == 1
    assert store_state(registry)["footprints"] == [(accepted[0]["nib"],)]


def test_eight_transfers_expecting_the_same_version_accept_exactly_one(registry: Registry) -> None:
    nib = titled(registry)
    before = event_count(registry)
    version = registry.resource_version(nib)
    calls = [
        (lambda i=i: registry.transfer_ownership(
            nib, "sale", [citizen(f"buyer-{i}")], "2025-03-01", DEED, actor=OFFICER, expected_version=version))
        for i in range(RACERS)
    ]
    results = race(calls)
    accepted = [r for r in results if isinstance(r, dict)]
    assert len(accepted) == 1
    assert all(isinstance(r, errors.VersionConflict) for r in results if not isinstance(r, dict))
    assert event_count(registry) == before + 1
    title = registry.title_on(nib)
    assert title is not None and title.version == 2 and title.edition == 2


def test_concurrent_mortgages_without_expected_version_queue_and_take_distinct_ranks(registry: Registry) -> None:
    nib = titled(registry)
    calls = [
        (lambda i=i: registry.register_mortgage(nib, {"id": f"bank-{i}", "name": f"Bank {i}"}, "1000.00",
                                                DEED, actor=OFFICER))
        for i in range(RACERS)
    ]
    results = race(calls)
    assert all(isinstance(r, dict) for r in results), results
    assert sorted(r["rank"] for r in results) == list(range(1, RACERS + 1))


def test_concurrent_title_registrations_on_one_parcel_register_one_title(registry: Registry) -> None:
    nib = registry.submit_survey(VILLAGE, square(LON, LAT, 100), SURVEY, actor=SURVEYOR)["nib"]
    calls = [
        (lambda i=i: registry.register_title(nib, "HM", [citizen(f"owner-{i}")], None, DEED, actor=OFFICER))
        for i in range(4)
    ]
    results = race(calls)
    assert len([r for r in results if isinstance(r, dict)]) == 1
    assert all(isinstance(r, errors.TitleAlreadyRegistered) for r in results if not isinstance(r, dict))


def test_overlapping_surveys_from_separate_processes_admit_exactly_one(registry: Registry) -> None:
    """Processes do not share the library's in-process lock: the database alone decides."""
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with context.Pool(4) as pool:
        pending = [
            pool.apply_async(survey_in_another_process, (registry.settings, g, start)) for g in overlapping_squares(4)
        ]
        threading.Timer(3.0, start.set).start()  # let every child open the store first
        outcomes = sorted(p.get(timeout=120) for p in pending)
    assert outcomes == ["OverlapError"] * 3 + ["accepted"]
    assert event_count(registry) == 1
