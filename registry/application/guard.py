"""The overlap guard (invariant 2): locks, candidate search and the exact overlap test."""
from __future__ import annotations

from collections.abc import Iterable

from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from registry.domain.errors import OverlapError
from registry.persistence.settings import Settings
from spatial.crs import WGS84, Footprint, transform
from spatial.index_postgis import PostgisFootprints
from spatial.index_sqlite import SqliteFootprints
from spatial.topology import exceeds, overlap


def union_bounds(geometries: Iterable[BaseGeometry]) -> tuple[float, float, float, float]:
    """The box around all the given geometries."""
    boxes = [g.bounds for g in geometries]
    return (
        min(b[0] for b in boxes), min(b[1] for b in boxes),
        max(b[2] for b in boxes), max(b[3] for b in boxes),
    )


class SpatialGuard:
    """Keeps active footprints apart. Lock first, then check, then place, all in one transaction."""

    def __init__(self, index: PostgisFootprints | SqliteFootprints, settings: Settings) -> None:
        self.index = index
        self.tolerance_m2 = settings.overlap_tolerance_m2
        self.tolerance_fraction = settings.overlap_tolerance_fraction

    def lock(self, session: Session, geometries: Iterable[BaseGeometry]) -> None:
        """Serialise against every command touching the same area. Call once, before any check."""
        self.index.lock(session, union_bounds(geometries))

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
