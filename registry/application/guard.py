"""The overlap guard (invariant 2): candidate search and the exact overlap test, for one command's
footprints and for a bulk chunk's alike (the bulk path screens many at once). Race-free because
every write transaction holds the events table's lock (docs/architecture.md: Locks)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from registry.domain.errors import OverlapError
from registry.persistence.settings import Settings
from spatial.crs import WGS84, Footprint, transform
from spatial.index_postgis import PostgisFootprints
from spatial.index_sqlite import SqliteFootprints
from spatial.topology import exceeds, overlap

Name = str | int  # a stored parcel's NIB, or the index of an earlier footprint of the same batch
# DE-9IM: the interiors meet. Neighbours that only share a boundary overlap by nothing, so they
# skip the reprojection and the exact intersection (most candidates of a tiled cadastre are these).
INTERIORS_MEET = "T********"


@dataclass(frozen=True)
class Conflict:
    """Why a footprint was refused: what it overlaps beyond the tolerance, and by how much in all."""

    names: list[Name]
    area_m2: float
    areas: list[float] = field(default_factory=list)  # the overlap with each of `names`, m²

    def error(self, nib_of: dict[int, str] | None = None) -> OverlapError:
        """The refusal, with batch indexes turned into the NIBs they were given."""
        nibs = [(nib_of or {})[n] if isinstance(n, int) else n for n in self.names]
        return OverlapError(sorted(nibs), self.area_m2)


class SpatialGuard:
    """Keeps active footprints apart: check, then place, in the transaction that holds the writers' lock."""

    def __init__(self, index: PostgisFootprints | SqliteFootprints, settings: Settings) -> None:
        self.index = index
        self.tolerance_m2 = settings.overlap_tolerance_m2
        self.tolerance_fraction = settings.overlap_tolerance_fraction

    def check(self, session: Session, footprint: Footprint, exclude: set[str]) -> None:
        """Raise OverlapError when `footprint` overlaps active parcels beyond the tolerance."""
        found = self.conflict(footprint, self.index.candidates(session, footprint.wgs84, exclude))
        if found is not None:
            raise found.error()

    def conflict(self, footprint: Footprint, nearby: Sequence[tuple[Name, BaseGeometry]]) -> Conflict | None:
        """The rule itself: the candidates (EPSG:4326) `footprint` overlaps beyond the tolerance,
        measured in metres in its TM-3 zone; None when there are none."""
        if not nearby:
            return None
        meet = shapely.relate_pattern(footprint.wgs84, [other for _, other in nearby], INTERIORS_MEET)
        names: list[Name] = []
        areas: list[float] = []
        for (name, other), inside in zip(nearby, meet):
            if not inside:
                continue
            found = overlap(footprint.metric, transform(other, WGS84, footprint.tm3_epsg))
            if exceeds(found, self.tolerance_m2, self.tolerance_fraction):
                names.append(name)
                areas.append(found.area_m2)
        return Conflict(names, sum(areas), areas) if names else None

    def screen(self, session: Session, footprints: Sequence[Footprint],
               keep_all: bool = False) -> list[Conflict | None]:
        """`check` for a batch of new footprints, as if each had been submitted in turn: against
        the store in one query, and against the batch's earlier footprints that passed."""
        stored = self.index.candidates_many(session, [f.wgs84 for f in footprints])
        tree = shapely.STRtree([f.wgs84 for f in footprints])
        passed: set[int] = set()
        outcomes: list[Conflict | None] = []
        for index, footprint in enumerate(footprints):
            nearby: list[tuple[Name, BaseGeometry]] = list(stored.get(index, []))
            nearby += [(int(j), footprints[j].wgs84) for j in sorted(tree.query(footprint.wgs84)) if j in passed]
            found = self.conflict(footprint, nearby)
            if found is None or keep_all:  # keep_all: a conflicting one is kept too (the legacy stock)
                passed.add(index)
            outcomes.append(found)
        return outcomes

    def place(self, session: Session, nib: str, village_code: str, footprint: Footprint) -> None:
        self.index.add(session, nib, village_code, footprint.wgs84)

    def remove(self, session: Session, nib: str) -> None:
        self.index.remove(session, nib)
