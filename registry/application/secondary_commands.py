"""Use cases of titles beside a parcel's primary one (rights on rights, strata units) and of a
holder's loss of eligibility (UUPA art. 21(3)-(4)): its record and the right's extinction."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from registry.application.registration import check_parcel_for_right
from registry.application.runner import Result, use_case
from registry.application.title_commands import TitleCommands, edition_of
from registry.application.unit_of_work import UnitOfWork
from registry.domain import identifiers, rights, secondary, values
from registry.domain.errors import InvalidInput, TitleAlreadyRegistered, UnitExists
from registry.domain.parcel import Parcel
from registry.domain.provenance import Provenance
from registry.domain.title import Title
from registry.domain.values import Holders


def _status(title: Title, today: date) -> str:
    return "expired" if title.status == "active" and title.term_ended(today) else title.status


def _active_others(unit: UnitOfWork, parcel: Parcel, units: bool) -> list[Title]:
    """The parcel's active strata titles (`units`) or active rights on rights."""
    found = (unit.title(t["certificate_number"]) for t in parcel.others() if (t["unit"] is not None) == units)
    return [t for t in found if _status(t, unit.today) == "active"]


def _check_units(unit: UnitOfWork, parcel: Parcel, land_number: str | None, owners: Iterable[dict[str, str]],
                 flat: dict[str, str]) -> str:
    """A unit stands on the parcel's land title (or the one named); returns that title's number."""
    if land_number is None and parcel.certificate_number is None:
        raise InvalidInput("on_title", f"parcel {parcel.nib} has no land title for a building of units to stand on")
    land = unit.title_at(parcel, land_number)
    secondary.check_land_of_units(land.right_type, _status(land, unit.today), land.certificate_number, owners)
    units = _active_others(unit, parcel, units=True)
    if any(t.unit and t.unit["id"] == flat["id"] for t in units):
        raise UnitExists(f"unit {flat['id']} of the building on parcel {parcel.nib} already has a title",
                         field="unit.id")
    secondary.check_common_shares((t.unit["common_share"] for t in units if t.unit), flat["common_share"])
    return land.certificate_number


def _check_parent(unit: UnitOfWork, parcel: Parcel, parent_number: str, kind: str) -> str:
    """A right on a right: the parent stays in force and carries no other active child."""
    parent = unit.title_at(parcel, parent_number)
    secondary.check_parent(parent.right_type, _status(parent, unit.today), parent.secondary, kind, parent_number)
    taken = [t for t in _active_others(unit, parcel, units=False) if t.on_title == parent_number]
    if taken:
        raise TitleAlreadyRegistered(f"title {parent_number} already carries {taken[0].right_type} "
                                     f"{taken[0].certificate_number}", certificate_number=taken[0].certificate_number)
    return parent_number


class SecondaryCommands(TitleCommands):
    """Titles beside the primary one, and the loss of a holder's eligibility."""

    @use_case
    def register_secondary_title(
        self, nib: str, right_type: object, holders: object, ends_on: object, source: object,
        granted_on: object = None, on_title: object = None, unit: object = None, *, actor: values.Actor,
        command_id: str | None = None, expected_version: int | None = None,
    ) -> Result:
        """A right granted on the parcel's HPL or HM (`on_title`, on the holder's agreement), or a
        strata unit's HMSRS title (`unit`); no announcement: the land was announced for its title."""
        identifiers.nib(nib)
        today = self.clock()
        kind = rights.right_type(right_type)
        parent = None if on_title is None else identifiers.certificate_number(on_title, "on_title")
        flat = None if unit is None else secondary.unit(unit)
        if (kind == "HMSRS") != (flat is not None):
            raise InvalidInput("unit", "an HMSRS title names its unit, and only an HMSRS title does")
        if flat is None and parent is None:
            raise InvalidInput("on_title", "name the title this right is granted on")
        owners = Holders.parse(holders)
        rights.check_eligibility(kind, owners, self.settings.designated_entities)  # again by the title: before any read
        document = values.source_document(source, today)
        rights.require_document("strata unit's title" if flat else "right granted on a right",
                                "deed" if flat else secondary.PARENT_AGREEMENT, document)
        granted = document["date"] if granted_on is None else values.iso_date(granted_on, "granted_on", today)
        term = rights.Term.grant(kind, ends_on, today, owners, granted, self.settings.right_terms)

        def work(work_unit: UnitOfWork) -> Result:
            parcel = work_unit.parcel(nib)
            work_unit.expect(parcel)
            parcel.require_active()
            check_parcel_for_right(self.settings, kind, parcel.nib, parcel.area_m2)
            if flat is not None:
                base = _check_units(work_unit, parcel, parent, owners, flat)
            else:
                base = _check_parent(work_unit, parcel, parent or "", kind)
            provenance = work_unit.provenance(document, document["date"])
            number = work_unit.new_certificate_number(parcel.village_code, kind)
            title = Title.register_secondary(number, nib, owners, term, parcel.area_m2, provenance,
                                             self.settings.designated_entities, base, flat)
            parcel.record_secondary_title(number, base, flat, provenance)
            work_unit.save(parcel, title)
            return edition_of(title)

        return self.execute(actor, command_id, expected_version, work)

    @use_case
    def record_eligibility_loss(
        self, nib: str, cause: object, holders: object, source: object, *, actor: values.Actor,
        certificate_number: str | None = None, command_id: str | None = None, expected_version: int | None = None,
    ) -> Result:
        """An heir who may not hold the right (`inheritance`, the heirs as `holders`), or a holder who
        lost citizenship (`citizenship`, same ids and shares, the new kinds): the right stays one
        year from the document's date, to be released to an eligible holder. Returns `release_by`."""
        why = values.one_of(cause, frozenset(rights.LOSS_DOCUMENTS), "cause")
        owners = Holders.parse(holders)
        designated = self.settings.designated_entities

        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            release_by = title.lose_eligibility(why, owners, designated, unit.today, provenance)
            return {**edition_of(title), "release_by": release_by}

        return self._on_title(nib, source, change, actor, command_id, expected_version,
                              needs=(f"loss of eligibility by {why}", rights.LOSS_DOCUMENTS[why]),
                              certificate_number=certificate_number)

    @use_case
    def extinguish_right(
        self, nib: str, source: object, *, actor: values.Actor, certificate_number: str | None = None,
        command_id: str | None = None, expected_version: int | None = None,
    ) -> Result:
        """After the release deadline passed with an ineligible holder: the right is extinguished
        and the land falls to the State (a decree records it)."""
        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.extinguish(unit.today, provenance)
            return {"version": title.version}

        return self._on_title(nib, source, change, actor, command_id, expected_version,
                              needs=("extinction of a right", "decree"), certificate_number=certificate_number)
