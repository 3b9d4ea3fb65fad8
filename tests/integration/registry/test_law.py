"""The law of each right type, row by row, on every store: who may hold it, its term, extension
and renewal, and whether it may be sold or mortgaged. Each row's id names its legal source; the
expected answers are written out here, not read from registry/domain/rights.py, so a wrong table fails."""
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
    SURVEY,
    SURVEYOR,
    VILLAGE,
    assert_rejected,
    citizen,
    survey,
)

KINDS = ("citizen", "foreigner", "legal_entity", "foreign_legal_entity", "government", "state_enterprise",
         "land_bank", "nazhir", "customary_community", "foreign_mission")
INDONESIAN = {"citizen", "legal_entity", "state_enterprise"}
# right type -> (who may hold it, source)
ELIGIBLE: dict[str, tuple[set[str], str]] = {
    "HM": ({"citizen"}, "UUPA-21"),  # legal entities only when designated: below
    "HGU": (INDONESIAN, "UUPA-30"),
    "HGB": (INDONESIAN, "UUPA-36"),
    "HP": (INDONESIAN | {"foreigner", "foreign_legal_entity", "government", "foreign_mission"}, "UUPA-42"),
    "HPL": ({"government", "state_enterprise", "land_bank", "customary_community"}, "PP18-2021-art5"),
    "WAKAF": ({"nazhir"}, "UU41-2004"),
    "HMSRS": (INDONESIAN | {"government", "foreigner", "foreign_legal_entity"}, "UU20-2011-art47+UU11-2020"),
}
# termed rights: (first grant, extension, renewal) in years, and the source
TERMS = {"HGU": ((35, 25, 35), "PP18-2021-art22"), "HGB": ((30, 20, 30), "PP18-2021-art37"),
         "HP": ((30, 20, 30), "PP18-2021-art49")}
# right type -> (transferable, mortgageable, source)
DEALINGS = {
    "HM": (True, True, "UU4-1996-art4"), "HGU": (True, True, "UU4-1996-art4"), "HGB": (True, True, "UU4-1996-art4"),
    "HP": (True, True, "UU4-1996-art4"), "HMSRS": (True, True, "UU20-2011-art47"),
    "HPL": (False, False, "UU4-1996-art4"), "WAKAF": (False, False, "UU41-2004-art40"),
}
GRANTED = date.fromisoformat(DEED["date"])


def holder(kind: str, holder_id: str = "h1") -> dict[str, str]:
    return {"id": holder_id, "name": f"Holder {holder_id}", "kind": kind, "share": "1/1"}


def ends_after(years: int, days: int = 0) -> str:
    return date(GRANTED.year + years, GRANTED.month, GRANTED.day + days).isoformat()


def register(registry: Registry, right: str, kind: str = "citizen", ends_on: str | None = None) -> str:
    nib = survey(registry, size_m=250 if right == "HGU" else 100)  # HGU needs 5 ha
    if ends_on is None and right in TERMS:
        ends_on = ends_after(TERMS[right][0][0])
    registry.register_title(nib, right, [holder(kind)], ends_on, DEED, actor=OFFICER)
    return nib


def eligible_kind(right: str) -> str:
    return min(ELIGIBLE[right][0])


ELIGIBILITY = [(right, kind, kind in who, source) for right, (who, source) in ELIGIBLE.items() for kind in KINDS]


@pytest.mark.parametrize("right, kind, allowed, source", ELIGIBILITY,
                         ids=[f"{r}-{k}-{'may' if a else 'may-not'}-{s}" for r, k, a, s in ELIGIBILITY])
def test_who_may_hold_each_right(registry: Registry, right: str, kind: str, allowed: bool, source: str) -> None:
    if allowed:
        register(registry, right, kind)
    else:
        nib = survey(registry, size_m=250 if right == "HGU" else 100)
        assert_rejected(registry, errors.EligibilityError, lambda: registry.register_title(
            nib, right, [holder(kind)], ends_after(20) if right in TERMS else None, DEED, actor=OFFICER))


@pytest.mark.parametrize("right", ["HM", "HPL"], ids=["HM-PP38-1963", "HPL-PP18-2021-art5"])
def test_a_legal_entity_holds_hm_or_hpl_only_when_designated(registry: Registry, right: str) -> None:
    nib = survey(registry)
    entity = holder("legal_entity", "pt-designated")
    assert_rejected(registry, errors.EligibilityError,
                    lambda: registry.register_title(nib, right, [entity], None, DEED, actor=OFFICER))
    registry.settings.hm_designated_entities.append("pt-designated")
    registry.settings.hpl_designated_entities.append("pt-designated")
    registry.register_title(nib, right, [entity], None, DEED, actor=OFFICER)


@pytest.mark.parametrize("right", sorted(TERMS), ids=[f"{r}-{TERMS[r][1]}" for r in sorted(TERMS)])
def test_a_first_grant_lasts_at_most_its_maximum(registry: Registry, right: str) -> None:
    first = TERMS[right][0][0]
    nib = survey(registry, size_m=250 if right == "HGU" else 100)
    assert_rejected(registry, errors.TermError, lambda: registry.register_title(
        nib, right, [citizen("budi")], ends_after(first, days=1), DEED, actor=OFFICER))
    registry.register_title(nib, right, [citizen("budi")], ends_after(first), DEED, actor=OFFICER)


def test_hak_pakai_for_a_government_body_may_run_while_used(registry: Registry) -> None:
    nib = survey(registry)
    registry.register_title(nib, "HP", [holder("government")], None, DEED, actor=OFFICER)
    assert registry.title_on(nib).ends_on is None  # type: ignore[union-attr]
    assert_rejected(registry, errors.DealingNotAllowed, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari")], "2025-03-01", DEED, actor=OFFICER))


@pytest.mark.parametrize("right", sorted(TERMS), ids=[f"{r}-{TERMS[r][1]}" for r in sorted(TERMS)])
def test_one_extension_before_the_end_of_at_most_its_years(registry: Registry, right: str) -> None:
    (first, extension, _), _ = TERMS[right]
    nib = register(registry, right)
    assert_rejected(registry, errors.TermError, lambda: registry.extend_right(
        nib, ends_after(first + extension, days=1), DEED, actor=OFFICER))
    registry.extend_right(nib, ends_after(first + extension), DEED, actor=OFFICER)
    assert_rejected(registry, errors.TermError, lambda: registry.extend_right(
        nib, ends_after(first + extension + 1), DEED, actor=OFFICER))


def at(registry: Registry, day: date) -> dict[str, Any]:
    """Move the registry's legal day; a document dated that day."""
    registry.clock = lambda: day
    return {**DEED, "number": f"SK-{day.isoformat()}", "date": day.isoformat()}


@pytest.mark.parametrize("right", sorted(TERMS), ids=[f"{r}-{TERMS[r][1]}" for r in sorted(TERMS)])
def test_one_renewal_within_two_years_after_the_end(registry: Registry, right: str) -> None:
    (_, _, renewal), _ = TERMS[right]
    nib = register(registry, right, ends_on="2027-01-01")
    late = at(registry, date(2029, 1, 2))
    assert_rejected(registry, errors.TermError, lambda: registry.renew_right(nib, "2040-01-01", late, actor=OFFICER))
    applied = at(registry, date(2028, 6, 1))
    assert_rejected(registry, errors.TermError, lambda: registry.renew_right(
        nib, f"{2028 + renewal}-06-02", applied, actor=OFFICER))
    registry.renew_right(nib, f"{2028 + renewal}-06-01", applied, actor=OFFICER)
    assert registry.title_on(nib).status == "active"  # type: ignore[union-attr]


def test_after_the_renewal_window_the_land_returns(registry: Registry) -> None:
    nib = register(registry, "HGB", ends_on="2027-01-01")
    registry.register_mortgage(nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, actor=OFFICER)
    registry.expire_right(nib, at(registry, date(2027, 1, 2)), actor=OFFICER)
    title = registry.title_on(nib)
    assert title is not None and title.status == "expired"
    assert [m["status"] for m in title.mortgages.values()] == ["ended"]  # UU 4/1996 art. 18
    registry.expire_right(nib, at(registry, date(2029, 1, 3)), actor=OFFICER)
    assert registry.title_on(nib).status == "returned"  # type: ignore[union-attr]


def test_a_mortgage_stays_ended_after_a_renewal(registry: Registry) -> None:
    nib = register(registry, "HGB", ends_on="2027-01-01")
    registry.register_mortgage(nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, actor=OFFICER)
    registry.expire_right(nib, at(registry, date(2027, 1, 2)), actor=OFFICER)
    registry.renew_right(nib, "2050-01-01", at(registry, date(2027, 2, 1)), actor=OFFICER)
    title = registry.title_on(nib)
    assert title is not None and title.status == "active" and title.active_mortgages() == []


@pytest.mark.parametrize("right", sorted(DEALINGS), ids=[f"{r}-{DEALINGS[r][2]}" for r in sorted(DEALINGS)])
def test_which_rights_may_be_sold_and_mortgaged(registry: Registry, right: str) -> None:
    transferable, mortgageable, _ = DEALINGS[right]
    kind = eligible_kind(right)
    nib = register(registry, right, kind)
    mortgage = lambda: registry.register_mortgage(nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED,
                                                  actor=OFFICER)
    sale = lambda: registry.transfer_ownership(nib, "sale", [holder(kind, "h2")], "2025-03-01", DEED,
                                               actor=OFFICER)
    for allowed, call in ((mortgageable, mortgage), (transferable, sale)):
        if allowed:
            call()
        else:
            assert_rejected(registry, errors.DealingNotAllowed, call)


@pytest.mark.parametrize("kind, needed", [
    ("sale", "deed"), ("gift", "deed"), ("exchange", "deed"), ("inbreng", "deed"), ("apbh", "deed"),
    ("company_merger", "deed"), ("auction", "auction_minutes"), ("inheritance", "inheritance_certificate"),
    ("court_decision", "court_order"),
], ids=lambda v: f"{v}-PP24-1997-art37-42" if v in ("sale", "auction", "inheritance") else str(v))
def test_each_transfer_rests_on_its_own_instrument(registry: Registry, kind: str, needed: str) -> None:
    nib = register(registry, "HM")
    wrong = {**DEED, "kind": "survey" if needed == "deed" else "deed"}
    refused = assert_rejected(registry, errors.InvalidInput, lambda: registry.transfer_ownership(
        nib, kind, [citizen("sari")], "2025-03-01", wrong, actor=OFFICER))
    assert refused.field == "source.kind"
    registry.transfer_ownership(nib, kind, [citizen("sari")], "2025-03-01", {**DEED, "kind": needed},
                                actor=OFFICER)


def test_a_partys_blokir_lasts_thirty_days_one_per_applicant(registry: Registry) -> None:
    nib = register(registry, "HM")
    today = registry.clock()
    placed = registry.place_block(nib, "blokir", "Sari", None, DEED, actor=OFFICER)
    assert placed["until"] == date.fromordinal(today.toordinal() + 30).isoformat()
    assert_rejected(registry, errors.DuplicateBlock,
                    lambda: registry.place_block(nib, "blokir", "sari", None, DEED, actor=OFFICER))
    far = date.fromordinal(today.toordinal() + 90).isoformat()
    assert_rejected(registry, errors.InvalidInput,
                    lambda: registry.place_block(nib, "blokir", "Andi", far, DEED, actor=OFFICER))
    registry.place_block(nib, "blokir", "Andi", far, COURT, actor=OFFICER)  # a court order sets more
    police = registry.place_block(nib, "blokir", "Polda Metro Jaya", None, DEED, "police", actor=OFFICER)
    assert police["until"] is None


def test_a_sita_has_no_end_date_and_only_a_court_lifts_it(registry: Registry) -> None:
    nib = register(registry, "HM")
    assert_rejected(registry, errors.InvalidInput, lambda: registry.place_block(
        nib, "sita", "PN Jakarta Selatan", "2030-01-01", COURT, actor=OFFICER))
    block_id = registry.place_block(nib, "sita", "PN Jakarta Selatan", None, COURT, actor=OFFICER)["block_id"]
    assert_rejected(registry, errors.InvalidInput, lambda: registry.lift_block(nib, block_id, DEED, actor=OFFICER))
    registry.lift_block(nib, block_id, COURT, actor=OFFICER)


def test_hgu_is_granted_on_at_least_five_hectares(registry: Registry) -> None:
    nib = survey(registry, size_m=100)
    refused = assert_rejected(registry, errors.InvalidInput, lambda: registry.register_title(
        nib, "HGU", [citizen("budi")], ends_after(30), DEED, actor=OFFICER))
    assert refused.field == "right_type"


def test_a_merger_needs_the_same_end_date(registry: Registry) -> None:
    west, east = grid_squares(LON, LAT, 100, 2)[:2]
    nibs = [registry.submit_survey(VILLAGE, g, SURVEY, actor=SURVEYOR)["nib"] for g in (west, east)]
    for nib, years in zip(nibs, (30, 29)):
        registry.register_title(nib, "HGB", [holder("citizen")], ends_after(years), DEED, actor=OFFICER)
    assert_rejected(registry, errors.MergerError, lambda: registry.merge(nibs, DEED, actor=OFFICER))


def test_every_holder_kind_reaches_the_read_models(services: Any) -> None:
    """The holdings table takes the longest holder kind (it once cut them at 16 characters)."""
    registry = services.registry
    for index, kind in enumerate(sorted(ELIGIBLE["HP"][0])):
        nib = survey(registry, lon=LON + index * 0.002)
        registry.register_title(nib, "HP", [holder(kind, f"h{index}")], ends_after(20), DEED, actor=OFFICER)
        assert [r["nib"] for r in services.queries.by_holder(f"h{index}").items] == [nib]
