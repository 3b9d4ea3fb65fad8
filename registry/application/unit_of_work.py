"""One command's transaction: loading aggregates, allocating numbers, guarding space, saving."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from sqlalchemy.orm import Session

from registry.domain.announcement import Announcement, announcement_key
from registry.domain.complaint import Complaint, complaint_key
from registry.domain.errors import NotFound, VersionConflict
from registry.domain.identifiers import parcel_id, title_id
from registry.domain.parcel import Parcel, Shape
from registry.domain.provenance import Provenance
from registry.domain.title import Title
from registry.domain.values import Actor
from registry.persistence.store import last_position
from spatial.crs import Footprint
from spatial.geometry import to_wkb_hex

if TYPE_CHECKING:
    from registry.application.runner import CommandRunner

A = TypeVar("A", bound=Aggregate)


def shape_of(footprint: Footprint) -> Shape:
    """Event primitives of a footprint; the area is rounded to the centimetre square."""
    return Shape.of(
        geometry=to_wkb_hex(footprint.geometry), epsg=footprint.epsg, wgs84=to_wkb_hex(footprint.wgs84),
        tm3_epsg=footprint.tm3_epsg, area_m2=area(footprint.area_m2),
    )


def resource_version(session: Session, nib: str, certificate_number: str | None) -> int:
    """The version of a parcel resource: the log position of its newest event or its title's."""
    ids = [parcel_id(nib)] + ([title_id(certificate_number)] if certificate_number else [])
    return last_position(session, ids)


def area(square_metres: float) -> Decimal:
    return Decimal(repr(square_metres)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@dataclass
class UnitOfWork:
    """What a use case may do inside its transaction. The caller saves `pending` at the end."""

    registry: CommandRunner
    session: Session
    today: date
    command_id: str
    actor: Actor
    pending: list[Aggregate] = field(default_factory=list)
    expected_version: int | None = None

    recorded_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def provenance(self, source: dict[str, str], effective_at: str) -> Provenance:
        """Who, on what document, when: the same recorded instant for every event of the command."""
        return Provenance(self.actor, source, effective_at, self.command_id, self.recorded_at)

    def _get(self, aggregate_id: Any, what: str) -> Any:
        try:
            return self.registry.writer_cache.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {what}") from None

    def parcel(self, nib: str) -> Parcel:
        return self._get(parcel_id(nib), f"parcel with NIB {nib}")  # type: ignore[no-any-return]

    def title(self, certificate_number: str) -> Title:
        return self._get(title_id(certificate_number), f"title with certificate number {certificate_number}")  # type: ignore[no-any-return]

    def announcement(self, nib: str) -> Announcement | None:
        """The parcel's announcement, or None if it was never announced."""
        try:
            return self.registry.writer_cache.get(announcement_key(nib))  # type: ignore[return-value]
        except AggregateNotFoundError:
            return None

    def complaint(self, number: str) -> Complaint:
        return self._get(complaint_key(number), f"complaint {number}")  # type: ignore[no-any-return]

    def title_on(self, parcel: Parcel) -> Title:
        """The title registered on a parcel (the latest one, whatever its status)."""
        if parcel.certificate_number is None:
            raise NotFound(f"parcel {parcel.nib} has no registered title", nib=parcel.nib)
        return self.title(parcel.certificate_number)

    def title_at(self, parcel: Parcel, certificate_number: str | None) -> Title:
        """The parcel's primary title, or (named) a title registered beside it on this parcel."""
        if certificate_number is None or certificate_number == parcel.certificate_number:
            return self.title_on(parcel)
        if certificate_number not in {t["certificate_number"] for t in parcel.others()}:
            raise NotFound(f"parcel {parcel.nib} carries no title {certificate_number}", nib=parcel.nib)
        return self.title(certificate_number)

    def expect(self, aggregate: Parcel | Title) -> None:
        """Invariant 11: the command's expected version must be the current one. The version is
        the parcel resource's (its ETag): the log position of the newest event of the parcel or
        of its current title, read from the event store in this transaction, never a read model."""
        if self.expected_version is None:
            return
        if isinstance(aggregate, Title) and aggregate.secondary:  # its own version, shown in the parcel's list
            actual = last_position(self.session, [title_id(aggregate.certificate_number)])
        else:
            actual = resource_version(self.session, aggregate.nib, aggregate.certificate_number)
        if actual != self.expected_version:
            raise VersionConflict(
                f"parcel {aggregate.nib} is at version {actual}, not {self.expected_version}",
                expected=self.expected_version, actual=actual,
            )

    def new_nib(self, village_code: str) -> str:
        return self.registry.serials.nib(self.session, village_code)

    def new_certificate_number(self, village_code: str, right_type: str) -> str:
        return self.registry.serials.certificate_number(self.session, village_code, right_type)

    def save(self, *aggregates: Aggregate) -> None:
        """Queue aggregates to be saved together once the use case returns."""
        self.pending.extend(aggregates)
