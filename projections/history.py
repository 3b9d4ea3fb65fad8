"""A parcel's history from the log: its events and its titles' events in log order, and the
parcel as it stood after any log position or recorded time, in force on any legal date (the
`parcels` row shape): the two time axes of every read."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from projections import parcels
from projections.log import EVENTS_TABLE, LogEvent, decode
from registry.domain.announcement import announcement_key
from registry.domain.dealings import dealing_id

Row = parcels.Row


def _ids(connection: Connection, values: Iterable[str]) -> list[object]:
    if connection.dialect.name == "postgresql":
        return [uuid.UUID(v) for v in values]
    return [uuid.UUID(v).bytes for v in values]


def events_of(connection: Connection, aggregate_ids: set[str]) -> list[LogEvent]:
    """The events of these aggregates, in log order."""
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
    own = events_of(connection, {parcels.parcel_id(nib), str(announcement_key(nib)), *complaints})
    numbers = {e.data["certificate_number"] for e in own
               if e.kind in ("Parcel.TitleRegistered", "Parcel.SecondaryTitleRegistered")}
    titles = events_of(connection, {parcels.title_id(n) for n in numbers})
    return sorted(own + titles, key=lambda e: e.position)


def in_force(events: list[LogEvent], position: int | None = None, recorded_by: str | None = None,
             effective_on: str | None = None) -> list[LogEvent]:
    """The events a read on both time axes folds, in log order: those recorded by `recorded_by`
    (and up to log position `position`) whose legal date is on or before `effective_on`, less
    every dealing an annulment among them made void. An annulment passes only its edition: with
    its dealing left out, the fold already stands as it would without it."""
    known = [e for e in events if (position is None or e.position <= position)
             and (recorded_by is None or e.recorded_at <= recorded_by) and e.kind.startswith(("Parcel.", "Title."))]
    void = {(e.originator_id, e.data["dealing_id"]) for e in known if e.kind == "Title.DealingAnnulled"}
    chosen = []
    for event in known:
        if effective_on is not None and str(event.data["effective_at"]) > effective_on:
            continue
        if (event.originator_id, dealing_id(event.kind, event.data, event.version)) in void:
            continue
        if event.kind == "Title.DealingAnnulled":
            event = replace(event, data={k: v for k, v in event.data.items() if k not in RESTORED})
        chosen.append(event)
    return chosen


RESTORED = ("holders", "mortgages", "blocks")  # what an annulment restores in the live read model


def fold(events: list[LogEvent]) -> dict[str, Row]:
    """Parcel rows folded from chosen events. An event of a parcel whose creation a legal date
    left out (a correction dated before the first survey) has nothing to apply to, and is skipped."""
    batch = parcels.Batch([])
    for event in events:
        try:
            batch.apply(event)
        except (KeyError, LookupError):
            continue
    return batch.rows


def state_after(events: list[LogEvent], position: int | None = None, recorded_by: str | None = None,
                effective_on: str | None = None) -> Row | None:
    """The parcel row as it stood after a log position or a recorded ISO time, in force on a legal date."""
    rows = list(fold(in_force(events, position, recorded_by, effective_on)).values())
    return rows[0] if rows else None


def village_as_of(connection: Connection, village_code: str, recorded_by: str | None,
                  effective_on: str | None = None) -> list[Row]:
    """Every parcel of a village as it stood at a recorded time and legal date, folded from the log in one pass.

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
        events += events_of(connection, set(chosen[start:start + 5_000]))
    events.sort(key=lambda e: e.position)
    return sorted(fold(in_force(events, None, recorded_by, effective_on)).values(), key=lambda r: r["nib"])


def boundary_documents(connection: Connection, nibs: list[str]) -> dict[str, dict[str, str]]:
    """The document each parcel's current boundary rests on (a survey, or the deed of the
    subdivision, separation or merger that drew it): the source of its last event with a shape."""
    by_id = {parcels.parcel_id(nib): nib for nib in nibs}
    chosen = sorted(by_id)
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(chosen), 5_000):
        for event in events_of(connection, set(chosen[start:start + 5_000])):
            if "shape" in event.data:
                found[by_id[event.originator_id]] = event.data["source"]
    return found
