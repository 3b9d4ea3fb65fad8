"""The overlap report: pairs of active parcels that overlap beyond the tolerance (legacy conflicts:
no other path lets an overlap in), with the area measured as the overlap guard does (in the TM-3
zone of the pair's first parcel) and the shared geometry; duplicate certificates flagged.

Read by pages of parcels in NIB order (a NIB begins with its village code, so a village or a
province is a range of NIBs), each page one box join on the footprint index.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from projections import parcels
from projections.history import events_of
from registry.persistence.store import footprint_index
from spatial.crs import WGS84, tm3_zone, transform
from spatial.topology import exceeds, overlap

SAME_PARCEL = 0.95  # an overlap covering this much of both parcels: the same land registered twice


@dataclass(frozen=True)
class Pair:
    nib_a: str
    nib_b: str
    overlap_m2: float
    fraction: float  # of the smaller parcel
    geometry: BaseGeometry  # the shared part, EPSG:4326
    same_parcel: bool
    same_number: bool = False  # both titles rest on a document of the same kind and number

    @property
    def duplicate(self) -> str | None:
        return "same_number" if self.same_number else "same_parcel" if self.same_parcel else None

    def as_dict(self) -> dict[str, Any]:
        return {"nib_a": self.nib_a, "nib_b": self.nib_b, "village_a": self.nib_a[:8], "village_b": self.nib_b[:8],
                "overlap_m2": round(self.overlap_m2, 2), "fraction": round(self.fraction, 6),
                "duplicate": self.duplicate}


def area_range(village: str | None = None, province: str | None = None) -> tuple[str, str]:
    """The NIBs of a village (8 digits) or a province (2 digits), as [low, below); all without either."""
    prefix = village or province or ""
    if not prefix:
        return "", "a"  # every NIB is digits, which sort before letters
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def measured(nib_a: str, nib_b: str, a: BaseGeometry, b: BaseGeometry, tolerance_m2: float,
             tolerance_fraction: float) -> Pair | None:
    """The pair, if its overlap is beyond the tolerance."""
    zone = tm3_zone(a.centroid.x)
    metric_a, metric_b = transform(a, WGS84, zone), transform(b, WGS84, zone)
    found = overlap(metric_a, metric_b)
    if not exceeds(found, tolerance_m2, tolerance_fraction):
        return None
    larger = max(metric_a.area, metric_b.area)
    return Pair(nib_a, nib_b, found.area_m2, found.fraction, _surface(shapely.intersection(a, b)),
                larger > 0 and found.area_m2 / larger >= SAME_PARCEL)


def _surface(shared: BaseGeometry) -> BaseGeometry:
    """The polygons of an intersection (two parcels that also touch along an edge share a line too)."""
    polygons = [g for g in shapely.get_parts(shared) if g.geom_type in ("Polygon", "MultiPolygon")]
    return polygons[0] if len(polygons) == 1 else shapely.union_all(polygons)


def pairs(connection: Connection, low: str, below: str, tolerance_m2: float, tolerance_fraction: float,
          after: str = "", page: int = 5_000) -> Iterator[tuple[list[Pair], str | None]]:
    """Pages of (pairs, the last NIB scanned or None at the end), over the NIB range [low, below)."""
    index = footprint_index(connection.dialect.name)
    start = max(after, low)
    while True:
        nibs = index.page(connection, start, below, page)
        if not nibs:
            return
        found = [p for a, b, ga, gb in index.interior_pairs(connection, nibs[0], nibs[-1], low, below)
                 if (p := measured(a, b, ga, gb, tolerance_m2, tolerance_fraction)) is not None]
        yield with_numbers(connection, found), nibs[-1] if len(nibs) == page else None
        if len(nibs) < page:
            return
        start = nibs[-1]


def with_numbers(connection: Connection, found: list[Pair]) -> list[Pair]:
    """Flag the pairs whose titles were registered on a document of the same kind and number."""
    numbers = _numbers(connection, sorted({p.nib_a for p in found} | {p.nib_b for p in found}))
    ids = sorted(parcels.title_id(n) for n in numbers.values())
    sources: dict[str, tuple[str, str]] = {}
    for start in range(0, len(ids), 5_000):
        for event in events_of(connection, set(ids[start:start + 5_000])):
            if event.kind == "Title.RightRegistered":
                sources[event.data["nib"]] = (event.data["source"].get("kind"), event.data["source"].get("number"))
    return [replace(p, same_number=p.nib_a in sources and sources.get(p.nib_a) == sources.get(p.nib_b))
            for p in found]


def _numbers(connection: Connection, nibs: list[str]) -> dict[str, str]:
    """The certificate number of each titled parcel among `nibs`."""
    query = text("SELECT nib, certificate_number FROM landreg_parcels WHERE nib IN :nibs "
                 "AND certificate_number IS NOT NULL").bindparams(bindparam("nibs", expanding=True))
    found: dict[str, str] = {}
    for start in range(0, len(nibs), 5_000):
        found.update({nib: number for nib, number in connection.execute(query, {"nibs": nibs[start:start + 5_000]})})
    return found
