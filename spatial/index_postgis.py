"""Footprint index on PostGIS (GeoAlchemy2, GiST): the overlap guard's table."""
from __future__ import annotations

import io

import shapely
from geoalchemy2 import Geometry
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    Column,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session


def ewkb_hex(wkb_hex: str, srid: int) -> str:
    """Little-endian WKB hex with the SRID written in (extended WKB), as PostGIS reads it from text.

    >>> ewkb_hex("0103000000" + "00000000", 4326)
    '0103000020E610000000000000'
    """
    if wkb_hex[:2] != "01":
        raise ValueError("expected little-endian WKB")
    kind = int.from_bytes(bytes.fromhex(wkb_hex[2:10]), "little") | 0x20000000
    return "01" + kind.to_bytes(4, "little").hex().upper() + srid.to_bytes(4, "little").hex().upper() + wkb_hex[10:]


class PostgisFootprints:
    """Active parcel footprints in EPSG:4326 with a GiST index."""

    def __init__(self, table_name: str = "landreg_footprints") -> None:
        self.table = Table(
            table_name, MetaData(),
            Column("nib", String(13), primary_key=True),
            Column("village_code", String(8), nullable=False, index=True),
            Column("geom", Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False),
        )

    def create(self, engine: Engine) -> None:
        self.table.create(engine, checkfirst=True)

    def candidates(self, session: Session | Connection, geom: BaseGeometry,
                   exclude: set[str]) -> list[tuple[str, BaseGeometry]]:
        """Active footprints that intersect `geom` (box prefilter with &&, so the GiST index is used)."""
        probe = func.ST_GeomFromWKB(bindparam("probe", shapely.to_wkb(geom)), 4326)
        query = select(self.table.c.nib, func.ST_AsBinary(self.table.c.geom)).where(
            self.table.c.geom.op("&&")(probe), func.ST_Intersects(self.table.c.geom, probe),
        )
        rows = session.execute(query).all()
        return [(nib, shapely.from_wkb(bytes(wkb))) for nib, wkb in rows if nib not in exclude]

    def candidates_many(self, session: Session, geoms: list[BaseGeometry]) -> dict[int, list[tuple[str, BaseGeometry]]]:
        """Bulk form of candidates: for each probe's index, the active footprints it intersects."""
        if not geoms:
            return {}
        rows = session.execute(text(
            f"SELECT probe.i, f.nib, ST_AsBinary(f.geom) FROM unnest(:wkbs) WITH ORDINALITY AS probe(wkb, i) "
            f"JOIN {self.table.name} f ON f.geom && ST_GeomFromWKB(probe.wkb, 4326) "
            f"AND ST_Intersects(f.geom, ST_GeomFromWKB(probe.wkb, 4326))"
        ), {"wkbs": [shapely.to_wkb(g) for g in geoms]}).all()
        found: dict[int, list[tuple[str, BaseGeometry]]] = {}
        for index, nib, wkb in rows:
            found.setdefault(int(index) - 1, []).append((nib, shapely.from_wkb(bytes(wkb))))
        return found

    def search(self, session: Session | Connection, geom: BaseGeometry, after: str, limit: int) -> list[str]:
        """NIBs of active footprints intersecting `geom`, in NIB order after `after` (keyset pages)."""
        probe = func.ST_GeomFromWKB(bindparam("probe", shapely.to_wkb(geom)), 4326)
        query = select(self.table.c.nib).where(
            self.table.c.geom.op("&&")(probe), func.ST_Intersects(self.table.c.geom, probe), self.table.c.nib > after,
        ).order_by(self.table.c.nib).limit(limit)
        return list(session.execute(query).scalars())

    def add(self, session: Session, nib: str, village_code: str, geom: BaseGeometry) -> None:
        session.execute(insert(self.table).values(
            nib=nib, village_code=village_code, geom=func.ST_GeomFromWKB(shapely.to_wkb(geom), 4326),
        ))

    def add_many(self, session: Session, rows: list[tuple[str, str, str]]) -> None:
        """Bulk form of add for rebuilds: (nib, village, WKB hex in EPSG:4326) rows by COPY."""
        if not rows:
            return
        text_rows = "".join(f"{nib}\t{village}\t{ewkb_hex(wkb, 4326)}\n" for nib, village, wkb in rows)
        cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.copy_expert(f"COPY {self.table.name} (nib, village_code, geom) FROM STDIN", io.StringIO(text_rows))

    def remove_many(self, session: Session, nibs: list[str]) -> None:
        if nibs:
            session.execute(delete(self.table).where(self.table.c.nib.in_(nibs)))

    def remove(self, session: Session, nib: str) -> None:
        session.execute(delete(self.table).where(self.table.c.nib == nib))

    def nibs(self, session: Session) -> list[str]:
        return list(session.execute(select(self.table.c.nib).order_by(self.table.c.nib)).scalars())

    def page(self, connection: Session | Connection, after: str, below: str, limit: int) -> list[str]:
        """NIBs of active footprints with after < nib < below, in order, at most `limit`."""
        query = select(self.table.c.nib).where(self.table.c.nib > after, self.table.c.nib < below) \
            .order_by(self.table.c.nib).limit(limit)
        return list(connection.execute(query).scalars())

    def interior_pairs(self, connection: Session | Connection, first: str, last: str, low: str, below: str,
                       ) -> list[tuple[str, str, BaseGeometry, BaseGeometry]]:
        """Pairs (a, b) whose interiors meet, a in [first, last]; each pair once over the range
        [low, below): b after a, or b outside the range."""
        rows = connection.execute(text(
            f"SELECT a.nib, b.nib, ST_AsBinary(a.geom), ST_AsBinary(b.geom) FROM {self.table.name} a "
            f"JOIN {self.table.name} b ON b.geom && a.geom AND b.nib <> a.nib "
            "AND (b.nib > a.nib OR b.nib < :low OR b.nib >= :below) AND ST_Relate(a.geom, b.geom, '2********') "
            "WHERE a.nib >= :first AND a.nib <= :last ORDER BY a.nib, b.nib"
        ), {"first": first, "last": last, "low": low, "below": below}).all()
        return [(a, b, shapely.from_wkb(bytes(wa)), shapely.from_wkb(bytes(wb))) for a, b, wa, wb in rows]
