"""As-of reads equal a brute-force fold: for random instants over a generated history, the parcel
folded by the read side from the log equals the Parcel and Title aggregates rebuilt by the domain
from exactly the events recorded up to that instant."""
from __future__ import annotations

import functools
import random
import uuid
from typing import Any

from sqlalchemy import text

from api.bootstrap import Services
from projections.history import parcel_events, state_after, village_as_of
from tests.workload import run_workload


def domain_fold(services: Services, aggregate_id: str, instant: str) -> Any:
    """The aggregate rebuilt by the domain from its events recorded up to `instant` (None: none yet)."""
    events = [e for e in services.registry.events.get(uuid.UUID(aggregate_id)) if e.timestamp.isoformat() <= instant]
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


def test_as_of_equals_a_fold_of_the_events_recorded_up_to_then(services: Services) -> None:
    report = run_workload(services.registry, 400, seed=3)
    rng = random.Random(3)
    with services.queries.engine.connect() as connection:
        stamps = sorted(r[0] for r in connection.execute(text("SELECT id FROM landreg_events")).all())
        for nib in rng.sample(report.nibs, 25):
            events = parcel_events(connection, nib)
            for _ in range(4):
                instant = rng.choice(events).recorded_at if rng.random() < 0.7 else _between(rng, events)
                row = state_after(events, recorded_by=instant)
                parcel = domain_fold(services, events[0].originator_id, instant)
                assert (row is None) == (parcel is None)
                if parcel is None:
                    continue
                assert ((row["status"], row["area_m2"], row["version"])
                        == (parcel.status, parcel.area_m2, parcel.version))
                title = domain_fold(services, row["title_id"], instant) if row["title_id"] else None
                assert (row["title"] is None) == (title is None)
                if title is not None:
                    assert row["title"]["holders"] == title.holders and row["title"]["edition"] == title.edition
                    assert row["title"]["status"] == title.status
    assert stamps


def _between(rng: random.Random, events: list[Any]) -> str:
    """An instant just after a random event (recorded times share a prefix up to the microsecond)."""
    return rng.choice(events).recorded_at[:-6] + "9+00:00"


def test_village_as_of_equals_each_parcel_as_of(services: Services) -> None:
    run_workload(services.registry, 300, seed=5)
    with services.queries.engine.connect() as connection:
        events = connection.execute(text("SELECT id FROM landreg_events ORDER BY id")).all()
        assert events
        rows = village_as_of(connection, "31740101", None)
        for row in rows[:30]:
            alone = state_after(parcel_events(connection, row["nib"]))
            assert alone is not None and (alone["status"], alone["title"]) == (row["status"], row["title"])
