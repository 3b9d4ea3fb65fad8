"""A parcel's history from the log: its events and its titles' events in log order, and the
parcel as it stood after any log position or at any recorded time (the `parcels` row shape)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from projections import parcels
from projections.log import EVENTS_TABLE, LogEvent, decode

Row = parcels.Row


def _ids(connection: Connection, values: Iterable[str]) -> list[object]:
    if connection.dialect.name == "postgresql":
        return [uuid.UUID(v) for v in values]
    return [uuid.UUID(v).bytes for v in values]


def _events_of(connection: Connection, aggregate_ids: set[str]) -> list[LogEvent]:
    if not aggregate_ids:
        return []
    query = text(f"SELECT id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
                 "WHERE originator_id IN :ids ORDER BY id").bindparams(bindparam("ids", expanding=True))
    rows = connection.execute(query, {"ids": _ids(connection, aggregate_ids)}).all()
    return [decode(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]


def parcel_events(connection: Connection, nib: str) -> list[LogEvent]:
    """Every event of the parcel and of every title ever registered on it, in log order."""
    own = _events_of(connection, {parcels.parcel_id(nib)})
    numbers = {e.data["certificate_number"] for e in own if e.kind == "Parcel.TitleRegistered"}
    titles = _events_of(connection, {parcels.title_id(n) for n in numbers})
    return sorted(own + titles, key=lambda e: e.position)


def state_after(events: list[LogEvent], position: int | None = None, recorded_by: str | None = None) -> Row | None:
    """The parcel row folded from the events up to a log position, or recorded up to an ISO time."""
    chosen = [e for e in events if (position is None or e.position <= position)
              and (recorded_by is None or e.recorded_at <= recorded_by)]
    if not chosen:
        return None
    batch = parcels.Batch([])
    for event in chosen:
        batch.apply(event)
    rows = list(batch.rows.values())
    return rows[0] if rows else None
