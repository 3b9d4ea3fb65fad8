"""The overlap guard (invariant 2): candidate search and the exact overlap test, race-free because
every write transaction holds the events table's lock (DESIGN 3a, docs/architecture.md: Locks)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from registry.domain.errors import OverlapError
from registry.persistence.settings import Settings
from spatial.crs import WGS84, Footprint, transform
from spatial.index_postgis import PostgisFootprints
from spatial.index_sqlite import SqliteFootprints
from spatial.topology import exceeds, overlap


class SpatialGuard:
    """Keeps active footprints apart: check, then place, in the transaction that holds the writers' lock."""

    def __init__(self, index: PostgisFootprints | SqliteFootprints, settings: Settings) -> None:
        self.index = index
        self.tolerance_m2 = settings.overlap_tolerance_m2
        self.tolerance_fraction = settings.overlap_tolerance_fraction

    def check(self, session: Session, footprint: Footprint, exclude: set[str]) -> None:
        """Raise OverlapError when `footprint` overlaps active parcels beyond the tolerance."""
        conflicts: list[str] = []
        total = 0.0
        for nib, other in self.index.candidates(session, footprint.wgs84, exclude):
            found = overlap(footprint.metric, transform(other, WGS84, footprint.tm3_epsg))
            if exceeds(found, self.tolerance_m2, self.tolerance_fraction):
                conflicts.append(nib)
                total += found.area_m2
        if conflicts:
            raise OverlapError(sorted(conflicts), total)

    def place(self, session: Session, nib: str, village_code: str, footprint: Footprint) -> None:
        self.index.add(session, nib, village_code, footprint.wgs84)

    def remove(self, session: Session, nib: str) -> None:
        self.index.remove(session, nib)
