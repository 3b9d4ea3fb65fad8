"""What land officers ask of the read side: parcels by NIB, holder, village, box or shape, their
neighbours, certificates by number. Lists are keyset-paginated by NIB (never OFFSET)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from projections.certificates import CertificateTables
from projections.models import _footprints
from projections.parcels import ParcelTables
from spatial.geometry import from_wkb_hex

Row = dict[str, Any]
MAX_PAGE = 1_000


@dataclass(frozen=True)
class Page:
    """One page of parcels; pass `next_cursor` back as `after` for the next page (None: the last)."""

    items: list[Row]
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Queries:
    """Read-side queries over the live read-model tables.

    Give it an engine of its own (see `read_engine`): single statements in autocommit, no
    per-checkout ping, so a lookup costs one round trip; it may point at a streaming replica.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.parcels = ParcelTables().parcels
        self.holdings = ParcelTables().holdings
        self.village_stats_table = ParcelTables().village_stats
        self.certificates = CertificateTables().certificates
        self.index = _footprints(engine.dialect.name, "")

    def parcel(self, nib: str) -> Row | None:
        with self.engine.connect() as session:
            row = session.execute(select(self.parcels).where(self.parcels.c.nib == nib)).mappings().first()
        return None if row is None else dict(row)

    def certificate(self, number: str) -> Row | None:
        table = self.certificates
        with self.engine.connect() as session:
            row = session.execute(select(table).where(table.c.certificate_number == number)).mappings().first()
        return None if row is None else dict(row)

    def by_holder(self, holder_id: str, after: str = "", limit: int = 100) -> Page:
        holdings = self.holdings
        query = select(holdings.c.nib).where(holdings.c.holder_id == holder_id, holdings.c.nib > after)
        with self.engine.connect() as session:
            nibs = list(session.execute(query.order_by(holdings.c.nib).limit(_limit(limit) + 1)).scalars())
            return self._page(session, nibs, limit)

    def in_village(self, village_code: str, after: str = "", limit: int = 100) -> Page:
        table = self.parcels
        query = select(table.c.nib).where(table.c.village_code == village_code, table.c.nib > after)
        with self.engine.connect() as session:
            nibs = list(session.execute(query.order_by(table.c.nib).limit(_limit(limit) + 1)).scalars())
            return self._page(session, nibs, limit)

    def in_bbox(self, minx: float, miny: float, maxx: float, maxy: float, after: str = "", limit: int = 100) -> Page:
        """Active parcels whose footprint meets the box (degrees, EPSG:4326)."""
        return self.intersecting(box(minx, miny, maxx, maxy), after, limit)

    def intersecting(self, geometry: BaseGeometry, after: str = "", limit: int = 100) -> Page:
        """Active parcels whose footprint intersects `geometry` (EPSG:4326)."""
        with self.engine.connect() as session:
            nibs = self.index.search(session, geometry, after, _limit(limit) + 1)
            return self._page(session, nibs, limit)

    def neighbours(self, nib: str, limit: int = 100) -> Page:
        """Active parcels that touch or overlap the parcel (retired parcels: those around its old land)."""
        row = self.parcel(nib)
        if row is None:
            return Page([])
        page = self.intersecting(from_wkb_hex(row["wgs84"]).buffer(1e-7), limit=limit + 1)
        return Page([r for r in page.items if r["nib"] != nib][:limit])

    def village_stats(self, village_code: str) -> list[Row]:
        table = self.village_stats_table
        with self.engine.connect() as session:
            rows = session.execute(select(table).where(table.c.village_code == village_code)
                                   .order_by(table.c.right_type)).mappings().all()
        return [dict(r) for r in rows]

    def _page(self, session: Connection, nibs: list[str], limit: int) -> Page:
        limit = _limit(limit)
        more = len(nibs) > limit
        nibs = nibs[:limit]
        rows = session.execute(select(self.parcels).where(self.parcels.c.nib.in_(nibs))).mappings().all()
        by_nib = {r["nib"]: dict(r) for r in rows}
        return Page([by_nib[n] for n in nibs if n in by_nib], nibs[-1] if more and nibs else None)


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def read_engine(url: str, pool_size: int = 20) -> Engine:
    """An engine for reads only: autocommit (no BEGIN/ROLLBACK round trips), nothing done on checkout."""
    from sqlalchemy import create_engine

    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": 30})
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=pool_size, max_overflow=pool_size,
                         pool_reset_on_return=None, pool_recycle=3600)
