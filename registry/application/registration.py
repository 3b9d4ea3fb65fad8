"""The rules of a survey and of a first registration, as inputs: parsed and checked once, outside any
transaction, by the single commands (submit_survey, register_title) and the bulk path alike.

Pure functions of the settings and the day, so the bulk path may run them in worker processes.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from registry.domain import identifiers, rights, values
from registry.domain.errors import InvalidGeometry, InvalidInput
from registry.domain.parcel import Parcel
from registry.domain.provenance import Provenance
from registry.domain.rights import Term
from registry.domain.title import Title
from registry.domain.values import Holders
from registry.persistence.settings import Settings
from spatial.crs import Footprint, footprint
from spatial.geometry import GeometryError


def parcel_footprint(settings: Settings, geometry: object, crs: object, field: str = "geometry",
                     crs_field: str = "crs", parcel: bool = True) -> Footprint:
    """Invariant 1: a valid geometry in a supported CRS; a `parcel` must also reach the smallest
    parcel area (a search probe need not)."""
    least = settings.min_parcel_area_m2 if parcel else 0.0
    try:
        return footprint(geometry, crs, field=field, crs_field=crs_field, max_vertices=settings.max_vertices,
                         min_area_m2=least)
    except GeometryError as error:
        raise InvalidGeometry(error.field, error.reason, geometry_error=error.code) from None


@dataclass(frozen=True)
class SurveyInput:
    """A survey as checked: the village, the survey document, the footprint."""

    village: str
    source: dict[str, str]
    shape: Footprint


def survey_input(settings: Settings, today: date, village_code: object, geometry: object, survey: object,
                 crs: object) -> SurveyInput:
    return SurveyInput(identifiers.village_code(village_code), values.survey_document(survey, today),
                       parcel_footprint(settings, geometry, crs))


@dataclass(frozen=True)
class RightInput:
    """A right to register as checked: its holders, the deed and its term (of a right type)."""

    holders: Holders
    source: dict[str, str]
    term: Term

    @property
    def right_type(self) -> str:
        return self.term.right_type


def right_input(settings: Settings, today: date, right_type: object, holders: object, ends_on: object,
                source: object, granted_on: object = None, legacy: bool = False) -> RightInput:
    """Invariants 5, 6 and 7 of a first registration, checked before any read (the title checks
    them again when it is made: Title.register). A `legacy` title (the stock path) keeps its recorded term,
    which may have been granted under older law: no first-grant maximum."""
    kind = rights.right_type(right_type)
    owners = Holders.parse(holders)
    rights.check_eligibility(kind, owners, settings.designated_entities)
    document = values.source_document(source, today)
    granted = document["date"] if granted_on is None else values.iso_date(granted_on, "granted_on", today)
    return RightInput(owners, document, Term.grant(kind, ends_on, today, owners, granted, settings.right_terms,
                                                   recorded=legacy))


def check_parcel_for_right(settings: Settings, right: RightInput | str, nib: str | None, area_m2: Decimal) -> None:
    """A right (or right type) the parcel's size allows: HGU only on a large enough parcel (UUPA
    art. 28). `nib` None: a parcel surveyed in the same command (the stock path)."""
    least = Decimal(str(settings.hgu_min_area_m2))
    kind = right if isinstance(right, str) else right.right_type
    if kind == "HGU" and area_m2 < least:
        which = "the parcel" if nib is None else f"parcel {nib}"
        raise InvalidInput("right_type", f"HGU is granted on at least {least} m² (UUPA art. 28); {which} "
                                         f"has {area_m2} m²")


def first_title(number: str, parcel: Parcel, right: RightInput, provenance: Provenance,
                designated: Mapping[str, list[str]]) -> Title:
    """Edition 1 of a right on the parcel, recorded on the parcel too."""
    title = Title.register(number, parcel.nib, right.holders, right.term, parcel.area_m2, provenance, designated)
    parcel.record_title(number, provenance)
    return title
