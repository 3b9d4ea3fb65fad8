"""Footprint index on SQLite: an R*Tree of boxes beside a table of WKB, exact tests in shapely."""
from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session


class SqliteFootprints:
    """Active parcel footprints in EPSG:4326. The R*Tree row id is the NIB as an integer."""

    def __init__(self, table_name: str = "landreg_footprints") -> None:
        self.table_name = table_name
        self.rtree_name = f"{table_name}_rtree"

    def create(self, engine: Engine) -> None:
        with engine.begin() as connection:
            connection.execute(text(
                f"CREATE TABLE IF NOT EXISTS {self.table_name} ("
                "nib TEXT PRIMARY KEY, village_code TEXT NOT NULL, wkb BLOB NOT NULL)"
            ))
            connection.execute(text(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.rtree_name} USING rtree(id, minx, maxx, miny, maxy)"
            ))

    def candidates(self, session: Session | Connection, geom: BaseGeometry,
                   exclude: set[str]) -> list[tuple[str, BaseGeometry]]:
        """Active footprints whose boxes meet `geom`'s box and that truly intersect it."""
        minx, miny, maxx, maxy = geom.bounds
        rows = session.execute(text(
            f"SELECT f.nib, f.wkb FROM {self.rtree_name} r JOIN {self.table_name} f "
            "ON f.nib = printf('%013d', r.id) "
            "WHERE r.minx <= :maxx AND r.maxx >= :minx AND r.miny <= :maxy AND r.maxy >= :miny"
        ), {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}).all()
        shapely.prepare(geom)
        found = []
        for nib, wkb in rows:
            other = shapely.from_wkb(bytes(wkb))
            if nib not in exclude and geom.intersects(other):
                found.append((nib, other))
        return found

    def candidates_many(self, session: Session, geoms: list[BaseGeometry]) -> dict[int, list[tuple[str, BaseGeometry]]]:
        """Bulk form of candidates: for each probe's index, the active footprints it intersects."""
        found = {i: self.candidates(session, geom, exclude=set()) for i, geom in enumerate(geoms)}
        return {i: hits for i, hits in found.items() if hits}

    def search(self, session: Session | Connection, geom: BaseGeometry, after: str, limit: int) -> list[str]:
        """NIBs of active footprints intersecting `geom`, in NIB order after `after` (keyset pages)."""
        found = sorted(nib for nib, _ in self.candidates(session, geom, exclude=set()) if nib > after)
        return found[:limit]

    def add(self, session: Session, nib: str, village_code: str, geom: BaseGeometry) -> None:
        minx, miny, maxx, maxy = geom.bounds
        session.execute(
            text(f"INSERT INTO {self.table_name} (nib, village_code, wkb) VALUES (:nib, :village, :wkb)"),
            {"nib": nib, "village": village_code, "wkb": shapely.to_wkb(geom)},
        )
        session.execute(
            text(f"INSERT INTO {self.rtree_name} (id, minx, maxx, miny, maxy) "
                 "VALUES (:id, :minx, :maxx, :miny, :maxy)"),
            {"id": int(nib), "minx": minx, "maxx": maxx, "miny": miny, "maxy": maxy},
        )

    def add_many(self, session: Session, rows: list[tuple[str, str, str]]) -> None:
        """Bulk form of add for rebuilds: (nib, village, WKB hex in EPSG:4326) rows."""
        if not rows:
            return
        session.execute(
            text(f"INSERT INTO {self.table_name} (nib, village_code, wkb) VALUES (:nib, :village, :wkb)"),
            [{"nib": nib, "village": village, "wkb": bytes.fromhex(wkb)} for nib, village, wkb in rows],
        )
        boxes = [(nib, shapely.from_wkb(wkb).bounds) for nib, _, wkb in rows]
        session.execute(
            text(f"INSERT INTO {self.rtree_name} (id, minx, maxx, miny, maxy) "
                 "VALUES (:id, :minx, :maxx, :miny, :maxy)"),
            [{"id": int(nib), "minx": b[0], "maxx": b[2], "miny": b[1], "maxy": b[3]} for nib, b in boxes],
        )

    def remove_many(self, session: Session, nibs: list[str]) -> None:
        for nib in nibs:
            self.remove(session, nib)

    def remove(self, session: Session, nib: str) -> None:
        session.execute(text(f"DELETE FROM {self.table_name} WHERE nib = :nib"), {"nib": nib})
        session.execute(text(f"DELETE FROM {self.rtree_name} WHERE id = :id"), {"id": int(nib)})

    def nibs(self, session: Session) -> list[str]:
        return list(session.execute(text(f"SELECT nib FROM {self.table_name} ORDER BY nib")).scalars())

    def page(self, connection: Session | Connection, after: str, below: str, limit: int) -> list[str]:
        """NIBs of active footprints with after < nib < below, in order, at most `limit`."""
        return list(connection.execute(text(
            f"SELECT nib FROM {self.table_name} WHERE nib > :after AND nib < :below ORDER BY nib LIMIT :limit"
        ), {"after": after, "below": below, "limit": limit}).scalars())

    def interior_pairs(self, connection: Session | Connection, first: str, last: str, low: str, below: str,
                       ) -> list[tuple[str, str, BaseGeometry, BaseGeometry]]:
        """Pairs (a, b) whose interiors meet, a in [first, last]; each pair once over the range
        [low, below): b after a, or b outside the range."""
        rows = connection.execute(text(
            f"SELECT fa.nib, fb.nib, fa.wkb, fb.wkb FROM {self.table_name} fa "
            f"JOIN {self.rtree_name} ra ON ra.id = CAST(fa.nib AS INTEGER) "
            f"JOIN {self.rtree_name} rb ON rb.minx <= ra.maxx AND rb.maxx >= ra.minx AND rb.miny <= ra.maxy "
            "AND rb.maxy >= ra.miny AND rb.id <> ra.id "
            f"JOIN {self.table_name} fb ON fb.nib = printf('%013d', rb.id) "
            "WHERE fa.nib >= :first AND fa.nib <= :last AND (fb.nib > fa.nib OR fb.nib < :low OR fb.nib >= :below) "
            "ORDER BY fa.nib, fb.nib"
        ), {"first": first, "last": last, "low": low, "below": below}).all()
        pairs = [(a, b, shapely.from_wkb(bytes(wa)), shapely.from_wkb(bytes(wb))) for a, b, wa, wb in rows]
        return [p for p in pairs if shapely.relate_pattern(p[2], p[3], "2********")]
