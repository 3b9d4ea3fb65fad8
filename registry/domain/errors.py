"""The registry's one error tree; the API maps each class to a status and problem type."""
from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    """A command the registry refused. Nothing was written."""

    code = "registry_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole (the bulk path checks entries in worker processes): every attribute kept,
        whatever the subclass's constructor takes."""
        return _restored, (type(self), self.message, dict(self.__dict__))


def _restored(kind: type[RegistryError], message: str, attributes: dict[str, Any]) -> RegistryError:
    error = kind.__new__(kind)
    Exception.__init__(error, message)
    error.__dict__.update(attributes)
    return error


class InvalidInput(RegistryError):
    """A field is malformed; `field` names it and `reason` says why."""

    code = "invalid_input"

    def __init__(self, field: str, reason: str, **details: Any) -> None:
        super().__init__(f"{field}: {reason}", field=field, reason=reason, **details)
        self.field = field
        self.reason = reason


class InvalidGeometry(InvalidInput):
    """Invariant 1: not a valid Polygon/MultiPolygon inside its CRS's area of use."""

    code = "invalid_geometry"


class NotFound(RegistryError):
    """No parcel or title with that number."""

    code = "not_found"


class OverlapError(RegistryError):
    """Invariant 2: the geometry overlaps active parcels beyond the tolerance."""

    code = "overlap"

    def __init__(self, conflicting_nibs: list[str], overlap_m2: float) -> None:
        super().__init__(
            f"geometry overlaps active parcel(s) {', '.join(conflicting_nibs)} "
            f"by {overlap_m2:.2f} m²",
            conflicting_nibs=conflicting_nibs,
            overlap_m2=round(overlap_m2, 2),
        )
        self.conflicting_nibs = conflicting_nibs


class SubdivisionError(InvalidInput):
    """Invariant 3: the parts do not tile the parent."""

    code = "subdivision_invalid"


class MergerError(RegistryError):
    """Invariant 4: the parcels cannot be merged."""

    code = "merger_invalid"


class ShareError(InvalidInput):
    """Invariant 5: shares are not positive exact fractions summing to 1, or a holder repeats."""

    code = "invalid_shares"


class EligibilityError(RegistryError):
    """Invariant 6: a holder may not hold this right type."""

    code = "ineligible_holder"


class TermError(InvalidInput):
    """Invariant 7: the right's end date is missing, not allowed, or already past."""

    code = "invalid_term"


class TitleNotActive(RegistryError):
    """Invariant 7: nothing is registered on an expired, cancelled or closed title."""

    code = "title_not_active"


class TitleBlocked(RegistryError):
    """Invariant 8: an active block or seizure freezes this title."""

    code = "title_blocked"


class DealingNotAllowed(RegistryError):
    """Invariant 6: this right may not be transferred or mortgaged (wakaf, HPL, hak pakai while used)."""

    code = "dealing_not_allowed"


class DuplicateBlock(RegistryError):
    """Invariant 8: one applicant holds one active blokir on a title."""

    code = "block_exists"


class MortgageError(RegistryError):
    """Invariant 9: the mortgage rank or state does not allow this."""

    code = "mortgage_invalid"


class VersionConflict(RegistryError):
    """Invariant 11: the aggregate changed since the version the command expected."""

    code = "version_conflict"


class CommandIdReused(RegistryError):
    """Invariant 12: a command id was sent again with a different command."""

    code = "command_id_reused"


class FutureDate(InvalidInput):
    """Invariant 13: an effective date lies in the future."""

    code = "future_date"


class ParcelNotActive(RegistryError):
    """The parcel was retired by a subdivision or merger."""

    code = "parcel_not_active"


class TitleAlreadyRegistered(RegistryError):
    """The parcel already carries an active title."""

    code = "title_exists"


class SerialsExhausted(RegistryError):
    """A village has used all 99,999 parcel or right serials."""

    code = "serials_exhausted"


class StoreBusy(RegistryError):
    """The store stayed locked through every retry; the command may be sent again."""

    code = "store_busy"


class ProcedureError(RegistryError):
    """A step of a public procedure (announcement, objection, complaint) that is not open now."""

    code = "procedure"


class NotAnnounced(ProcedureError):
    """A first title needs the parcel's announcement first (or again, after an upheld objection)."""

    code = "not_announced"


class AnnouncementRunning(ProcedureError):
    """The parcel's announcement period has not ended."""

    code = "announcement_running"


class ObjectionOpen(ProcedureError):
    """An objection to the parcel's announcement is not resolved."""

    code = "objection_open"


class AnnouncementClosed(ProcedureError):
    """Objections are lodged only while the announcement runs."""

    code = "announcement_closed"


class ObjectionResolved(ProcedureError):
    """The objection was already dismissed or upheld."""

    code = "objection_resolved"


class ComplaintClosed(ProcedureError):
    """The complaint was already resolved or rejected."""

    code = "complaint_closed"


class LaterDealings(RegistryError):
    """Only a title's latest standing dealing may be annulled; `dealing_ids` name the later ones."""

    code = "later_dealings"


class DealingAnnulled(RegistryError):
    """The dealing was annulled already."""

    code = "dealing_annulled"


class InConflict(RegistryError):
    """The parcel overlaps another legacy parcel (a conflict recorded on import): no dealing is
    registered on it until an officer resolves the conflict."""

    code = "in_conflict"


class CommonSharesExceeded(RegistryError):
    """The common-land shares of a building's strata units would exceed 1."""

    code = "common_shares_exceeded"


class UnitExists(RegistryError):
    """The building already has an active strata title for this unit id."""

    code = "unit_exists"


class ReleasePeriodRunning(RegistryError):
    """A holder who lost eligibility still has time to release the right (UUPA art. 21(3))."""

    code = "release_period_running"


class ReleasePeriodEnded(RegistryError):
    """The year to release a right held by an ineligible holder is over: the right is extinguished."""

    code = "release_period_ended"
