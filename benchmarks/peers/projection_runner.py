"""Peer of the rebuild figures: the library's own projection runner, one transaction per event.

`eventsourcing.projection.ProjectionRunner` follows the plain-save peer's log (PlainLedger) by
LISTEN/NOTIFY in threads, and a trivial `Projection` upserts one row per event plus its tracking
row through an `SQLAlchemyTrackingRecorder` subclass (the view).
"""
from __future__ import annotations

import time
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection, ProjectionRunner
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.recorders import SQLAlchemyTrackingRecorder
from sqlalchemy import BigInteger, Column, MetaData, String, Table, Uuid
from sqlalchemy.dialects.postgresql import insert

from benchmarks.peers.common import Measure, fresh_database, rate, sqlalchemy_url
from benchmarks.peers.plain_save import PlainLedger, close, dispose, ledger, stored_surveys


class ParcelRowsView(SQLAlchemyTrackingRecorder):
    """A materialised view of one row per aggregate (its NIB and version), and the tracking row."""

    def __init__(self, datastore: SQLAlchemyDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.rows = Table(
            "peer_view_parcels", MetaData(),
            Column("id", Uuid, primary_key=True),
            Column("nib", String(15), nullable=False),
            Column("version", BigInteger, nullable=False),
        )
        self.tables.append(self.rows)  # created by create_table() with the tracking table

    def upsert(self, event: Any, tracking: Tracking) -> None:
        """One transaction: the view's row for the event's aggregate, then the tracking row."""
        statement = insert(self.rows).values(id=event.originator_id, nib=getattr(event, "nib", ""),
                                             version=event.originator_version)
        statement = statement.on_conflict_do_update(index_elements=[self.rows.c.id],
                                                    set_={"version": statement.excluded.version})
        with self.transaction(commit=True) as session:
            session.execute(statement)
            self._insert_tracking(session, tracking)


class ParcelRowsProjection(Projection[ParcelRowsView]):
    """Every event of the log, one at a time, into `ParcelRowsView`."""

    name = "peer_parcel_rows"  # tracking table peer_parcel_rows_tracking

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.upsert(domain_event, tracking)


def seed_log(url: str, events: int, batch: int = 1_000) -> int:
    """Append `events` surveys to PlainLedger's log in batches (fast, untimed); the last id."""
    app = ledger(url)
    try:
        for start in range(0, events, batch):
            app.recorder.insert_events(stored_surveys(min(batch, events - start), start))
        return app.recorder.max_notification_id() or 0
    finally:
        close(app)


def library_projection_runner(url: str, events: int, timeout: float = 600.0) -> list[Measure]:
    """Events/s of the library's `ProjectionRunner` catching up with a log of `events` events.

    Drops and creates the database and seeds PlainLedger's log (untimed). The clock then runs
    from constructing the runner (it subscribes, pulls 500 notifications at a time, decodes each
    into a domain event and calls the projection, which upserts one row and its tracking row in
    one transaction per event) until the view's tracking row reaches the last notification id,
    polled every 5 ms (the runner's own `wait()` backs off up to 0.8 s, too coarse to time with).
    """
    fresh_database(url)
    last = seed_log(url, events)
    env = {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": sqlalchemy_url(url)}
    start = time.perf_counter()
    with ProjectionRunner(application_class=PlainLedger, projection_class=ParcelRowsProjection,
                          view_class=ParcelRowsView, env=env) as runner:
        view = runner.view
        while not view.has_tracking_id(runner.app_name, last):
            runner.run_forever(timeout=0.005)  # re-raises an error of the runner's threads
            if runner.is_interrupted.is_set():
                raise RuntimeError("the projection runner stopped before it caught up")
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"the projection runner did not reach event {last} in {timeout} s")
        seconds = time.perf_counter() - start
    dispose(runner.app.factory)
    dispose(view)
    return [rate("library ProjectionRunner (one transaction per event)", "events/s", events, seconds)]
