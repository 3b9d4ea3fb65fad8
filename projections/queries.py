"""What land officers ask of the read side: parcels by NIB, holder, village, box or shape, their
neighbours, certificates by number. Lists are keyset-paginated by NIB (never OFFSET).

Each question is one SQL statement sent through the driver directly: on the hot paths the
query builder's own work cost more than the database's (benchmarks/README.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from projections.procedures import ProcedureQueries
from registry.persistence.store import footprint_index

Row = dict[str, Any]
MAX_PAGE = 1_000
JSON_COLUMNS = ("parents", "children", "title", "conflicts")
PARCEL = "SELECT * FROM landreg_parcels WHERE nib = :nib"
CERTIFICATE = "SELECT * FROM landreg_certificates WHERE certificate_number = :number"
ON_PARCEL = "SELECT * FROM landreg_certificates WHERE nib = :nib ORDER BY certificate_number"
BY_HOLDER = ("SELECT p.* FROM landreg_holdings h JOIN landreg_parcels p ON p.nib = h.nib "
             "WHERE h.holder_id = :holder AND h.nib > :after ORDER BY h.nib LIMIT :limit")
BY_HOLDER_NAME = ("SELECT * FROM landreg_parcels WHERE nib IN (SELECT nib FROM landreg_holdings "
                  "WHERE lower(holder_name) LIKE :pattern ESCAPE '!') AND nib > :after ORDER BY nib LIMIT :limit")
IN_VILLAGE = "SELECT * FROM landreg_parcels WHERE village_code = :village AND nib > :after ORDER BY nib LIMIT :limit"
IN_VILLAGE_WITH = ("SELECT * FROM landreg_parcels WHERE village_code = :village AND status = :status AND nib > :after "
                   "ORDER BY nib LIMIT :limit")
ACTIVE = "SELECT * FROM landreg_parcels WHERE status = 'active' AND nib > :after ORDER BY nib LIMIT :limit"
ACTIVE_COUNT = "SELECT coalesce(sum(parcels), 0) AS parcels FROM landreg_village_stats"
STATUSES = ("active", "retired", "all")
BY_NIBS = "SELECT * FROM landreg_parcels WHERE nib IN ({marks}) ORDER BY nib"
STATS = "SELECT * FROM landreg_village_stats WHERE village_code = :village ORDER BY right_type"
# PostgreSQL answers a spatial page in one statement; SQLite asks its R*Tree, then fetches rows.
INTERSECTING = ("SELECT p.* FROM landreg_footprints f JOIN landreg_parcels p ON p.nib = f.nib "
                "WHERE f.geom && ST_GeomFromWKB(:probe, 4326) AND ST_Intersects(f.geom, ST_GeomFromWKB(:probe, 4326)) "
                "AND f.nib > :after ORDER BY f.nib LIMIT :limit")


@dataclass(frozen=True)
class Page:
    """One page of parcels; pass `next_cursor` back as `after` for the next page (None: the last)."""

    items: list[Row]
    next_cursor: str | None = None


class Queries:
    """Read-side queries over the live read-model tables.

    Give it an engine of its own (see `read_engine`): single statements in autocommit, no
    per-checkout ping, so a lookup costs one round trip; it may point at a streaming replica.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.index = footprint_index(engine.dialect.name)
        self.procedures = ProcedureQueries(engine)

    def parcel(self, nib: str) -> Row | None:
        rows = self._rows(PARCEL, {"nib": nib})
        return rows[0] if rows else None

    def certificate(self, number: str) -> Row | None:
        rows = self._rows(CERTIFICATE, {"number": number})
        return rows[0] if rows else None

    def certificates_on(self, nib: str) -> list[Row]:
        """Every certificate ever issued on a parcel (projections/secondary.py picks those beside the primary)."""
        return self._rows(ON_PARCEL, {"nib": nib})

    def by_holder(self, holder_id: str, after: str = "", limit: int = 100) -> Page:
        return self._page(BY_HOLDER, {"holder": holder_id, "after": after}, limit)

    def by_holder_name(self, name: str, after: str = "", limit: int = 100) -> Page:
        """Parcels held by anyone whose name contains `name` (any case). PostgreSQL answers from
        the trigram index on lower(holder_name); SQLite scans the holdings."""
        escaped = name.lower().replace("!", "!!").replace("%", "!%").replace("_", "!_")
        return self._page(BY_HOLDER_NAME, {"pattern": f"%{escaped}%", "after": after}, limit)

    def in_village(self, village_code: str, after: str = "", limit: int = 100, status: str = "all") -> Page:
        """Parcels of a village of one status (active, retired) or of any (all)."""
        if status == "all":
            return self._page(IN_VILLAGE, {"village": village_code, "after": after}, limit)
        return self._page(IN_VILLAGE_WITH, {"village": village_code, "status": status, "after": after}, limit)

    def active(self, after: str = "", limit: int = 100) -> Page:
        """Every active parcel, in NIB order."""
        return self._page(ACTIVE, {"after": after}, limit)

    def active_count(self) -> int:
        """How many parcels are active, from the village statistics (no scan of the parcels)."""
        return int(self._rows(ACTIVE_COUNT, {})[0]["parcels"])

    def in_bbox(self, minx: float, miny: float, maxx: float, maxy: float, after: str = "", limit: int = 100) -> Page:
        """Active parcels whose footprint meets the box (degrees, EPSG:4326)."""
        return self.intersecting(box(minx, miny, maxx, maxy), after, limit)

    def intersecting(self, geometry: BaseGeometry, after: str = "", limit: int = 100) -> Page:
        """Active parcels whose footprint intersects `geometry` (EPSG:4326)."""
        if self.postgres:
            return self._page(INTERSECTING, {"probe": shapely.to_wkb(geometry), "after": after}, limit)
        with self.engine.connect() as connection:
            nibs = self.index.search(connection, geometry, after, _limit(limit) + 1)
        rows = self._rows(BY_NIBS.format(marks=", ".join(f":n{i}" for i in range(len(nibs)))),
                          {f"n{i}": nib for i, nib in enumerate(nibs)}) if nibs else []
        return _paged(rows, limit)

    def neighbours(self, nib: str, limit: int = 100) -> Page:
        """Active parcels that touch or overlap the parcel (retired parcels: those around its old land)."""
        row = self.parcel(nib)
        if row is None:
            return Page([])
        page = self.intersecting(shapely.from_wkb(row["wgs84"]).buffer(1e-7), limit=limit + 1)
        return Page([r for r in page.items if r["nib"] != nib][:limit])

    def village_stats(self, village_code: str) -> list[Row]:
        return self._rows(STATS, {"village": village_code})

    def _page(self, sql: str, parameters: dict[str, Any], limit: int) -> Page:
        return _paged(self._rows(sql, {**parameters, "limit": _limit(limit) + 1}), limit)

    def _rows(self, sql: str, parameters: dict[str, Any]) -> list[Row]:
        """Run one statement through the pooled driver connection; rows as dicts, JSON decoded."""
        if self.postgres:
            sql = _pyformat(sql)
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, parameters)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, values)) for values in cursor.fetchall()]
            cursor.close()
        finally:
            connection.close()
        return [_decoded(row) for row in rows]


def _paged(rows: list[Row], limit: int) -> Page:
    limit = _limit(limit)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1]["nib"] if more and rows else None)


def _decoded(row: Row) -> Row:
    """SQLite hands JSON columns back as text and numbers as floats: make them what PostgreSQL gives."""
    for name in JSON_COLUMNS:
        if isinstance(row.get(name), (str, bytes)):
            row[name] = orjson.loads(row[name])
    for name in ("area_m2",):
        if isinstance(row.get(name), float):
            row[name] = Decimal(repr(row[name])).quantize(Decimal("0.01"))
    return row


_PARAMETER = re.compile(r":(\w+)")


def _pyformat(sql: str) -> str:
    """':name' placeholders (sqlite3's named style) as psycopg2's '%(name)s'."""
    return _PARAMETER.sub(r"%(\1)s", sql)


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def read_engine(url: str, pool_size: int, sqlite_busy_timeout_s: float) -> Engine:
    """An engine for reads only: autocommit (no BEGIN/ROLLBACK round trips), nothing done on checkout."""
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": sqlite_busy_timeout_s})
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=pool_size, max_overflow=pool_size,
                         pool_reset_on_return=None, pool_recycle=3600)
