"""The read models behind one interface: their tables, how a batch of events changes them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from projections import certificates, parcels, procedures
from projections.log import LogEvent
from projections.tables import SHADOW, swap


class ReadModel(Protocol):
    name: str
    kinds: tuple[str, ...]  # the kinds of event its fold takes (by prefix: "Title.")

    def shadow_tables(self, dialect: str) -> list[str]: ...

    def tables(self, suffix: str) -> list[Table]: ...
    def create(self, engine: Engine, suffix: str) -> None: ...
    def apply(self, session: Session, suffix: str, events: list[LogEvent]) -> None: ...
    def swap_in(self, connection: Connection, suffix: str) -> None: ...


_parcel_tables = lru_cache(maxsize=None)(parcels.ParcelTables)
_certificate_tables = lru_cache(maxsize=None)(certificates.CertificateTables)
_procedure_tables = lru_cache(maxsize=None)(procedures.ProcedureTables)


@dataclass
class ParcelsModel:
    """parcels, holdings, village_stats. The footprints table beside them is the write side's (the
    overlap guard's, kept by each command in its transaction): reads join it, a rebuild never touches it."""

    name: str = "parcels"
    kinds: tuple[str, ...] = ("Parcel.", "Title.")

    def tables(self, suffix: str) -> list[Table]:
        return _parcel_tables(suffix).all

    def shadow_tables(self, dialect: str) -> list[str]:
        """What a rebuild fills (never the footprints: they are the write side's)."""
        return [t.name for t in self.tables(SHADOW)]

    def create(self, engine: Engine, suffix: str) -> None:
        for table in self.tables(suffix):
            table.create(engine, checkfirst=True)
        if engine.dialect.name == "postgresql":  # also on tables made before the index was
            _parcel_tables(suffix).holder_names.create(engine, checkfirst=True)

    def apply(self, session: Session, suffix: str, events: list[LogEvent]) -> None:
        parcels.apply(session, _parcel_tables(suffix), events)

    def swap_in(self, connection: Connection, suffix: str) -> None:
        for table in self.tables(""):
            swap(connection, table.name, f"{table.name}{suffix}")


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

    def apply(self, session: Session, suffix: str, events: list[LogEvent]) -> None:
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
