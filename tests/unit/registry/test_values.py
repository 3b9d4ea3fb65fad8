"""registry.domain.values parsers: shares and holders (invariant 5), dates (invariant 13), documents, money."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from registry.domain import values
from registry.domain.errors import FutureDate, InvalidInput, ShareError

TODAY = date(2026, 6, 1)
DOCUMENT = {"kind": "deed", "number": "AJB-17/2025", "date": "2025-02-01", "sha256": "b" * 64}


def holder(holder_id: str, share: object, kind: str = "citizen") -> dict[str, Any]:
    return {"id": holder_id, "name": f"Holder {holder_id}", "kind": kind, "share": share}


def rejection(error: type[InvalidInput], call: Any, *args: Any) -> InvalidInput:
    with pytest.raises(error) as caught:
        call(*args)
    return caught.value


# -- shares and holders (invariant 5) -------------------------------------------------------

@given(
    weights=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=8),
    scale=st.integers(min_value=1, max_value=7),
)
def test_any_split_of_one_into_positive_fractions_is_accepted_and_sums_to_exactly_one(
    weights: list[int], scale: int,
) -> None:
    total = sum(weights)
    # Scaling numerator and denominator alike keeps the value but leaves the fraction unreduced.
    raw = [holder(f"h{index}", f"{w * scale}/{total * scale}") for index, w in enumerate(weights)]
    parsed = values.Holders.parse(raw)
    shares = [Fraction(item["share"]) for item in parsed]
    assert sum(shares, Fraction(0)) == Fraction(1)
    assert shares == [Fraction(w, total) for w in weights]
    assert [item["share"] for item in parsed] == [values.format_share(Fraction(w, total)) for w in weights]


@given(
    fractions=st.lists(
        st.tuples(st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=50)),
        min_size=1, max_size=8,
    )
)
def test_any_holder_list_whose_shares_do_not_sum_to_one_is_rejected(fractions: list[tuple[int, int]]) -> None:
    assume(sum((Fraction(p, q) for p, q in fractions), Fraction(0)) != 1)
    raw = [holder(f"h{index}", f"{p}/{q}") for index, (p, q) in enumerate(fractions)]
    rejected = rejection(ShareError, values.Holders.parse, raw)
    assert rejected.field == "holders"
    assert "sum to exactly 1" in rejected.reason


MALFORMED_SHARES = ["0/1", "1/0", "-1/2", "1/-2", "-1/-2", "0.5", "1", "", None, 0.5, 1, "a/b", "1/2/3",
                    " 1/2", "+1/2", "1 / 2"]


@pytest.mark.parametrize("share", MALFORMED_SHARES, ids=repr)
def test_malformed_share_is_rejected_naming_the_field(share: object) -> None:
    rejected = rejection(ShareError, values.Holders.parse, [holder("budi", share)])
    assert rejected.field == "holders[0].share"


@pytest.mark.parametrize("share", ["0/1", "1/0", "0.5", None])
def test_malformed_share_of_the_second_holder_names_its_index(share: object) -> None:
    rejected = rejection(ShareError, values.Holders.parse, [holder("budi", "1/2"), holder("sari", share)])
    assert rejected.field == "holders[1].share"


@pytest.mark.parametrize("share", ["\uff11/\uff12", "\u0661/\u0662"], ids=["full-width", "arabic-indic"])
def test_share_written_with_non_ascii_digits_is_rejected(share: str) -> None:
    assert rejection(ShareError, values.share, share, "share").field == "share"


def test_share_with_zero_denominator_is_rejected() -> None:
    rejected = rejection(ShareError, values.share, "1/0", "share")
    assert rejected.field == "share" and "denominator" in rejected.reason


def test_shares_are_stored_in_lowest_terms() -> None:
    parsed = values.Holders.parse([holder("budi", "2/4"), holder("sari", "3/6")])
    assert [item["share"] for item in parsed] == ["1/2", "1/2"]


def test_sole_holder_share_is_written_one_over_one() -> None:
    assert values.Holders.parse([holder("budi", "7/7")])[0]["share"] == "1/1"


def test_holder_listed_twice_is_rejected_naming_the_second_entry() -> None:
    rejected = rejection(ShareError, values.Holders.parse, [holder("budi", "1/2"), holder("budi", "1/2")])
    assert rejected.field == "holders[1].id"


def test_empty_holder_list_is_rejected() -> None:
    assert rejection(ShareError, values.Holders.parse, []).field == "holders"


@pytest.mark.parametrize("value", [None, "budi", {"id": "budi"}])
def test_holders_that_are_not_a_list_are_rejected(value: object) -> None:
    assert rejection(ShareError, values.Holders.parse, value).field == "holders"


def test_unknown_holder_kind_is_rejected_naming_the_field() -> None:
    rejected = rejection(InvalidInput, values.Holders.parse, [holder("budi", "1/1", kind="martian")])
    assert rejected.field == "holders[0].kind"


def test_holder_list_field_name_is_the_one_given() -> None:
    rejected = rejection(ShareError, values.Holders.parse, [holder("budi", "1/3")], "to")
    assert rejected.field == "to"


def test_holder_name_is_kept_verbatim() -> None:
    name = "Robert'); DROP TABLE landreg_events;--"
    parsed = values.Holders.parse([{"id": "bobby", "name": name, "kind": "citizen", "share": "1/1"}])
    assert parsed[0]["name"] == name


# -- dates (invariant 13) -------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2025-13-01", "2025-02-30", "2025-1-1", "20250101", 20250101, None,
                                   "", "2025-01-01T00:00:00", date(2025, 1, 1)], ids=repr)
def test_iso_date_rejects_anything_but_yyyy_mm_dd(value: object) -> None:
    rejected = rejection(InvalidInput, values.iso_date, value, "effective_at")
    assert rejected.field == "effective_at"


def test_iso_date_rejects_an_iso_week_date() -> None:
    # Regression: date.fromisoformat takes '2025-W01-1' (ten characters) as 2024-12-30.
    rejection(InvalidInput, values.iso_date, "2025-W01-1", "effective_at")


def test_iso_date_after_today_is_a_future_date() -> None:
    rejected = rejection(FutureDate, values.iso_date, "2026-06-02", "effective_at", TODAY)
    assert rejected.field == "effective_at"


def test_iso_date_of_today_is_accepted() -> None:
    assert values.iso_date("2026-06-01", "effective_at", TODAY) == "2026-06-01"


def test_iso_date_without_today_accepts_a_later_date() -> None:
    assert values.iso_date("2040-01-01", "ends_on") == "2040-01-01"


# -- source documents -----------------------------------------------------------------------

def test_source_document_is_parsed_with_a_lower_case_digest() -> None:
    parsed = values.source_document({**DOCUMENT, "sha256": "B" * 64}, TODAY)
    assert parsed == {**DOCUMENT, "sha256": "b" * 64}


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "napkin"}, "source.kind"),
    ({"sha256": "b" * 63}, "source.sha256"),
    ({"sha256": "g" * 64}, "source.sha256"),
    ({"number": None}, "source.number"),
    ({"number": "   "}, "source.number"),
    ({"date": "2026-06-02"}, "source.date"),
])
def test_bad_source_document_is_rejected_naming_the_field(change: dict[str, Any], field: str) -> None:
    rejected = rejection(InvalidInput, values.source_document, {**DOCUMENT, **change}, TODAY)
    assert rejected.field == field


def test_source_document_without_a_number_is_rejected() -> None:
    document = {key: value for key, value in DOCUMENT.items() if key != "number"}
    assert rejection(InvalidInput, values.source_document, document, TODAY).field == "source.number"


def test_source_document_that_is_not_an_object_is_rejected() -> None:
    assert rejection(InvalidInput, values.source_document, "AJB-17", TODAY).field == "source"


def test_survey_dated_after_today_is_a_future_date() -> None:
    survey = {"document_number": "GU-1", "document_sha256": "a" * 64, "surveyed_on": "2026-06-02"}
    assert rejection(FutureDate, values.survey_document, survey, TODAY).field == "survey.surveyed_on"


# -- money ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [250000000.0, 5, None, "abc", "-5", "0", "0.00", "NaN", "sNaN", "Infinity",
                                   "-Infinity", "1.001", "1e19", ""], ids=repr)
def test_amount_that_is_not_a_positive_decimal_string_is_rejected(value: object) -> None:
    assert rejection(InvalidInput, values.amount, value, "amount").field == "amount"


def test_amount_in_rupiah_with_cents_is_an_exact_decimal() -> None:
    parsed = values.amount("250000000.00", "amount")
    assert isinstance(parsed, Decimal) and parsed == Decimal("250000000.00")


# -- actors ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("user_id", "role", "field"), [("", "officer", "actor.user_id"),
                                                        ("budi", "king", "actor.role")])
def test_actor_without_an_id_or_with_an_unknown_role_is_rejected(user_id: str, role: str, field: str) -> None:
    assert rejection(InvalidInput, values.Actor, user_id, role).field == field


def test_holders_made_from_recorded_entries_are_checked_too() -> None:
    with pytest.raises(ShareError) as caught:
        values.Holders([holder("budi", "2/4")])
    assert caught.value.field == "holders[0].share"  # as recorded, shares are in lowest terms
    with pytest.raises(ShareError):
        values.Holders([holder("budi", "1/2"), holder("budi", "1/2")])
    with pytest.raises(InvalidInput) as unnamed:
        values.Holders([{"name": "Budi", "kind": "citizen", "share": "1/1"}])
    assert unnamed.value.field == "holders[0].id"
    kept = values.Holders.parse([holder("budi", "1/1")])
    assert values.Holders.of(kept) is kept and values.Holders.of(kept.as_list()) == kept
