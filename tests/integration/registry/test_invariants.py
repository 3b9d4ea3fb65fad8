"""Each of the registry's thirteen invariants (docs/architecture.md): the command is refused with its own error
and nothing at all is written (events, snapshots, guard rows, serials, command log)."""
from __future__ import annotations

import pytest

from registry.application.registry import Registry
from registry.domain import errors
from tests.geometries import SELF_INTERSECTING, grid_squares, square
from tests.support import (
    CONSENT,
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
    company,
    foreigner,
    store_state,
    survey,
    titled,
)

# 1. Geometry is valid ---------------------------------------------------------------------

def test_self_intersecting_survey_is_rejected_with_the_reason(registry: Registry) -> None:
    rejected = assert_rejected(registry, errors.InvalidGeometry, lambda: registry.submit_survey(
        VILLAGE, SELF_INTERSECTING, SURVEY, actor=SURVEYOR))
    assert rejected.field.startswith("geometry")
    assert "intersect" in rejected.reason.lower()


# 2. No overlap ----------------------------------------------------------------------------

def test_overlapping_survey_is_rejected_naming_the_parcel_it_overlaps(registry: Registry) -> None:
    first = survey(registry)
    shifted = square(LON + 0.0003, LAT + 0.0003, 100)
    rejected = assert_rejected(registry, errors.OverlapError, lambda: registry.submit_survey(
        VILLAGE, shifted, SURVEY, actor=SURVEYOR))
    assert rejected.conflicting_nibs == [first]


def test_neighbour_sharing_an_edge_is_accepted(registry: Registry) -> None:
    west, east = grid_squares(LON, LAT, 100, 2)[:2]
    registry.submit_survey(VILLAGE, west, SURVEY, actor=SURVEYOR)
    assert registry.submit_survey(VILLAGE, east, SURVEY, actor=SURVEYOR)["nib"].endswith("00002")


def test_boundary_correction_onto_a_neighbour_is_rejected(registry: Registry) -> None:
    nib = survey(registry)
    survey(registry, lon=LON + 0.01)
    assert_rejected(registry, errors.OverlapError, lambda: registry.correct_boundary(
        nib, square(LON + 0.0095, LAT, 100), SURVEY, actor=SURVEYOR))


# 3. Subdivision tiles the parent -----------------------------------------------------------

def test_subdivision_with_a_gap_is_rejected(registry: Registry) -> None:
    nib = survey(registry)
    three_of_four = [{"geometry": g} for g in grid_squares(LON, LAT, 50, 2)[:3]]
    rejected = assert_rejected(registry, errors.SubdivisionError, lambda: registry.subdivide(
        nib, three_of_four, DEED, actor=OFFICER))
    assert rejected.field.startswith("parts")


def test_subdivision_with_overlapping_parts_is_rejected(registry: Registry) -> None:
    nib = survey(registry)
    parts = [{"geometry": g} for g in grid_squares(LON, LAT, 50, 2)]
    parts[1] = {"geometry": square(LON + 0.0002, LAT, 50)}
    assert_rejected(registry, errors.SubdivisionError, lambda: registry.subdivide(nib, parts, DEED, actor=OFFICER))


def test_subdivision_closes_the_title_and_children_carry_holders_and_mortgages(registry: Registry) -> None:
    nib = titled(registry, holders=[citizen("budi", "1/3"), citizen("sari", "2/3")])
    registry.register_mortgage(nib, {"id": "bri", "name": "Bank BRI"}, "500000000.00", DEED, actor=OFFICER)
    parts = [{"geometry": g} for g in grid_squares(LON, LAT, 50, 2)]
    assert_rejected(registry, errors.MortgageError, lambda: registry.subdivide(nib, parts, DEED, actor=OFFICER))
    consents = [{"mortgage_id": "HT1", "source": CONSENT}]
    children = registry.subdivide(nib, parts, DEED, consents, actor=OFFICER)["children"]
    assert len(children) == 4
    parent = registry.get_parcel(nib)
    assert parent.status == "retired" and parent.children == children
    assert registry.get_title(parent.certificate_number).status == "closed"
    for child in children:
        title = registry.title_on(child)
        assert title is not None and title.origin == "subdivision"
        assert [h["share"] for h in title.holders] == ["1/3", "2/3"]
        assert [m["creditor"]["id"] for m in title.active_mortgages()] == ["bri"]
        assert registry.get_parcel(child).parents == [nib]
    assert store_state(registry)["footprints"] == [(c,) for c in children]


# 4. Merger -------------------------------------------------------------------------------

def test_merger_of_parcels_that_do_not_touch_is_rejected(registry: Registry) -> None:
    a, b = survey(registry), survey(registry, lon=LON + 0.01)
    assert_rejected(registry, errors.MergerError, lambda: registry.merge([a, b], DEED, actor=OFFICER))


def test_merger_of_parcels_with_different_holders_is_rejected(registry: Registry) -> None:
    west, east = grid_squares(LON, LAT, 100, 2)[:2]
    a = registry.submit_survey(VILLAGE, west, SURVEY, actor=SURVEYOR)["nib"]
    b = registry.submit_survey(VILLAGE, east, SURVEY, actor=SURVEYOR)["nib"]
    registry.register_title(a, "HM", [citizen("budi")], None, DEED, actor=OFFICER)
    registry.register_title(b, "HM", [citizen("sari")], None, DEED, actor=OFFICER)
    rejected = assert_rejected(registry, errors.MergerError, lambda: registry.merge([a, b], DEED, actor=OFFICER))
    assert "holders" in rejected.message


def test_merger_of_touching_parcels_with_the_same_holders_makes_one_parcel(registry: Registry) -> None:
    west, east = grid_squares(LON, LAT, 100, 2)[:2]
    a = registry.submit_survey(VILLAGE, west, SURVEY, actor=SURVEYOR)["nib"]
    b = registry.submit_survey(VILLAGE, east, SURVEY, actor=SURVEYOR)["nib"]
    for nib in (a, b):
        registry.register_title(nib, "HM", [citizen("budi")], None, DEED, actor=OFFICER)
    merged = registry.merge([a, b], DEED, actor=OFFICER)
    assert merged["area_m2"] == pytest.approx(20_000, abs=0.05)
    assert registry.get_parcel(merged["nib"]).parents == [a, b]
    assert registry.get_parcel(a).status == "retired"
    title = registry.title_on(merged["nib"])
    assert title is not None and title.origin == "merger" and title.holders[0]["id"] == "budi"


# 5. Shares -------------------------------------------------------------------------------

@pytest.mark.parametrize("holders", [
    [citizen("budi", "1/2"), citizen("sari", "1/3")],
    [citizen("budi", "1/2"), citizen("budi", "1/2")],
])
def test_shares_not_summing_to_one_or_a_repeated_holder_are_rejected(registry: Registry, holders: list) -> None:
    nib = survey(registry)
    assert_rejected(registry, errors.ShareError, lambda: registry.register_title(
        nib, "HM", holders, None, DEED, actor=OFFICER))


# 6. Eligibility --------------------------------------------------------------------------

def test_foreigner_cannot_receive_hak_milik(registry: Registry) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.EligibilityError, lambda: registry.transfer_ownership(
        nib, "sale", [foreigner("john")], "2025-03-01", DEED, actor=OFFICER))
    assert rejected.details["field"] == "holders[0]"


def test_undesignated_company_cannot_hold_hak_milik_but_may_hold_hgb(registry: Registry) -> None:
    nib = survey(registry)
    assert_rejected(registry, errors.EligibilityError, lambda: registry.register_title(
        nib, "HM", [company("maju")], None, DEED, actor=OFFICER))
    registry.register_title(nib, "HGB", [company("maju")], "2050-01-01", DEED, actor=OFFICER)


def test_foreigner_may_hold_hak_pakai(registry: Registry) -> None:
    nib = survey(registry)
    result = registry.register_title(nib, "HP", [foreigner("john")], "2040-01-01", DEED, actor=OFFICER)
    assert result["certificate_number"][8] == "4"


# 7. Terms and dead titles ----------------------------------------------------------------

def test_hgb_without_an_end_date_is_rejected(registry: Registry) -> None:
    nib = survey(registry)
    assert_rejected(registry, errors.TermError, lambda: registry.register_title(
        nib, "HGB", [citizen("budi")], None, DEED, actor=OFFICER))


def test_nothing_is_registered_on_a_cancelled_title(registry: Registry) -> None:
    nib = titled(registry)
    registry.cancel_right(nib, "decree of cancellation", COURT, actor=OFFICER)
    assert_rejected(registry, errors.TitleNotActive, lambda: registry.register_mortgage(
        nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, actor=OFFICER))


def test_nothing_is_registered_once_the_term_has_ended(registry: Registry) -> None:
    nib = titled(registry, "HGB", ends_on="2030-01-01")
    registry.clock = lambda: __import__("datetime").date(2031, 1, 1)
    assert_rejected(registry, errors.TitleNotActive, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari")], "2030-12-01", DEED, actor=OFFICER))


# 8. Blocks freeze ------------------------------------------------------------------------

def test_blocked_title_refuses_transfer_mortgage_and_subdivision(registry: Registry) -> None:
    nib = titled(registry)
    registry.place_block(nib, "sita", "Pengadilan Negeri Jakarta Selatan", None, COURT, actor=OFFICER)
    assert_rejected(registry, errors.TitleBlocked, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari")], "2025-03-01", DEED, actor=OFFICER))
    assert_rejected(registry, errors.TitleBlocked, lambda: registry.register_mortgage(
        nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, actor=OFFICER))
    parts = [{"geometry": g} for g in grid_squares(LON, LAT, 50, 2)]
    assert_rejected(registry, errors.TitleBlocked, lambda: registry.subdivide(nib, parts, DEED, actor=OFFICER))


def test_lifted_block_no_longer_freezes(registry: Registry) -> None:
    nib = titled(registry)
    block = registry.place_block(nib, "blokir", "Budi's heirs", None, COURT, actor=OFFICER)["block_id"]
    registry.lift_block(nib, block, COURT, actor=OFFICER)
    registry.transfer_ownership(nib, "sale", [citizen("sari")], "2025-03-01", DEED, actor=OFFICER)


# 9. Mortgages ----------------------------------------------------------------------------

def test_mortgage_rank_must_be_the_next_one(registry: Registry) -> None:
    nib = titled(registry)
    registry.register_mortgage(nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, actor=OFFICER)
    rejected = assert_rejected(registry, errors.MortgageError, lambda: registry.register_mortgage(
        nib, {"id": "bni", "name": "Bank BNI"}, "1000.00", DEED, rank=1, actor=OFFICER))
    assert rejected.details["next_rank"] == 2


def test_only_an_active_mortgage_is_released(registry: Registry) -> None:
    nib = titled(registry)
    mortgage = registry.register_mortgage(nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, actor=OFFICER)
    registry.release_mortgage(nib, mortgage["mortgage_id"], DEED, actor=OFFICER)
    assert_rejected(registry, errors.MortgageError, lambda: registry.release_mortgage(
        nib, mortgage["mortgage_id"], DEED, actor=OFFICER))


def test_mortgage_follows_the_land_through_a_transfer(registry: Registry) -> None:
    nib = titled(registry)
    registry.register_mortgage(nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, actor=OFFICER)
    registry.transfer_ownership(nib, "auction", [citizen("sari")], "2025-03-01", {**DEED, "kind": "auction_minutes"},
                                actor=OFFICER)
    title = registry.title_on(nib)
    assert title is not None and [m["rank"] for m in title.active_mortgages()] == [1]


# 10. Editions ----------------------------------------------------------------------------

def test_editions_increase_with_holder_term_and_area_changes_only(registry: Registry) -> None:
    nib = titled(registry, "HGB", ends_on="2040-01-01")
    editions = [registry.transfer_ownership(nib, "gift", [citizen("sari")], "2025-03-01", DEED,
                                            actor=OFFICER)["edition"]]
    registry.register_mortgage(nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, actor=OFFICER)
    editions.append(registry.extend_right(nib, "2060-01-01", DEED, actor=OFFICER)["edition"])
    registry.correct_boundary(nib, square(LON, LAT, 101), SURVEY, actor=SURVEYOR)
    title = registry.title_on(nib)
    assert title is not None
    editions.append(title.edition)
    editions.append(registry.replace_certificate(nib, "lost in a flood", DEED, actor=OFFICER)["edition"])
    assert editions == [2, 3, 4, 5]
    assert title.area_m2 == registry.get_parcel(nib).area_m2


# 11. Optimistic concurrency --------------------------------------------------------------

def test_stale_expected_version_is_a_conflict(registry: Registry) -> None:
    nib = titled(registry)
    version = registry.resource_version(nib)
    registry.transfer_ownership(nib, "sale", [citizen("sari")], "2025-03-01", DEED, actor=OFFICER,
                                expected_version=version)
    assert_rejected(registry, errors.VersionConflict, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("ani")], "2025-03-01", DEED, actor=OFFICER, expected_version=version))


def test_expected_version_is_the_parcel_resources_log_position(registry: Registry) -> None:
    nib = titled(registry)
    result = registry.transfer_ownership(nib, "sale", [citizen("sari")], "2025-03-01", DEED, actor=OFFICER)
    assert registry.resource_version(nib) == result["position"]
    registry.place_block(nib, "blokir", "Sari", None, DEED, actor=OFFICER, expected_version=result["position"])


# 12. Idempotency -------------------------------------------------------------------------

def test_repeated_command_id_returns_the_first_result_and_writes_nothing(registry: Registry) -> None:
    first = registry.submit_survey(VILLAGE, square(LON, LAT, 100), SURVEY, actor=SURVEYOR, command_id="cmd-1")
    before = store_state(registry)
    again = registry.submit_survey(VILLAGE, square(LON, LAT, 100), SURVEY, actor=SURVEYOR, command_id="cmd-1")
    assert again == first
    assert store_state(registry) == before
    assert len(before["events"]) == 1


def test_command_id_reused_for_another_command_is_refused(registry: Registry) -> None:
    registry.submit_survey(VILLAGE, square(LON, LAT, 100), SURVEY, actor=SURVEYOR, command_id="cmd-1")
    assert_rejected(registry, errors.CommandIdReused, lambda: registry.submit_survey(
        VILLAGE, square(LON + 0.01, LAT, 100), SURVEY, actor=SURVEYOR, command_id="cmd-1"))


# 13. Append-only, no future dates --------------------------------------------------------

def test_transfer_effective_in_the_future_is_rejected(registry: Registry) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.FutureDate, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari")], "2099-01-01", DEED, actor=OFFICER))
    assert rejected.field == "effective_at"


def test_boundary_correction_is_a_new_event_and_history_keeps_the_old_boundary(registry: Registry) -> None:
    nib = survey(registry)
    before = registry.get_parcel(nib).shape
    registry.correct_boundary(nib, square(LON, LAT, 90), SURVEY, actor=SURVEYOR)
    assert registry.get_parcel(nib, version=1).shape == before
    assert registry.get_parcel(nib).area_m2 == pytest.approx(8100, abs=0.01)
