"""The law of titles beside a parcel's primary title: rights on rights and strata units (HMSRS).

A right on a right (UUPA art. 37, 41; PP 18/2021 art. 21, 34, 42) is granted on land whose HPL
or hak milik stays in force, with the parent holder's agreement; one level deep. A strata unit
(UU 20/2011 art. 17, 47) is one apartment of a building on the parcel, with its share of the
common land (tanah bersama); the shares of one building never exceed 1.
"""
from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from registry.domain.errors import (
    CommonSharesExceeded,
    EligibilityError,
    InvalidInput,
    TitleNotActive,
)
from registry.domain.values import format_share, share, text

# Parent right -> the rights that may be granted on it.
ON_PARENT: dict[str, frozenset[str]] = {
    "HPL": frozenset({"HGU", "HGB", "HP"}),  # PP 18/2021 art. 21, 34, 42 (HGU, HGB, hak pakai on HPL)
    "HM": frozenset({"HGB", "HP"}),  # UUPA art. 37, 41; PP 18/2021 art. 34, 42 (on hak milik land)
}
STRATA_LAND = frozenset({"HM", "HGB", "HP"})  # the land a building of units may stand on (UU 20/2011 art. 17)
FOREIGN_STRATA_LAND = frozenset({"HGB", "HP"})  # foreigners' units stand on HGB or hak pakai (PP 18/2021 art. 71)
FOREIGN = frozenset({"foreigner", "foreign_legal_entity"})
PARENT_AGREEMENT = "hpl_agreement"  # the source kind of a right granted on another holder's right


def unit(value: object, field: str = "unit") -> dict[str, str]:
    """A strata unit: its id in the building (e.g. A-1203), its floor, and its share of the common land."""
    if not isinstance(value, dict):
        raise InvalidInput(field, 'must be an object {"id", "floor", "common_share"}')
    portion = share(value.get("common_share"), f"{field}.common_share")
    if portion > 1:
        raise InvalidInput(f"{field}.common_share", f"a unit's share of the common land is at most 1, got "
                                                    f"{format_share(portion)}")
    return {"id": text(value.get("id"), f"{field}.id", 40), "floor": text(value.get("floor"), f"{field}.floor", 10),
            "common_share": format_share(portion)}


def check_parent(parent_type: str, parent_status: str, parent_is_secondary: bool, child_type: str,
                 number: str) -> None:
    """The parent is an active HPL or hak milik that is itself no right on a right, and takes this child."""
    if parent_is_secondary:
        raise InvalidInput("on_title", f"title {number} is itself granted on another title; rights on rights "
                                       "are one level deep")
    if parent_type not in ON_PARENT:
        raise InvalidInput("on_title", f"title {number} is {parent_type}: rights are granted only on HPL or HM")
    if child_type not in ON_PARENT[parent_type]:
        raise InvalidInput("right_type", f"{child_type} is not granted on {parent_type}: on {parent_type} "
                                         f"only {sorted(ON_PARENT[parent_type])}")
    if parent_status != "active":
        raise TitleNotActive(f"title {number} is {parent_status}", certificate_number=number,
                             title_status=parent_status)


def check_land_of_units(land_type: str, land_status: str, number: str, holders: Iterable[dict[str, str]]) -> None:
    """Units stand on an active HM, HGB or hak pakai; a foreign holder's only on HGB or hak pakai."""
    if land_status != "active":
        raise TitleNotActive(f"the land title {number} is {land_status}", certificate_number=number,
                             title_status=land_status)
    if land_type not in STRATA_LAND:
        raise InvalidInput("on_title", f"a building of strata units stands on {sorted(STRATA_LAND)} land, "
                                       f"title {number} is {land_type} (UU 20/2011 art. 17)")
    for index, holder in enumerate(holders):
        if holder["kind"] in FOREIGN and land_type not in FOREIGN_STRATA_LAND:
            raise EligibilityError(
                f"holders[{index}]: a {holder['kind']} may hold a strata unit only in a building on HGB or hak "
                f"pakai land, not on {land_type} (PP 18/2021 art. 71)", field=f"holders[{index}]",
                holder_id=holder["id"])


def check_common_shares(taken: Iterable[str], new: str) -> None:
    """The common-land shares of a building's active units never exceed 1 (UU 20/2011 art. 25)."""
    total = sum((Fraction(s) for s in taken), Fraction(0))
    if total + Fraction(new) > 1:
        raise CommonSharesExceeded(
            f"unit.common_share: the building's units hold {format_share(total) if total else '0'} of the common "
            f"land; {new} more would exceed 1", field="unit.common_share",
            free=format_share(1 - total) if total < 1 else "0")
