"""The parcels read model: one row per NIB with its geometry, lineage and current title, plus
the tables derived from those rows: holdings (holder -> parcels) and village_stats.

`fold_parcel` and `title_state.fold` are pure; `apply` loads the rows a batch touches, folds the
batch's events into them in memory, and writes back only what changed.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    delete,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from projections import bulk, title_state
from projections.log import LogEvent, plain
from registry.domain import identifiers

Row = dict[str, Any]
CREATED = {"Parcel.Surveyed", "Parcel.CreatedBySubdivision", "Parcel.CreatedBySeparation", "Parcel.CreatedByMerger"}
# Every Parcel event this model folds; any other kind is refused loudly (tests hold it to the catalogue).
FOLDED = CREATED | {"Parcel.BoundaryCorrected", "Parcel.PartSeparated", "Parcel.TitleRegistered", "Parcel.Retired",
                    "Parcel.ConflictRecorded", "Parcel.ConflictResolved",
                    "Parcel.SecondaryTitleRegistered"}  # the titles beside the primary: projections/secondary.py
UNTITLED = "-"


HOLDER_KIND_LENGTH = 32  # the longest kind is foreign_legal_entity (registry/domain/values.py: HOLDER_KINDS)


class ParcelTables:
    """The three tables of the parcels read model, live or (with a suffix) being rebuilt."""

    def __init__(self, suffix: str = "") -> None:
        metadata = MetaData()
        self.parcels = Table(
            f"landreg_parcels{suffix}", metadata,
            Column("nib", String(13), primary_key=True),
            Column("parcel_id", String(36), nullable=False, unique=True),
            Column("village_code", String(8), nullable=False, index=True),
            Column("status", String(10), nullable=False),
            Column("area_m2", Numeric(16, 2), nullable=False),
            Column("epsg", Integer, nullable=False),
            Column("geometry", String, nullable=False),  # WKB hex in the survey's CRS
            Column("wgs84", String, nullable=False),  # WKB hex, EPSG:4326
            Column("parents", JSON, nullable=False),
            Column("children", JSON, nullable=False),
            Column("certificate_number", String(14), index=True),
            Column("title_id", String(36), index=True),
            Column("title", JSON),  # the current title (projections.title_state), or null
            Column("version", Integer, nullable=False),
            Column("updated_at", String(40), nullable=False),
            Column("position", BigInteger, nullable=False),
            # NIB -> m² of overlap of each open conflict; null: none. Last, as revision 0004 added it.
            Column("conflicts", JSON),
        )
        self.holdings = Table(
            f"landreg_holdings{suffix}", metadata,
            Column("holder_id", String(64), primary_key=True),
            Column("nib", String(13), primary_key=True, index=True),
            Column("holder_name", String(200), nullable=False),
            Column("holder_kind", String(HOLDER_KIND_LENGTH), nullable=False),
            Column("share", String(40), nullable=False),
            Column("certificate_number", String(14), nullable=False),
            Column("right_type", String(8), nullable=False),
        )
        # Search by part of a name (`lower(holder_name) LIKE '%...%'`) over 126M parcels' holders:
        # a trigram index (PostgreSQL's pg_trgm); SQLite scans, which is fine for one office.
        self.holder_names = Index(
            f"landreg_holdings{suffix}_name_trgm", func.lower(self.holdings.c.holder_name).label("name"),
            postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql")
        self.village_stats = Table(
            f"landreg_village_stats{suffix}", metadata,
            Column("village_code", String(8), primary_key=True),
            Column("right_type", String(8), primary_key=True),
            Column("parcels", Integer, nullable=False),
            Column("area_m2", Numeric(20, 2), nullable=False),
        )
        self.all = [self.parcels, self.holdings, self.village_stats]


def parcel_id(nib: str) -> str:
    return str(identifiers.parcel_id(nib))


def title_id(number: str) -> str:
    return str(identifiers.title_id(number))


def fold_parcel(row: Row | None, event: LogEvent) -> Row:
    """The parcel row after a Parcel event (pure)."""
    data = event.data
    if event.kind not in FOLDED:
        raise LookupError(f"event {event.position}: no fold for {event.kind}")
    if event.kind in CREATED:
        parents = data.get("parents") or ([data["parent"]] if "parent" in data else [])
        row = {"nib": data["nib"], "parcel_id": event.originator_id, "village_code": data["village_code"],
               "status": "active", "parents": parents, "children": [], "certificate_number": None,
               "title_id": None, "title": None, "conflicts": {}, **_shape(data["shape"])}
    elif row is None:
        raise LookupError(f"event {event.position} ({event.kind}) for a parcel the read model has not seen")
    elif event.kind == "Parcel.BoundaryCorrected":
        row = {**row, **_shape(data["shape"])}
    elif event.kind == "Parcel.PartSeparated":
        row = {**row, **_shape(data["shape"]), "children": [*row["children"], data["child"]]}
    elif event.kind == "Parcel.ConflictRecorded":
        row = {**row, "conflicts": {**(row.get("conflicts") or {}), **data["conflicts"]}}
    elif event.kind == "Parcel.ConflictResolved":
        row = {**row, "conflicts": {k: v for k, v in (row.get("conflicts") or {}).items() if k not in data["nibs"]}}
    elif event.kind == "Parcel.TitleRegistered":
        number = data["certificate_number"]
        row = {**row, "certificate_number": number, "title_id": title_id(number)}
    elif event.kind == "Parcel.Retired":
        row = {**row, "status": "retired",  # after the parts separated earlier, as the aggregate keeps them
               "children": [*row["children"], *(c for c in data["children"] if c not in row["children"])]}
    return {**row, "version": event.version, "updated_at": event.recorded_at, "position": event.position}


def _shape(shape: dict[str, Any]) -> Row:
    return {"area_m2": Decimal(plain(shape["area_m2"])), "epsg": shape["epsg"], "geometry": shape["geometry"],
            "wgs84": shape["wgs84"]}


class Batch:
    """The rows one batch of events touches, keyed for both kinds of event."""

    def __init__(self, rows: list[Row]) -> None:
        self.before = {r["nib"]: r for r in rows}
        self.rows = dict(self.before)
        self.by_parcel = {r["parcel_id"]: r["nib"] for r in rows}
        self.by_title = {r["title_id"]: r["nib"] for r in rows if r["title_id"]}

    def apply(self, event: LogEvent) -> None:
        if title_state.is_title_event(event):
            self._apply_title(event)
            return
        nib = event.data["nib"] if event.kind in CREATED else self.by_parcel[event.originator_id]
        row = fold_parcel(self.rows.get(nib), event)
        self.rows[nib] = row
        self.by_parcel[row["parcel_id"]] = nib
        if row["title_id"]:
            self.by_title[row["title_id"]] = nib

    def _apply_title(self, event: LogEvent) -> None:
        registered = event.kind == "Title.RightRegistered"
        nib = event.data["nib"] if registered else self.by_title.get(event.originator_id)
        row = self.rows.get(nib) if nib else None
        if row is None or (not registered and row["title_id"] != event.originator_id):
            return  # an event of a title this parcel no longer carries
        title = title_state.fold(None if registered else row["title"], event)
        self.rows[nib] = {**row, "title_id": event.originator_id, "title": title,
                          "certificate_number": title["certificate_number"], "position": event.position}
        self.by_title[event.originator_id] = nib

    def changed(self) -> list[Row]:
        return [row for nib, row in self.rows.items() if self.before.get(nib) != row]


def load(session: Session, tables: ParcelTables, events: list[LogEvent]) -> list[Row]:
    """The existing rows any of these events may change; none when every event creates a parcel."""
    if all(e.kind in CREATED for e in events):
        return []  # a new parcel's row cannot exist yet: no query (a subdivision also changes its parent)
    parcel_ids = {e.originator_id for e in events if not title_state.is_title_event(e)}
    title_ids = {e.originator_id for e in events if title_state.is_title_event(e)}
    nibs = {e.data["nib"] for e in events if e.kind == "Title.RightRegistered"}
    table = tables.parcels
    rows = session.execute(select(table).where(or_(
        bulk.among(session, table.c.parcel_id, parcel_ids), bulk.among(session, table.c.title_id, title_ids),
        bulk.among(session, table.c.nib, nibs),
    ))).mappings().all()
    return [dict(r) for r in rows]


def apply(session: Session, tables: ParcelTables, events: list[LogEvent]) -> list[tuple[Row | None, Row]]:
    """Fold a batch into the parcels table and its derived tables; returns (before, after) pairs."""
    events = [e for e in events if e.kind.startswith(("Parcel.", "Title."))]  # not audit checkpoints
    if not events:
        return []
    batch = Batch(load(session, tables, events))
    for event in events:
        batch.apply(event)
    changed = batch.changed()
    if not changed:
        return []
    bulk.replace(session, tables.parcels, changed)
    pairs = [(batch.before.get(r["nib"]), r) for r in changed]
    _write_holdings(session, tables, pairs)
    _write_stats(session, tables, pairs)
    return pairs


def holdings_of(row: Row) -> list[Row]:
    """Holding rows of a parcel: the holders of its active title, if it is active."""
    title = row["title"]
    if row["status"] != "active" or not title or title["status"] != "active":
        return []
    return [{"holder_id": h["id"], "nib": row["nib"], "holder_name": h["name"], "holder_kind": h["kind"],
             "share": h["share"], "certificate_number": title["certificate_number"],
             "right_type": title["right_type"]} for h in title["holders"]]


def _write_holdings(session: Session, tables: ParcelTables, pairs: list[tuple[Row | None, Row]]) -> None:
    """A changed parcel's holdings replace its old ones (a parcel just created had none)."""
    held = [h for _, after in pairs for h in holdings_of(after)]
    had = [after["nib"] for before, after in pairs if before is not None and holdings_of(before)]
    if had:
        session.execute(delete(tables.holdings).where(bulk.among(session, tables.holdings.c.nib, had)))
    bulk.insert(session, tables.holdings, held)


def stats_key(row: Row | None) -> tuple[str, str] | None:
    """The village_stats bucket of a parcel row: active parcels by village and right type."""
    if row is None or row["status"] != "active":
        return None
    title = row["title"]
    right = title["right_type"] if title and title["status"] == "active" else UNTITLED
    return row["village_code"], right


def _write_stats(session: Session, tables: ParcelTables, pairs: list[tuple[Row | None, Row]]) -> None:
    """Add each bucket's change in one upsert (`parcels = parcels + d`); drop buckets left empty."""
    delta: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for before, after in pairs:
        for row, sign in ((before, -1), (after, 1)):
            key = stats_key(row)
            if key is not None and row is not None:
                delta[key][0] += sign
                delta[key][1] += sign * Decimal(row["area_m2"])
    rows = [{"village_code": k[0], "right_type": k[1], "parcels": count, "area_m2": area}
            for k, (count, area) in delta.items() if count or area]
    if not rows:
        return
    table = tables.village_stats
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(rows)
    session.execute(statement.on_conflict_do_update(index_elements=["village_code", "right_type"], set_={
        # Rounded to the stored 2 decimals: SQLite keeps NUMERIC as a float, and sums would drift.
        "parcels": table.c.parcels + statement.excluded.parcels,
        "area_m2": func.round(table.c.area_m2 + statement.excluded.area_m2, 2),
    }))
    shrunk = [(row["village_code"], row["right_type"]) for row in rows if row["parcels"] < 0]
    if shrunk:
        bucket = tuple_(table.c.village_code, table.c.right_type)
        session.execute(delete(table).where(bucket.in_(shrunk), table.c.parcels <= 0))
