"""A parcel's history from the log: its events and its titles' events in log order, and the
parcel as it stood after any log position or at any recorded time (the `parcels` row shape)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from projections import parcels
from projections.log import EVENTS_TABLE, LogEvent, decode
from registry.domain.announcement import announcement_key

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
    """Every event of the parcel, of every title ever registered on it, of its announcements and of
    the complaints about it, in log order."""
    complaints = connection.execute(text("SELECT aggregate_id FROM landreg_complaints WHERE nib = :nib"),
                                    {"nib": nib}).scalars().all()
    own = _events_of(connection, {parcels.parcel_id(nib), str(announcement_key(nib)), *complaints})
    numbers = {e.data["certificate_number"] for e in own
               if e.kind in ("Parcel.TitleRegistered", "Parcel.SecondaryTitleRegistered")}
    titles = _events_of(connection, {parcels.title_id(n) for n in numbers})
    return sorted(own + titles, key=lambda e: e.position)


def state_after(events: list[LogEvent], position: int | None = None, recorded_by: str | None = None) -> Row | None:
    """The parcel row folded from the events up to a log position, or recorded up to an ISO time."""
    chosen = [e for e in events if (position is None or e.position <= position)
              and (recorded_by is None or e.recorded_at <= recorded_by) and e.kind.startswith(("Parcel.", "Title."))]
    if not chosen:
        return None
    batch = parcels.Batch([])
    for event in chosen:
        batch.apply(event)
    rows = list(batch.rows.values())
    return rows[0] if rows else None


def village_as_of(connection: Connection, village_code: str, recorded_by: str | None) -> list[Row]:
    """Every parcel of a village as it stood at a recorded time, folded from the log in one pass.

    The village's parcels and the titles ever registered on them are found through the read
    models; their events are then read in log order and folded together.
    """
    nibs = [r[0] for r in connection.execute(
        text("SELECT nib FROM landreg_parcels WHERE village_code = :v"), {"v": village_code}).all()]
    if not nibs:
        return []
    numbers = connection.execute(
        text("SELECT certificate_number FROM landreg_certificates WHERE nib IN :nibs")
        .bindparams(bindparam("nibs", expanding=True)), {"nibs": nibs}).scalars().all()
    ids = {parcels.parcel_id(n) for n in nibs} | {parcels.title_id(n) for n in numbers}
    events: list[LogEvent] = []
    chosen = sorted(ids)
    for start in range(0, len(chosen), 5_000):
        events += _events_of(connection, set(chosen[start:start + 5_000]))
    events.sort(key=lambda e: e.position)
    batch = parcels.Batch([])
    for event in events:
        if recorded_by is None or event.recorded_at <= recorded_by:
            batch.apply(event)
    return sorted(batch.rows.values(), key=lambda r: r["nib"])


def boundary_documents(connection: Connection, nibs: list[str]) -> dict[str, dict[str, str]]:
    """The document each parcel's current boundary rests on (a survey, or the deed of the
    subdivision, separation or merger that drew it): the source of its last event with a shape."""
    by_id = {parcels.parcel_id(nib): nib for nib in nibs}
    chosen = sorted(by_id)
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(chosen), 5_000):
        for event in _events_of(connection, set(chosen[start:start + 5_000])):
            if "shape" in event.data:
                found[by_id[event.originator_id]] = event.data["source"]
    return found
