"""The Parcel aggregate (bidang tanah), keyed by NIB, and its events."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from registry.domain.chain import ChainedAggregate
from registry.domain.errors import InConflict, ParcelNotActive
from registry.domain.identifiers import parcel_id
from registry.domain.provenance import Provenance, RecordedEvent


class Shape(dict[str, Any]):
    """A surveyed shape as event primitives: WKB hex in its CRS, a WGS 84 copy, and the area."""

    @classmethod
    def of(cls, geometry: str, epsg: int, wgs84: str, tm3_epsg: int, area_m2: Decimal) -> Shape:
        return cls(geometry=geometry, epsg=epsg, wgs84=wgs84, tm3_epsg=tm3_epsg, area_m2=area_m2)


class Parcel(ChainedAggregate):
    """A parcel: its authoritative geometry, area, village, status, lineage and surveys."""

    class Event(RecordedEvent):
        pass

    class Created(Event, Aggregate.Created):
        """A parcel comes into being with a NIB and a surveyed shape."""

        nib: str
        village_code: str
        shape: dict[str, Any]

        def apply(self, parcel: Parcel) -> None:
            parcel.nib = self.nib
            parcel.village_code = self.village_code
            parcel.shape = dict(self.shape)
            parcel.status = "active"
            parcel.parents = []
            parcel.children = []
            parcel.surveys = [dict(self.source)]
            parcel.certificate_number = None
            parcel.conflicts = {}

    class Surveyed(Created):
        """Pengukuran: first survey of a parcel, NIB allocated."""

    class CreatedBySubdivision(Created):
        """Pemecahan: a child parcel cut from a parent that retires."""

        parent: str

        def apply(self, parcel: Parcel) -> None:
            super().apply(parcel)
            parcel.parents = [self.parent]

    class CreatedBySeparation(Created):
        """Pemisahan: a part separated from a parent that stays active, smaller."""

        parent: str

        def apply(self, parcel: Parcel) -> None:
            super().apply(parcel)
            parcel.parents = [self.parent]

    class CreatedByMerger(Created):
        """Penggabungan: one parcel made of several that retire."""

        parents: list[str]

        def apply(self, parcel: Parcel) -> None:
            super().apply(parcel)
            parcel.parents = list(self.parents)

    class BoundaryCorrected(Event):
        """Pengukuran ulang: a new survey corrects the boundary."""

        shape: dict[str, Any]

        def apply(self, parcel: Parcel) -> None:
            parcel.shape = dict(self.shape)
            parcel.surveys.append(dict(self.source))

    class PartSeparated(Event):
        """Pemisahan: a part became parcel `child`; this parcel keeps the remainder."""

        child: str
        shape: dict[str, Any]

        def apply(self, parcel: Parcel) -> None:
            parcel.shape = dict(self.shape)
            parcel.children.append(self.child)

    class TitleRegistered(Event):
        """A right was registered on this parcel under certificate `certificate_number`."""

        certificate_number: str

        def apply(self, parcel: Parcel) -> None:
            parcel.certificate_number = self.certificate_number

    class SecondaryTitleRegistered(Event):
        """A title beside the primary one: a right granted on the title `on_title` (rights on
        rights), or a strata unit's title (`unit` set) in a building on the parcel."""

        certificate_number: str
        on_title: str
        unit: dict[str, str] | None

        def apply(self, parcel: Parcel) -> None:
            parcel.secondary_titles = [*getattr(parcel, "secondary_titles", []), {
                "certificate_number": self.certificate_number, "on_title": self.on_title, "unit": self.unit}]

    class Retired(Event):
        """The parcel ended in a subdivision or merger; `children` carry on its land, after any
        parts separated from it earlier (its lineage keeps them all)."""

        reason: str
        children: list[str]

        def apply(self, parcel: Parcel) -> None:
            parcel.status = "retired"
            parcel.children = [*parcel.children, *(c for c in self.children if c not in parcel.children)]

    class ConflictRecorded(Event):
        """Tumpang tindih: a legacy parcel overlaps these parcels beyond the tolerance (NIB -> m²
        of overlap). Recorded on each parcel of the pair; dealings wait until it is resolved."""

        conflicts: dict[str, str]

        def apply(self, parcel: Parcel) -> None:
            parcel.conflicts = {**getattr(parcel, "conflicts", {}), **self.conflicts}

    class ConflictResolved(Event):
        """The overlap with `nibs` is gone: a boundary correction removed it, or a court's
        cancellation of one certificate retired its parcel (`how`)."""

        nibs: list[str]
        how: str

        def apply(self, parcel: Parcel) -> None:
            parcel.conflicts = {k: v for k, v in getattr(parcel, "conflicts", {}).items() if k not in self.nibs}

    if TYPE_CHECKING:  # State, assigned only by the events above. Declared for type checkers
        # only: the library would turn class annotations into __init__ parameters.
        nib: str
        village_code: str
        shape: dict[str, Any]
        status: str
        parents: list[str]
        children: list[str]
        surveys: list[dict[str, str]]
        certificate_number: str | None
        conflicts: dict[str, str]
        secondary_titles: list[dict[str, Any]]

    @classmethod
    def create(
        cls, event_class: type[Parcel.Created], nib: str, village_code: str, shape: Shape,
        provenance: Provenance, **lineage: Any,
    ) -> Parcel:
        """A new parcel, its id derived from the NIB so a duplicate NIB collides in the store."""
        return cls._create(
            event_class, id=parcel_id(nib), nib=nib, village_code=village_code,
            shape=dict(shape), **lineage, **provenance.fields(),
        )

    @property
    def area_m2(self) -> Decimal:
        return Decimal(self.shape["area_m2"])

    def require_active(self) -> None:
        if self.status != "active":
            raise ParcelNotActive(f"parcel {self.nib} is {self.status}", nib=self.nib)

    @property
    def open_conflicts(self) -> dict[str, str]:
        """The parcels this one overlaps by a recorded conflict (none in stores older than conflicts)."""
        return dict(getattr(self, "conflicts", {}))

    def require_no_conflict(self) -> None:
        """No transfer, mortgage, subdivision, separation or merger while a conflict is open."""
        if self.open_conflicts:
            nibs = sorted(self.open_conflicts)
            raise InConflict(f"parcel {self.nib} overlaps {', '.join(nibs)} (a recorded conflict): resolve it by "
                             "a boundary correction or a court's cancellation first", nib=self.nib,
                             conflicting_nibs=nibs)

    def record_conflicts(self, conflicts: dict[str, str], provenance: Provenance) -> None:
        self.trigger_event(self.ConflictRecorded, conflicts=conflicts, **provenance.fields())

    def resolve_conflicts(self, nibs: list[str], how: str, provenance: Provenance) -> None:
        self.trigger_event(self.ConflictResolved, nibs=sorted(nibs), how=how, **provenance.fields())

    def correct_boundary(self, shape: Shape, provenance: Provenance) -> None:
        self.require_active()
        self.trigger_event(self.BoundaryCorrected, shape=dict(shape), **provenance.fields())

    def separate_part(self, child: str, remainder: Shape, provenance: Provenance) -> None:
        self.require_active()
        self.trigger_event(self.PartSeparated, child=child, shape=dict(remainder), **provenance.fields())

    def record_title(self, certificate_number: str, provenance: Provenance) -> None:
        self.require_active()
        self.trigger_event(self.TitleRegistered, certificate_number=certificate_number, **provenance.fields())

    def record_secondary_title(self, certificate_number: str, on_title: str, unit: dict[str, str] | None,
                               provenance: Provenance) -> None:
        self.require_active()
        self.trigger_event(self.SecondaryTitleRegistered, certificate_number=certificate_number, on_title=on_title,
                           unit=unit, **provenance.fields())

    def others(self) -> list[dict[str, Any]]:
        """The titles registered beside the primary one (none on parcels from before they existed)."""
        return list(getattr(self, "secondary_titles", []))

    def retire(self, reason: str, children: list[str], provenance: Provenance) -> None:
        self.require_active()
        self.trigger_event(self.Retired, reason=reason, children=children, **provenance.fields())
