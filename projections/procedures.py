"""The procedures read model: each parcel's current announcement (for the public listing by
village) and each complaint (for the officers' inbox and the statistics), folded from the log."""
from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from projections import bulk
from projections.log import LogEvent
from projections.parcels import ParcelTables

Row = dict[str, Any]


class ProcedureTables:
    """The announcements and complaints tables, live or (with a suffix) being rebuilt."""

    def __init__(self, suffix: str = "") -> None:
        metadata = MetaData()
        self.announcements = Table(
            f"landreg_announcements{suffix}", metadata,
            Column("aggregate_id", String(36), primary_key=True),
            Column("nib", String(13), nullable=False, unique=True),
            Column("announcement_id", String(24), nullable=False),
            Column("village_code", String(8), nullable=False, index=True),
            Column("kind", String(12), nullable=False),
            Column("started_on", String(10), nullable=False),
            Column("ends_on", String(10), nullable=False),
            Column("right_type", String(8), nullable=False),
            Column("claimant_names", JSON, nullable=False),  # public by law; ids and shares are not
            Column("status", String(10), nullable=False),
            Column("objections", JSON, nullable=False),  # id -> status, round
            Column("position", BigInteger, nullable=False),
        )
        self.complaints = Table(
            f"landreg_complaints{suffix}", metadata,
            Column("aggregate_id", String(36), primary_key=True),
            Column("number", String(16), nullable=False, unique=True),
            Column("village_code", String(8), index=True),
            Column("nib", String(13), index=True),
            Column("category", String(12), nullable=False),
            Column("status", String(10), nullable=False),
            Column("filed_on", String(10), nullable=False),
            Column("respond_by", String(10), nullable=False),
            Column("closed_on", String(10)),
            Column("assigned_to", String(100)),
            Column("replies", Integer, nullable=False),
            Column("position", BigInteger, nullable=False),
        )
        self.all = [self.announcements, self.complaints]


# Every event of the two aggregates these tables fold; any other kind is refused loudly.
FOLDED = {"Announcement.Started", "Announcement.Restarted", "Announcement.ObjectionLodged",
          "Announcement.ObjectionResolved", "Complaint.Filed", "Complaint.Replied", "Complaint.Assigned",
          "Complaint.Closed"}


def _announcement(row: Row | None, event: LogEvent) -> Row:
    data = event.data
    if event.kind not in FOLDED:
        raise LookupError(f"event {event.position}: no fold for {event.kind}")
    if event.kind in ("Announcement.Started", "Announcement.Restarted"):
        base = row or {"aggregate_id": event.originator_id, "nib": data["nib"], "village_code": data["village_code"],
                       "objections": {}}
        row = {**base, "announcement_id": f"{base['nib']}-{data['round']}", "kind": data["kind"],
               "started_on": data["started_on"], "ends_on": data["ends_on"], "right_type": data["right_type"],
               "claimant_names": [c["name"] for c in data["claimants"]], "status": "running"}
    elif row is None:
        raise LookupError(f"event {event.position} ({event.kind}) for an announcement not seen")
    elif event.kind == "Announcement.ObjectionLodged":
        row = {**row, "objections": {**row["objections"], data["objection_id"]: "open"}}
    elif event.kind == "Announcement.ObjectionResolved":
        row = {**row, "objections": {**row["objections"], data["objection_id"]: data["outcome"]},
               "status": "upheld" if data["outcome"] == "upheld" else row["status"]}
    return {**row, "position": event.position}


def _complaint(row: Row | None, event: LogEvent) -> Row:
    data = event.data
    if event.kind not in FOLDED:
        raise LookupError(f"event {event.position}: no fold for {event.kind}")
    if event.kind == "Complaint.Filed":
        row = {"aggregate_id": event.originator_id, "number": data["number"], "village_code": data["village_code"],
               "nib": data["about"].get("nib"), "category": data["category"], "status": "open",
               "filed_on": data["filed_on"], "respond_by": data["respond_by"], "closed_on": None,
               "assigned_to": None, "replies": 0}
    elif row is None:
        raise LookupError(f"event {event.position} ({event.kind}) for a complaint not seen")
    elif event.kind == "Complaint.Replied":
        row = {**row, "replies": row["replies"] + 1, "status": "answered" if row["status"] == "open" else row["status"]}
    elif event.kind == "Complaint.Assigned":
        row = {**row, "assigned_to": data["assigned_to"]}
    elif event.kind == "Complaint.Closed":
        row = {**row, "status": data["outcome"], "closed_on": data["closed_on"], "replies": row["replies"] + 1}
    return {**row, "position": event.position}


def apply(session: Session, tables: ProcedureTables, events: list[LogEvent]) -> None:
    """Fold the batch's announcement and complaint events into their tables."""
    for prefix, table, fold in (("Announcement.", tables.announcements, _announcement),
                                ("Complaint.", tables.complaints, _complaint)):
        mine = [e for e in events if e.kind.startswith(prefix)]
        if mine:
            _fold_into(session, table, mine, fold)


def _fold_into(session: Session, table: Table, events: list[LogEvent], fold: Callable[[Row | None, LogEvent], Row],
               ) -> None:
    ids = list({e.originator_id for e in events})
    rows: dict[str, Row] = {r["aggregate_id"]: dict(r) for r in session.execute(
        select(table).where(bulk.among(session, table.c.aggregate_id, ids))).mappings()}
    for event in events:
        rows[event.originator_id] = fold(rows.get(event.originator_id), event)
    bulk.replace(session, table, list(rows.values()))


class ProcedureQueries:
    """What the public and the officers ask of announcements and complaints."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tables = ProcedureTables()
        self.parcels = ParcelTables().parcels

    def running(self, village_code: str, today: str, limit: int = 1_000) -> list[Row]:
        """A village's running announcements with each parcel's area and outline (WKB hex, WGS 84)."""
        a, p = self.tables.announcements, self.parcels
        query = (select(a, p.c.area_m2, p.c.wgs84).join(p, p.c.nib == a.c.nib)
                 .where(a.c.village_code == village_code, a.c.status == "running", a.c.ends_on >= today)
                 .order_by(a.c.nib).limit(limit))
        with self.engine.connect() as connection:
            return [dict(r) for r in connection.execute(query).mappings()]

    def announcement(self, nib: str) -> Row | None:
        a = self.tables.announcements
        with self.engine.connect() as connection:
            found = connection.execute(select(a).where(a.c.nib == nib)).mappings().first()
        return None if found is None else dict(found)

    def complaints(self, status: str | None, village_code: str | None, overdue: bool, today: str,
                   after: str = "", limit: int = 100) -> list[Row]:
        """The inbox: open ones first by how soon (or how long ago) they were due, then the rest."""
        c = self.tables.complaints
        query = select(c).where(c.c.number > after)
        if status is not None:
            query = query.where(c.c.status == status)
        if village_code is not None:
            query = query.where(c.c.village_code == village_code)
        if overdue:
            query = query.where(c.c.status.in_(OPEN), c.c.respond_by < today)
        query = query.order_by(c.c.status.notin_(OPEN), c.c.respond_by, c.c.number).limit(limit)
        with self.engine.connect() as connection:
            return [dict(r) for r in connection.execute(query).mappings()]

    def stats(self, today: str) -> dict[str, Any]:
        """Open, overdue, and median days to resolution, in all and per village and category."""
        c = self.tables.complaints
        with self.engine.connect() as connection:
            rows = [dict(r) for r in connection.execute(
                select(c.c.village_code, c.c.category, c.c.status, c.c.filed_on, c.c.respond_by, c.c.closed_on))
                .mappings()]
        return {"all": _stats(rows, today),
                "by_village": {k: _stats(v, today) for k, v in _grouped(rows, "village_code").items()},
                "by_category": {k: _stats(v, today) for k, v in _grouped(rows, "category").items()}}


OPEN = ("open", "answered")


def _grouped(rows: list[Row], key: str) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(str(row[key] or "office"), []).append(row)
    return groups


def _stats(rows: list[Row], today: str) -> dict[str, Any]:
    days = [(date.fromisoformat(r["closed_on"]) - date.fromisoformat(r["filed_on"])).days
            for r in rows if r["closed_on"]]
    return {"complaints": len(rows), "open": sum(r["status"] in OPEN for r in rows),
            "overdue": sum(r["status"] in OPEN and r["respond_by"] < today for r in rows),
            "median_days_to_resolution": statistics.median(days) if days else None}
