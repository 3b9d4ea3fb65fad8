"""Peer of the event store itself: eventsourcing-sqlalchemy (psycopg2) against the library's
core `eventsourcing.postgres` recorder (psycopg 3), on identical stored events.

Only the recorder is timed (`insert_events`): no aggregates, no mapper, no application.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, StoredEvent
from eventsourcing.utils import Environment

from benchmarks.peers.common import Measure, Stopwatch, fresh_database, rate, sqlalchemy_url
from benchmarks.peers.plain_save import dispose, stored_surveys


def sqlalchemy_env(url: str) -> dict[str, str]:
    """Configuration of eventsourcing-sqlalchemy on the peer's database, with psycopg2."""
    return {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": sqlalchemy_url(url)}


def postgres_env(url: str) -> dict[str, str]:
    """Configuration of the library's core PostgreSQL recorder (psycopg 3) on the same database.

    POSTGRES_PASSWORD must be present; an empty string works with trust authentication.
    """
    parsed = sqlalchemy.make_url(url)
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": str(parsed.database),
            "POSTGRES_HOST": parsed.host or "127.0.0.1", "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": parsed.username or "postgres", "POSTGRES_PASSWORD": parsed.password or ""}


STORES = {  # name of the store (and prefix of its table) -> how it is configured
    "peer_sqlalchemy": ("eventsourcing-sqlalchemy + psycopg2", sqlalchemy_env),
    "peer_psycopg": ("eventsourcing.postgres + psycopg 3", postgres_env),
}


def recorders(url: str, events: int, batch: int = 1_000, singles: int | None = None) -> list[Measure]:
    """Events/s of each recorder's `insert_events`, single events and in batches.

    Drops and creates the database. For each store (table `peer_sqlalchemy_events`, then
    `peer_psycopg_events`): (a) `singles` events (default `events`), one `insert_events([e])`
    and so one transaction each; (b) `events` more in `insert_events` calls of `batch` events,
    one transaction each. Both stores get the same stored events (~1 KB state), made untimed.
    """
    fresh_database(url)
    singles = events if singles is None else singles
    one_by_one = stored_surveys(singles)
    batched = stored_surveys(events, start=singles)
    figures = []
    for name, (label, env_of) in STORES.items():
        factory = InfrastructureFactory.construct(Environment(name, env_of(url)))
        try:
            recorder = factory.application_recorder()
            figures.append(_insert(f"{label}: single events", recorder, [[e] for e in one_by_one]))
            chunks = [batched[i:i + batch] for i in range(0, len(batched), batch)]
            figures.append(_insert(f"{label}: batches of {batch:,}", recorder, chunks))
        finally:
            _close(factory)
    return figures


def _insert(name: str, recorder: ApplicationRecorder, chunks: Sequence[Sequence[StoredEvent]]) -> Measure:
    watch = Stopwatch()
    with watch:
        for chunk in chunks:
            recorder.insert_events(chunk)
    return rate(f"recorder {name}", "events/s", sum(len(c) for c in chunks), watch.seconds)


def _close(factory: InfrastructureFactory[Any]) -> None:
    factory.close()
    dispose(factory)
