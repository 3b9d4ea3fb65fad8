"""The Title aggregate on its own (no database): blocks, mortgages, terms, editions and replay."""
from __future__ import annotations

import functools
import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from registry.domain import values
from registry.domain.errors import (
    EligibilityError,
    InvalidInput,
    MortgageError,
    NotFound,
    ShareError,
    TermError,
    TitleBlocked,
    TitleNotActive,
)
from registry.domain.provenance import Provenance
from registry.domain.rights import Term
from registry.domain.title import Title

TODAY = date(2026, 6, 1)
OFFICER = values.Actor("officer-1", "officer")
DEED = {"kind": "deed", "number": "AJB-17/2025", "date": "2025-02-01", "sha256": "b" * 64}
PROVENANCE = Provenance(OFFICER, DEED, "2025-02-01", "command-1")


def on(day: str) -> Provenance:
    """The same command on a document dated `day` (e.g. a renewal applied for after the term)."""
    return Provenance(OFFICER, {**DEED, "date": day}, day, "command-1")

NUMBER = "31740101300001"
NIB = "3174010100001"
BANK_BRI = {"id": "bri", "name": "Bank BRI"}


def owners(*pairs: tuple[str, str]) -> values.Holders:
    return values.Holders.parse([{"id": i, "name": f"Holder {i}", "kind": "citizen", "share": s} for i, s in pairs])


def hgb_title(ends_on: str = "2040-01-01", **extra: Any) -> Title:
    """An HGB title held by budi alone, ending on `ends_on`, with its creation event collected."""
    title = Title.register(NUMBER, NIB, owners(("budi", "1/1")), Term("HGB", "2025-02-01", ends_on),
                           Decimal("10000.00"), PROVENANCE, **extra)
    title.collect_events()
    return title


def replay(events: list[Any]) -> Title:
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)  # type: ignore[arg-type, return-value]


def test_registered_title_is_active_at_edition_one() -> None:
    title = hgb_title()
    assert (title.status, title.edition, title.version) == ("active", 1, 1)
    assert title.holders == owners(("budi", "1/1")).as_list()


# -- blocks (invariant 8) -------------------------------------------------------------------

def test_transfer_rejected_while_blocked() -> None:
    title = hgb_title()
    title.place_block("sita", "Pengadilan Negeri Jakarta Selatan", None, TODAY, PROVENANCE)
    version = title.version
    with pytest.raises(TitleBlocked):
        title.transfer("sale", owners(("sari", "1/1")), [], TODAY, PROVENANCE)
    assert title.version == version and title.holders == owners(("budi", "1/1")).as_list()


def test_mortgage_and_closing_rejected_while_blocked() -> None:
    title = hgb_title()
    title.place_block("blokir", "Budi's heirs", None, TODAY, PROVENANCE)
    with pytest.raises(TitleBlocked):
        title.register_mortgage(BANK_BRI, Decimal("1000.00"), None, TODAY, PROVENANCE)
    with pytest.raises(TitleBlocked):
        title.close("subdivided", ["31740101300002"], TODAY, PROVENANCE)


def test_transfer_allowed_once_the_blocks_until_date_has_passed() -> None:
    title = hgb_title()
    title.place_block("blokir", "Budi's heirs", "2026-06-10", TODAY, PROVENANCE)
    # The block still holds on its `until` day itself.
    with pytest.raises(TitleBlocked):
        title.transfer("sale", owners(("sari", "1/1")), [], date(2026, 6, 10), PROVENANCE)
    title.transfer("sale", owners(("sari", "1/1")), [], date(2026, 6, 11), PROVENANCE)
    assert title.holders == owners(("sari", "1/1")).as_list() and title.edition == 2


def test_block_expires_only_after_its_until_date() -> None:
    title = hgb_title()
    block_id = title.place_block("blokir", "Budi's heirs", "2026-06-10", TODAY, PROVENANCE)
    with pytest.raises(InvalidInput) as caught:
        title.expire_block(block_id, date(2026, 6, 10), PROVENANCE)
    assert caught.value.field == "block_id"
    title.expire_block(block_id, date(2026, 6, 11), PROVENANCE)
    assert title.blocks[block_id]["status"] == "expired"


def test_block_without_an_until_date_never_expires() -> None:
    title = hgb_title()
    block_id = title.place_block("sita", "PN Jakarta Selatan", None, TODAY, PROVENANCE)
    with pytest.raises(InvalidInput):
        title.expire_block(block_id, date(2039, 1, 1), PROVENANCE)


def test_block_until_a_past_date_is_rejected() -> None:
    with pytest.raises(InvalidInput) as caught:
        hgb_title().place_block("blokir", "Budi's heirs", "2026-05-31", TODAY, PROVENANCE)
    assert caught.value.field == "until"


def test_lifted_block_cannot_be_lifted_again_and_unknown_block_is_not_found() -> None:
    title = hgb_title()
    block_id = title.place_block("blokir", "Budi's heirs", None, TODAY, PROVENANCE)
    title.lift_block(block_id, TODAY, PROVENANCE)
    with pytest.raises(InvalidInput):
        title.lift_block(block_id, TODAY, PROVENANCE)
    with pytest.raises(NotFound):
        title.lift_block("BL99", TODAY, PROVENANCE)
    title.transfer("gift", owners(("sari", "1/1")), [], TODAY, PROVENANCE)


# -- mortgages (invariant 9) ----------------------------------------------------------------

def mortgage(title: Title, amount: str = "1000.00", rank: int | None = None) -> str:
    return title.register_mortgage(BANK_BRI, Decimal(amount), rank, TODAY, PROVENANCE)


def test_mortgage_ranks_follow_registration_order() -> None:
    title = hgb_title()
    ids = [mortgage(title) for _ in range(3)]
    assert [title.mortgages[i]["rank"] for i in ids] == [1, 2, 3]


def test_next_rank_is_one_above_the_highest_active_rank() -> None:
    # As implemented in Title.register_mortgage: next rank = max(active ranks) + 1, so a
    # released middle rank is not reused, while a released top rank is.
    title = hgb_title()
    first, second, third = (mortgage(title) for _ in range(3))
    title.release_mortgage(second, TODAY, PROVENANCE)
    fourth = mortgage(title)
    assert title.mortgages[fourth]["rank"] == 4
    title.release_mortgage(fourth, TODAY, PROVENANCE)
    title.release_mortgage(third, TODAY, PROVENANCE)
    fifth = mortgage(title)
    assert title.mortgages[fifth]["rank"] == 2
    assert [m["mortgage_id"] for m in title.active_mortgages()] == [first, fifth]
    assert len({m["rank"] for m in title.active_mortgages()}) == len(title.active_mortgages())


def test_mortgage_with_a_rank_other_than_the_next_is_rejected() -> None:
    title = hgb_title()
    mortgage(title)
    with pytest.raises(MortgageError) as caught:
        mortgage(title, rank=1)
    assert caught.value.details["next_rank"] == 2
    assert title.mortgages[mortgage(title, rank=2)]["rank"] == 2


def test_release_of_an_unknown_mortgage_is_not_found() -> None:
    with pytest.raises(NotFound):
        hgb_title().release_mortgage("HT9", TODAY, PROVENANCE)


def test_released_mortgage_cannot_be_released_again() -> None:
    title = hgb_title()
    mortgage_id = mortgage(title)
    title.release_mortgage(mortgage_id, TODAY, PROVENANCE)
    with pytest.raises(MortgageError):
        title.release_mortgage(mortgage_id, TODAY, PROVENANCE)


def test_mortgage_follows_the_land_through_a_transfer() -> None:
    title = hgb_title()
    mortgage_id = mortgage(title)
    title.transfer("auction", owners(("sari", "1/1")), [], TODAY, PROVENANCE)
    assert [m["mortgage_id"] for m in title.active_mortgages()] == [mortgage_id]


def test_new_mortgage_keeps_a_mortgage_carried_over_from_the_parent_title() -> None:
    # Regression: ids were HT{len(mortgages)+1}, so a child title carrying only HT2 named its
    # next mortgage HT2 as well and overwrote the bank's carried mortgage.
    carried = {"mortgage_id": "HT2", "rank": 2, "creditor": BANK_BRI, "amount": Decimal("5000.00"),
               "status": "active"}
    title = hgb_title(origin="subdivision", predecessors=["31740101300000"], mortgages=[carried])
    new = title.register_mortgage({"id": "bni", "name": "Bank BNI"}, Decimal("7000.00"), None, TODAY, PROVENANCE)
    assert new != "HT2"
    assert [m["creditor"]["id"] for m in title.active_mortgages()] == ["bri", "bni"]


# -- terms (invariant 7) --------------------------------------------------------------------

def test_extend_before_the_end_moves_the_end_date_and_issues_a_new_edition() -> None:
    title = hgb_title("2040-01-01")
    title.extend("2060-01-01", TODAY, PROVENANCE)
    assert (title.ends_on, title.edition) == ("2060-01-01", 2)


@pytest.mark.parametrize("ends_on", ["2039-12-31", "2040-01-01"])
def test_extend_to_a_date_not_after_the_current_end_is_rejected(ends_on: str) -> None:
    title = hgb_title("2040-01-01")
    with pytest.raises(TermError) as caught:
        title.extend(ends_on, TODAY, PROVENANCE)
    assert caught.value.field == "ends_on"
    assert (title.ends_on, title.edition) == ("2040-01-01", 1)


def test_extend_after_the_term_ended_is_rejected() -> None:
    title = hgb_title("2030-01-01")
    with pytest.raises(TitleNotActive):
        title.extend("2050-01-01", date(2030, 1, 2), PROVENANCE)


def test_hak_milik_has_no_term_to_extend() -> None:
    title = Title.register(NUMBER, NIB, owners(("budi", "1/1")), Term("HM", "2025-02-01", None), Decimal("1.00"),
                           PROVENANCE)
    with pytest.raises(TermError):
        title.extend("2060-01-01", TODAY, PROVENANCE)


def test_renew_before_the_term_ended_is_rejected() -> None:
    title = hgb_title("2030-01-01")
    with pytest.raises(TermError):
        title.renew("2060-01-01", date(2030, 1, 1), PROVENANCE)
    assert title.edition == 1


def test_renew_after_the_term_ended_grants_a_new_term() -> None:
    title = hgb_title("2030-01-01")
    title.renew("2060-01-01", date(2030, 1, 2), on("2030-01-02"))
    assert (title.status, title.ends_on, title.edition) == ("active", "2060-01-01", 2)


def test_renew_of_an_expired_title_makes_it_active_again() -> None:
    title = hgb_title("2030-01-01")
    title.expire(date(2030, 1, 2), PROVENANCE)
    assert title.status == "expired"
    with pytest.raises(TitleNotActive):
        title.transfer("sale", owners(("sari", "1/1")), [], date(2030, 1, 2), PROVENANCE)
    title.renew("2060-01-01", date(2030, 1, 2), on("2030-01-02"))
    assert (title.status, title.ends_on, title.edition) == ("active", "2060-01-01", 2)


@pytest.mark.parametrize("today", [TODAY, date(2030, 1, 1)])
def test_expire_before_the_end_is_rejected(today: date) -> None:
    title = hgb_title("2030-01-01")
    with pytest.raises(TermError):
        title.expire(today, PROVENANCE)
    assert title.status == "active"


def test_expire_twice_is_rejected() -> None:
    title = hgb_title("2030-01-01")
    title.expire(date(2030, 1, 2), PROVENANCE)
    with pytest.raises(TitleNotActive):
        title.expire(date(2030, 1, 3), PROVENANCE)


# -- cancellation ---------------------------------------------------------------------------

def test_transfer_after_cancellation_is_rejected() -> None:
    title = hgb_title()
    title.cancel("decree of cancellation", PROVENANCE)
    with pytest.raises(TitleNotActive) as caught:
        title.transfer("sale", owners(("sari", "1/1")), [], TODAY, PROVENANCE)
    assert caught.value.details["title_status"] == "cancelled"


def test_cancelled_title_cannot_be_cancelled_renewed_or_mortgaged() -> None:
    title = hgb_title()
    title.cancel("decree of cancellation", PROVENANCE)
    with pytest.raises(TitleNotActive):
        title.cancel("again", PROVENANCE)
    with pytest.raises(TitleNotActive):
        title.renew("2060-01-01", TODAY, PROVENANCE)
    with pytest.raises(TitleNotActive):
        mortgage(title)


# -- holders --------------------------------------------------------------------------------

def test_correction_that_changes_shares_is_rejected() -> None:
    title = Title.register(NUMBER, NIB, owners(("budi", "1/2"), ("sari", "1/2")), Term("HM", "2025-02-01", None),
                           Decimal("1.00"), PROVENANCE)
    with pytest.raises(InvalidInput) as caught:
        title.correct_holder_data(owners(("budi", "1/3"), ("sari", "2/3")), [], TODAY, PROVENANCE)
    assert caught.value.field == "holders"
    with pytest.raises(InvalidInput):
        title.correct_holder_data(owners(("budi", "1/2"), ("ani", "1/2")), [], TODAY, PROVENANCE)
    assert title.edition == 1


def test_correction_of_a_name_keeps_ids_and_shares_and_issues_a_new_edition() -> None:
    title = hgb_title()
    corrected = values.Holders.parse([{"id": "budi", "name": "Budi Santoso", "kind": "citizen", "share": "1/1"}])
    title.correct_holder_data(corrected, [], TODAY, PROVENANCE)
    assert (title.holders[0]["name"], title.edition) == ("Budi Santoso", 2)


def test_transfer_of_hak_milik_to_a_foreigner_is_rejected() -> None:
    title = Title.register(NUMBER, NIB, owners(("budi", "1/1")), Term("HM", "2025-02-01", None), Decimal("1.00"),
                           PROVENANCE)
    foreigner = values.Holders.parse([{"id": "john", "name": "John", "kind": "foreigner", "share": "1/1"}])
    with pytest.raises(EligibilityError):
        title.transfer("sale", foreigner, [], TODAY, PROVENANCE)


# -- editions and replay (invariant 10) -----------------------------------------------------

def drive_through_commands(title: Title) -> list[int]:
    """A varied sequence of commands; returns the edition after each."""
    steps = [
        lambda: title.transfer("sale", owners(("sari", "1/2"), ("ani", "1/2")), [], TODAY, PROVENANCE),
        lambda: mortgage(title, "250000000.00"),
        lambda: title.extend("2050-01-01", TODAY, PROVENANCE),
        lambda: title.place_block("blokir", "Ani's creditor", "2026-07-01", TODAY, PROVENANCE),
        lambda: title.lift_block("BL1", TODAY, PROVENANCE),
        lambda: title.replace_certificate("lost in a flood", TODAY, PROVENANCE),
        lambda: title.change_area(Decimal("10201.00"), TODAY, PROVENANCE),
        lambda: title.release_mortgage("HT1", TODAY, PROVENANCE),
        lambda: title.transfer("inheritance", owners(("dewi", "1/1")), [], TODAY, PROVENANCE),
        lambda: title.renew("2080-01-01", date(2050, 1, 2), on("2050-01-02")),
    ]
    editions = []
    for step in steps:
        step()
        editions.append(title.edition)
    return editions


def test_editions_never_decrease_and_rise_with_every_change_of_holders_term_or_area() -> None:
    editions = drive_through_commands(hgb_title("2040-01-01"))
    assert editions == [2, 2, 3, 3, 3, 4, 5, 5, 6, 7]
    assert all(later >= earlier for earlier, later in itertools.pairwise(editions))


def test_replaying_a_titles_events_rebuilds_the_live_title() -> None:
    live = Title.register(NUMBER, NIB, owners(("budi", "1/1")), Term("HGB", "2025-02-01", "2040-01-01"),
                          Decimal("10000.00"), PROVENANCE)
    drive_through_commands(live)
    events = live.collect_events()
    assert [e.originator_version for e in events] == list(range(1, 12))
    rebuilt = replay(events)
    assert rebuilt.__dict__ == live.__dict__
    assert rebuilt.version == 11 and rebuilt.edition == 7


def test_replaying_up_to_each_event_gives_that_events_state() -> None:
    live = Title.register(NUMBER, NIB, owners(("budi", "1/1")), Term("HGB", "2025-02-01", "2040-01-01"),
                          Decimal("10000.00"), PROVENANCE)
    states = []
    for _ in range(3):
        mortgage(live)
        states.append(sorted(live.mortgages))
    events = live.collect_events()
    for count, expected in enumerate(states, start=1):
        assert sorted(replay(events[:count + 1]).mortgages) == expected


def test_editions_recorded_in_events_strictly_increase() -> None:
    live = Title.register(NUMBER, NIB, owners(("budi", "1/1")), Term("HGB", "2025-02-01", "2040-01-01"),
                          Decimal("10000.00"), PROVENANCE)
    drive_through_commands(live)
    editions = [e.edition for e in live.collect_events() if hasattr(e, "edition")]
    assert editions == list(range(2, 8))


def test_term_question_uses_the_day_after_the_end() -> None:
    title = hgb_title("2030-01-01")
    end = date(2030, 1, 1)
    assert not title.term_ended(end)
    assert title.term_ended(end + timedelta(days=1))


def test_terms_near_the_year_9999_neither_overflow_nor_pass_the_limits() -> None:
    title = hgb_title("9999-12-30")  # a legacy term as recorded; the first-grant limit is the command's
    title.extend("9999-12-31", TODAY, PROVENANCE)
    assert title.ends_on == "9999-12-31"
    assert not title.renewable_on("9999-12-31")
    with pytest.raises(TermError):
        title.extend("9999-12-31", TODAY, PROVENANCE)  # the one extension is used


# -- what the aggregate takes: validated values (invariants 5, 6, 7) --------------------------

def test_a_title_cannot_be_handed_shares_that_do_not_sum_to_one() -> None:
    raw = [{"id": "budi", "name": "Budi", "kind": "citizen", "share": "1/2"}]
    with pytest.raises(ShareError):
        Title.register(NUMBER, NIB, raw, Term("HM", "2025-02-01", None), Decimal("1.00"), PROVENANCE)  # type: ignore[arg-type]
    title = hgb_title()
    with pytest.raises(ShareError):
        title.transfer("sale", raw, {}, TODAY, PROVENANCE)  # type: ignore[arg-type]
    assert title.version == 1 and not title.collect_events()


def test_a_term_beyond_its_first_grant_cannot_be_made() -> None:
    with pytest.raises(TermError) as caught:
        Term("HGB", "2025-02-01", "2055-02-02", first_years=30)
    assert "2055-02-01" in caught.value.reason
    assert Term("HGB", "2025-02-01", "2055-02-01", first_years=30).ends_on == "2055-02-01"


def test_a_termed_right_without_an_end_needs_holders_who_hold_it_while_used() -> None:
    with pytest.raises(TermError):
        Title.register(NUMBER, NIB, owners(("budi", "1/1")), Term("HGB", "2025-02-01", None), Decimal("1.00"),
                       PROVENANCE)
    government = values.Holders.parse([{"id": "pemda", "name": "Pemda", "kind": "government", "share": "1/1"}])
    title = Title.register(NUMBER, NIB, government, Term("HP", "2025-02-01", None), Decimal("1.00"), PROVENANCE, {})
    assert title.ends_on is None


def test_a_first_registration_checks_its_holders_eligibility_itself() -> None:
    foreigner = values.Holders.parse([{"id": "john", "name": "John", "kind": "foreigner", "share": "1/1"}])
    with pytest.raises(EligibilityError):
        Title.register(NUMBER, NIB, foreigner, Term("HM", "2025-02-01", None), Decimal("1.00"), PROVENANCE, {})
