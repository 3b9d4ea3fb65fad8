"""The read models behind one interface: their tables, how a batch of events changes them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Protocol

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from projections import certificates, gis_view, parcels, procedures
from projections.log import LogEvent
from projections.tables import SHADOW, swap
from registry.persistence import store
from spatial.index_postgis import PostgisFootprints
from spatial.index_sqlite import SqliteFootprints

FOOTPRINTS = store.FOOTPRINTS_TABLE


class ReadModel(Protocol):
    name: str
    kinds: tuple[str, ...]  # the kinds of event its fold takes (by prefix: "Title.")

    def shadow_tables(self, dialect: str) -> list[str]: ...

    def tables(self, suffix: str) -> list[Table]: ...
    def create(self, engine: Engine, suffix: str) -> None: ...
    def apply(self, session: Session, suffix: str, events: list[LogEvent], rebuilding: bool) -> None: ...
    def swap_in(self, connection: Connection, suffix: str) -> None: ...


@cache
def footprint_index(dialect: str, suffix: str) -> PostgisFootprints | SqliteFootprints:
    name = f"{FOOTPRINTS}{suffix}"
    return PostgisFootprints(name) if dialect == "postgresql" else SqliteFootprints(name)


_parcel_tables = lru_cache(maxsize=None)(parcels.ParcelTables)
_certificate_tables = lru_cache(maxsize=None)(certificates.CertificateTables)
_procedure_tables = lru_cache(maxsize=None)(procedures.ProcedureTables)


@dataclass
class ParcelsModel:
    """parcels, holdings, village_stats; on a rebuild also the spatial index (the overlap guard's
    table, which commands keep up to date themselves)."""

    name: str = "parcels"
    kinds: tuple[str, ...] = ("Parcel.", "Title.")

    def tables(self, suffix: str) -> list[Table]:
        return _parcel_tables(suffix).all

    def shadow_tables(self, dialect: str) -> list[str]:
        """What a rebuild fills, the spatial index included (dropped in the reverse order)."""
        footprints = f"{FOOTPRINTS}{SHADOW}"
        return [t.name for t in self.tables(SHADOW)] + [footprints] + ([f"{footprints}_rtree"] if dialect == "sqlite" else [])

    def create(self, engine: Engine, suffix: str) -> None:
        for table in self.tables(suffix):
            table.create(engine, checkfirst=True)
        if engine.dialect.name == "postgresql":  # also on tables made before the index was
            _parcel_tables(suffix).holder_names.create(engine, checkfirst=True)
        if suffix:
            footprint_index(engine.dialect.name, suffix).create(engine)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                # Tables made when holder kinds were shorter: widening a varchar rewrites nothing.
                connection.execute(text(f"ALTER TABLE landreg_holdings{suffix} ALTER COLUMN holder_kind TYPE "
                                        f"varchar({parcels.HOLDER_KIND_LENGTH})"))
                if suffix:
                    gis_view.create_index(connection, suffix)
                else:
                    gis_view.create(connection)

    def apply(self, session: Session, suffix: str, events: list[LogEvent], rebuilding: bool) -> None:
        pairs = parcels.apply(session, _parcel_tables(suffix), events)
        if not rebuilding:
            return
        index = footprint_index(session.get_bind().dialect.name, suffix)
        index.remove_many(session, [b["nib"] for b, _ in pairs if b is not None and b["status"] == "active"])
        index.add_many(session, [(a["nib"], a["village_code"], a["wgs84"]) for _, a in pairs if a["status"] == "active"])

    def swap_in(self, connection: Connection, suffix: str) -> None:
        for table in self.tables(""):
            swap(connection, table.name, f"{table.name}{suffix}")
        swap(connection, FOOTPRINTS, f"{FOOTPRINTS}{suffix}")
        if connection.dialect.name == "sqlite":
            swap(connection, f"{FOOTPRINTS}_rtree", f"{FOOTPRINTS}{suffix}_rtree")


@dataclass
class TablesModel:
    """A read model of plain tables: `tables_of(suffix)` makes them (with `.all`), `fold` applies a batch."""

    name: str
    tables_of: Callable[[str], Any]
    fold: Callable[[Session, Any, list[LogEvent]], None]
    kinds: tuple[str, ...]

    def tables(self, suffix: str) -> list[Table]:
        return list(self.tables_of(suffix).all)

    def shadow_tables(self, dialect: str) -> list[str]:
        return [t.name for t in self.tables(SHADOW)]

    def create(self, engine: Engine, suffix: str) -> None:
        for table in self.tables(suffix):
            table.create(engine, checkfirst=True)

    def apply(self, session: Session, suffix: str, events: list[LogEvent], rebuilding: bool) -> None:
        self.fold(session, self.tables_of(suffix), events)

    def swap_in(self, connection: Connection, suffix: str) -> None:
        for table in self.tables(""):
            swap(connection, table.name, f"{table.name}{suffix}")


READ_MODELS: dict[str, ReadModel] = {
    "parcels": ParcelsModel(),
    "certificates": TablesModel("certificates", _certificate_tables, certificates.apply, ("Title.",)),  # by number
    "procedures": TablesModel("procedures", _procedure_tables, procedures.apply,  # announcements, complaints
                              ("Announcement.", "Complaint.")),
}
