"""Titles beside a parcel's primary one, and a holder's loss of eligibility, on every store:
rights on rights (HGB on HPL, HP on HM; one level deep; the child's end returns the land to the
parent holder), strata units (HMSRS: one title per unit, common shares never over 1, each unit
its own holders, mortgages and blocks; foreigners on HGB or HP land only), and the year in which
an ineligible holder must release a hak milik (UUPA art. 21(3)-(4)). Each refusal writes nothing."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from registry.application.registry import Registry
from registry.domain import errors
from tests.geometries import grid_squares
from tests.support import (
    COURT,
    DEED,
    LAT,
    LON,
    OFFICER,
    assert_rejected,
    citizen,
    foreigner,
    survey,
)

AGREEMENT = {**DEED, "kind": "hpl_agreement", "number": "PERJ-HPL-3/2025"}
HEIRS = {**DEED, "kind": "inheritance_certificate", "number": "SKW-9/2026", "date": "2026-03-01"}
DECREE = {**DEED, "kind": "decree", "number": "SK-HAPUS-1/2026", "date": "2026-03-01"}
LATER = {**DEED, "date": "2026-04-01"}  # a sale after the loss of eligibility
CITY = {"id": "pemkot-jaksel", "name": "Pemerintah Kota Jakarta Selatan", "kind": "government", "share": "1/1"}
DEVELOPER = {"id": "pt-griya", "name": "PT Griya Asri", "kind": "legal_entity", "share": "1/1"}
BANK = {"id": "bri", "name": "Bank Rakyat Indonesia"}


def primary(registry: Registry, right: str, holder: dict[str, str], ends_on: str | None = None) -> tuple[str, str]:
    nib = survey(registry)
    number = registry.register_title(nib, right, [holder], ends_on, DEED, actor=OFFICER)["certificate_number"]
    return nib, number


def beside(registry: Registry, nib: str, right: str, holders: list[dict[str, str]], on_title: str | None = None,
           unit: dict[str, str] | None = None, ends_on: str | None = "2054-01-31", source: dict[str, str] | None = None,
           ) -> dict[str, Any]:
    return registry.register_secondary_title(nib, right, holders, None if right == "HMSRS" else ends_on,
                                             source or (DEED if unit else AGREEMENT), on_title=on_title, unit=unit,
                                             actor=OFFICER)


def flat(unit_id: str, share: str) -> dict[str, str]:
    return {"id": unit_id, "floor": unit_id.split("-")[1][:-2] or "1", "common_share": share}


def certificate(registry: Registry, number: str) -> dict[str, Any]:
    row = registry.get_title(number)
    return {"status": row.status, "on_title": getattr(row, "on_title", None), "holders": row.holders}


# -- rights on rights ---------------------------------------------------------------------


def test_hgb_is_granted_on_hpl_and_both_are_read(services: Any) -> None:
    registry = services.registry
    nib, hpl = primary(registry, "HPL", CITY)
    hgb = beside(registry, nib, "HGB", [DEVELOPER], on_title=hpl)["certificate_number"]
    assert hgb[8] == "3" and hgb != hpl  # the HGB's own right digit and serial
    assert registry.get_parcel(nib).certificate_number == hpl  # the primary title stays where it was
    assert registry.get_parcel(nib).others() == [{"certificate_number": hgb, "on_title": hpl, "unit": None}]
    assert certificate(registry, hgb)["on_title"] == hpl
    row = services.queries.parcel(nib)
    assert row["title"]["certificate_number"] == hpl and row["title"]["right_type"] == "HPL"
    others = [r["title"] for r in services.queries.certificates_on(nib) if r["title"].get("on_title")]
    assert [(t["certificate_number"], t["right_type"], t["on_title"], t["status"]) for t in others] == [
        (hgb, "HGB", hpl, "active")]


@pytest.mark.parametrize("parent, child, allowed", [
    ("HPL", "HGB", True), ("HPL", "HP", True), ("HM", "HGB", True), ("HM", "HP", True),
    ("HM", "HGU", False), ("HGB", "HP", False),
], ids=["HGB-on-HPL-PP18-2021-art34", "HP-on-HPL-PP18-2021-art42", "HGB-on-HM-UUPA-37", "HP-on-HM-UUPA-41",
        "no-HGU-on-HM-PP18-2021-art21", "nothing-on-HGB-UUPA-37"])
def test_which_right_may_be_granted_on_which(registry: Registry, parent: str, child: str, allowed: bool) -> None:
    holder = {"HPL": CITY, "HM": citizen("budi"), "HGB": DEVELOPER}[parent]
    nib, number = primary(registry, parent, holder, "2054-01-31" if parent == "HGB" else None)
    if allowed:
        assert beside(registry, nib, child, [DEVELOPER], on_title=number)["edition"] == 1
    else:
        error = assert_rejected(registry, errors.InvalidInput,
                                lambda: beside(registry, nib, child, [DEVELOPER], on_title=number))
        assert error.field in ("on_title", "right_type")


def test_a_right_on_a_right_is_refused_so(registry: Registry) -> None:
    nib, hpl = primary(registry, "HPL", CITY)
    deed = assert_rejected(registry, errors.InvalidInput,
                           lambda: beside(registry, nib, "HGB", [DEVELOPER], on_title=hpl, source=DEED))
    assert deed.field == "source.kind"
    hgb = beside(registry, nib, "HGB", [DEVELOPER], on_title=hpl)["certificate_number"]
    assert_rejected(registry, errors.TitleAlreadyRegistered,
                    lambda: beside(registry, nib, "HP", [DEVELOPER], on_title=hpl))  # the land carries one
    deeper = assert_rejected(registry, errors.InvalidInput,
                             lambda: beside(registry, nib, "HP", [DEVELOPER], on_title=hgb))
    assert "one level deep" in deeper.message
    other = survey(registry, lon=106.81)  # the HPL is not on this parcel
    assert_rejected(registry, errors.NotFound, lambda: beside(registry, other, "HGB", [DEVELOPER], on_title=hpl))
    assert_rejected(registry, errors.EligibilityError,
                    lambda: beside(registry, nib, "HGB", [foreigner("john")], on_title=hpl))
    assert_rejected(registry, errors.InvalidInput, lambda: beside(registry, nib, "HGB", [DEVELOPER]))  # on what?


def test_the_childs_end_returns_the_land_to_the_parent_holder(registry: Registry) -> None:
    nib, hpl = primary(registry, "HPL", CITY)
    hgb = beside(registry, nib, "HGB", [DEVELOPER], on_title=hpl, ends_on="2030-01-31")["certificate_number"]
    registry.register_mortgage(nib, BANK, "900000000.00", DEED, certificate_number=hgb, actor=OFFICER)
    today = registry.clock()
    registry.clock = lambda: date(2033, 2, 1)  # past the term and the two-year renewal window
    registry.expire_right(nib, {**DECREE, "date": "2033-02-01"}, certificate_number=hgb, actor=OFFICER)
    ended = registry.get_title(hgb)
    assert ended.status == "returned" and ended.on_title == hpl
    assert [m["status"] for m in ended.mortgages.values()] == ["ended"]
    assert registry.get_title(hpl).status == "active" and registry.get_title(hpl).holders == [CITY]
    again = beside(registry, nib, "HGB", [citizen("sari")], on_title=hpl, ends_on="2060-01-31",
                   source={**AGREEMENT, "date": "2033-02-01"})  # the HPL holder grants the land anew
    assert again["certificate_number"] != hgb
    registry.clock = lambda: today


# -- strata units -------------------------------------------------------------------------


def building(registry: Registry, land: str = "HGB") -> tuple[str, str]:
    return primary(registry, land, DEVELOPER if land == "HGB" else citizen("budi"),
                   "2054-01-31" if land == "HGB" else None)


def test_each_unit_is_its_own_title_and_the_common_shares_never_exceed_one(registry: Registry) -> None:
    nib, land = building(registry)
    first = beside(registry, nib, "HMSRS", [citizen("sari")], unit=flat("A-1203", "1/2"))
    second = beside(registry, nib, "HMSRS", [foreigner("john")], unit=flat("A-1204", "1/4"))  # PP 18/2021 art. 71
    assert first["certificate_number"][8] == "7" and first["certificate_number"] != second["certificate_number"]
    over = assert_rejected(registry, errors.CommonSharesExceeded,
                           lambda: beside(registry, nib, "HMSRS", [citizen("andi")], unit=flat("A-1205", "1/2")))
    assert over.details["free"] == "1/4"
    assert_rejected(registry, errors.UnitExists,
                    lambda: beside(registry, nib, "HMSRS", [citizen("andi")], unit=flat("A-1203", "1/8")))
    beside(registry, nib, "HMSRS", [citizen("andi")], unit=flat("A-1205", "1/4"))  # exactly 1 in all
    units = [t for t in registry.get_parcel(nib).others() if t["unit"]]
    assert [(u["unit"]["id"], u["on_title"]) for u in units] == [("A-1203", land), ("A-1204", land), ("A-1205", land)]


def test_units_are_refused_so(registry: Registry) -> None:
    nib, _ = building(registry, "HM")
    unit = flat("B-0101", "1/10")
    assert_rejected(registry, errors.EligibilityError,  # foreigners' units stand on HGB or HP land
                    lambda: beside(registry, nib, "HMSRS", [foreigner("john")], unit=unit))
    assert_rejected(registry, errors.InvalidInput, lambda: beside(registry, nib, "HGB", [DEVELOPER], unit=unit))
    too_much = assert_rejected(registry, errors.InvalidInput,
                               lambda: beside(registry, nib, "HMSRS", [citizen("sari")], unit={**unit,
                                                                                          "common_share": "3/2"}))
    assert too_much.field == "unit.common_share"
    untitled = survey(registry, lon=106.81)
    assert_rejected(registry, errors.InvalidInput,
                    lambda: beside(registry, untitled, "HMSRS", [citizen("sari")], unit=unit))
    assert_rejected(registry, errors.InvalidInput,
                    lambda: beside(registry, nib, "HMSRS", [citizen("sari")], unit=unit, source=AGREEMENT))


def test_a_unit_has_its_own_holders_mortgages_and_blocks(registry: Registry) -> None:
    nib, land = building(registry)
    unit = beside(registry, nib, "HMSRS", [citizen("sari")], unit=flat("A-0701", "1/40"))["certificate_number"]
    registry.transfer_ownership(nib, "sale", [foreigner("john")], "2025-03-01", DEED, certificate_number=unit,
                                actor=OFFICER)
    mortgaged = registry.register_mortgage(nib, BANK, "750000000.00", DEED, certificate_number=unit, actor=OFFICER)
    registry.place_block(nib, "sita", "Pengadilan Negeri Jakarta Selatan", None, COURT, applicant="court",
                         certificate_number=unit, actor=OFFICER)
    assert registry.get_title(unit).holders == [foreigner("john")]
    assert mortgaged["mortgage_id"] == "HT1" and len(registry.get_title(unit).active_blocks(registry.clock())) == 1
    land_title = registry.get_title(land)
    assert land_title.holders == [DEVELOPER] and not land_title.mortgages and not land_title.blocks
    registry.register_mortgage(nib, BANK, "5000000000.00", DEED, actor=OFFICER)  # the land is not frozen
    assert_rejected(registry, errors.TitleBlocked, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("andi")], "2025-03-01", DEED, certificate_number=unit, actor=OFFICER))
    assert_rejected(registry, errors.NotFound, lambda: registry.register_mortgage(
        nib, BANK, "1.00", DEED, certificate_number="31740101799999", actor=OFFICER))


def test_a_units_version_is_its_own(registry: Registry) -> None:
    nib, _ = building(registry)
    made = beside(registry, nib, "HMSRS", [citizen("sari")], unit=flat("A-0702", "1/40"))
    unit = made["certificate_number"]
    registry.register_mortgage(nib, BANK, "1000.00", DEED, actor=OFFICER)  # the land changes, not the unit
    after = registry.register_mortgage(nib, BANK, "2000.00", DEED, certificate_number=unit,
                                       expected_version=made["position"], actor=OFFICER)
    assert_rejected(registry, errors.VersionConflict, lambda: registry.register_mortgage(
        nib, BANK, "3000.00", DEED, certificate_number=unit, expected_version=made["position"], actor=OFFICER))
    assert after["position"] > made["position"]


def test_land_under_units_is_not_split(registry: Registry) -> None:
    nib, _ = building(registry)
    beside(registry, nib, "HMSRS", [citizen("sari")], unit=flat("A-0101", "1/2"))
    parts = [{"geometry": g} for g in grid_squares(LON, LAT, 50, 2)]
    error = assert_rejected(registry, errors.DealingNotAllowed, lambda: registry.subdivide(nib, parts, DEED,
                                                                                           actor=OFFICER))
    assert error.details["act"] == "split or merge"


# -- a holder's loss of eligibility -------------------------------------------------------


def test_an_heir_who_is_a_foreigner_must_release_the_hak_milik_within_a_year(registry: Registry) -> None:
    nib, number = primary(registry, "HM", citizen("budi"))
    lost = registry.record_eligibility_loss(nib, "inheritance", [foreigner("john")], HEIRS, actor=OFFICER)
    assert lost["release_by"] == "2027-03-01" and registry.get_title(number).holders == [foreigner("john")]
    assert_rejected(registry, errors.EligibilityError, lambda: registry.transfer_ownership(
        nib, "sale", [foreigner("mary")], "2026-04-01", LATER, actor=OFFICER))
    assert_rejected(registry, errors.ReleasePeriodRunning, lambda: registry.extinguish_right(nib, DECREE,
                                                                                             actor=OFFICER))
    registry.transfer_ownership(nib, "sale", [citizen("sari")], "2026-04-01", LATER, actor=OFFICER)
    assert registry.get_title(number).release_due() is None and registry.get_title(number).status == "active"


def test_land_whose_holder_must_release_it_is_not_split(registry: Registry) -> None:
    nib, _ = primary(registry, "HM", citizen("budi"))
    registry.record_eligibility_loss(nib, "inheritance", [foreigner("john")], HEIRS, actor=OFFICER)
    parts = [{"geometry": g} for g in grid_squares(LON, LAT, 50, 2)]
    error = assert_rejected(registry, errors.DealingNotAllowed, lambda: registry.subdivide(
        nib, parts, {**DEED, "date": "2026-04-01"}, actor=OFFICER))
    assert error.details["release_by"] == "2027-03-01"


def test_a_right_not_released_by_the_deadline_is_extinguished(registry: Registry) -> None:
    nib, number = primary(registry, "HM", citizen("budi"))
    registry.register_mortgage(nib, BANK, "100000000.00", DEED, actor=OFFICER)
    registry.record_eligibility_loss(nib, "citizenship", [foreigner("budi")], {**DECREE, "number": "AHU-7/2025"},
                                     actor=OFFICER)
    today = registry.clock()
    registry.clock = lambda: date(2027, 3, 2)
    assert_rejected(registry, errors.ReleasePeriodEnded, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari")], "2027-03-02", {**DEED, "date": "2027-03-02"}, actor=OFFICER))
    registry.extinguish_right(nib, {**DECREE, "date": "2027-03-02"}, actor=OFFICER)
    title = registry.get_title(number)
    assert title.status == "forfeited" and [m["status"] for m in title.mortgages.values()] == ["ended"]
    registry.clock = lambda: today


def test_a_loss_of_eligibility_is_refused_so(registry: Registry) -> None:
    nib, _ = primary(registry, "HM", citizen("budi"))
    assert_rejected(registry, errors.InvalidInput, lambda: registry.record_eligibility_loss(
        nib, "inheritance", [citizen("sari")], HEIRS, actor=OFFICER))  # an eligible heir: a plain transfer
    assert_rejected(registry, errors.InvalidInput, lambda: registry.record_eligibility_loss(
        nib, "inheritance", [foreigner("john")], DEED, actor=OFFICER))  # source.kind
    assert_rejected(registry, errors.InvalidInput, lambda: registry.record_eligibility_loss(
        nib, "citizenship", [foreigner("john")], DECREE, actor=OFFICER))  # another id: not a loss of citizenship
    assert_rejected(registry, errors.InvalidInput, lambda: registry.record_eligibility_loss(
        nib, "marriage", [foreigner("budi")], DECREE, actor=OFFICER))
    assert_rejected(registry, errors.InvalidInput, lambda: registry.extinguish_right(nib, DECREE, actor=OFFICER))
    hp = survey(registry, lon=106.81)
    registry.register_title(hp, "HP", [citizen("budi")], "2054-01-31", DEED, actor=OFFICER)
    assert_rejected(registry, errors.InvalidInput, lambda: registry.record_eligibility_loss(
        hp, "citizenship", [foreigner("budi")], DECREE, actor=OFFICER))  # foreigners may hold hak pakai
