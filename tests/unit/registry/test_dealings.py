"""Annulling a dealing on the Title aggregate alone (no database): what each kind restores, the
latest-first rule, and that replaying the events gives the same title."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registry.domain import values
from registry.domain.errors import DealingAnnulled, InvalidInput, LaterDealings, NotFound
from registry.domain.provenance import Provenance
from registry.domain.rights import Term
from registry.domain.title import Title

TODAY = date(2026, 6, 1)
OFFICER = values.Actor("officer-1", "officer")
DEED = {"kind": "deed", "number": "AJB-1/2025", "date": "2025-02-01", "sha256": "b" * 64}
COURT = {"kind": "court_order", "number": "PN-1/2026", "date": "2026-05-01", "sha256": "c" * 64}
BANK = {"id": "bri", "name": "Bank BRI"}


def at(source: dict[str, str]) -> Provenance:
    return Provenance(OFFICER, source, source["date"], "command-1")


def holder(name: str) -> values.Holders:
    return values.Holders.parse([{"id": name, "name": name, "kind": "citizen", "share": "1/1"}])


def title() -> Title:
    return Title.register("31740101100001", "3174010100001", holder("budi"), Term("HM", "2025-02-01", None),
                          Decimal(100), at(DEED))


def replayed(original: Title) -> Title:
    events = original.collect_events()
    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    assert rebuilt is not None
    return rebuilt


def test_each_kind_of_dealing_is_undone_by_its_annulment_latest_first() -> None:
    t = title()
    t.transfer("sale", holder("sari"), {}, TODAY, at({**DEED, "date": "2025-03-01"}))
    sale = t.last_dealing_id
    mortgage = t.register_mortgage(BANK, Decimal(10), None, TODAY, at({**DEED, "date": "2025-04-01"}))
    loan = t.last_dealing_id
    t.release_mortgage(mortgage, TODAY, at({**DEED, "date": "2025-05-01"}))
    release = t.last_dealing_id
    block = t.place_block("blokir", "PN Jakarta", None, TODAY, at(COURT), "court")
    placed = t.last_dealing_id
    with pytest.raises(LaterDealings) as later:
        t.annul_dealing(str(sale), "court_decision", TODAY, at(COURT))
    assert later.value.details["dealing_ids"] == [loan, release, placed]
    t.annul_dealing(str(placed), "court_decision", TODAY, at(COURT))
    assert block not in t.blocks
    t.annul_dealing(str(release), "court_decision", TODAY, at(COURT))
    assert t.mortgages[mortgage]["status"] == "active"
    t.annul_dealing(str(loan), "court_decision", TODAY, at(COURT))
    assert t.mortgages == {}
    t.annul_dealing(str(sale), "court_decision", TODAY, at(COURT))
    assert [h["id"] for h in t.holders] == ["budi"] and t.edition == 6
    with pytest.raises(DealingAnnulled):
        t.annul_dealing(str(sale), "court_decision", TODAY, at(COURT))
    with pytest.raises(NotFound):
        t.annul_dealing("DL99", "court_decision", TODAY, at(COURT))
    rebuilt = replayed(t)
    assert (rebuilt.holders, rebuilt.mortgages, rebuilt.blocks, rebuilt.edition, rebuilt.dealings) == (
        t.holders, t.mortgages, t.blocks, t.edition, t.dealings)


def test_an_annulment_dated_before_its_dealing_is_refused() -> None:
    t = title()
    t.transfer("sale", holder("sari"), {}, TODAY, at({**DEED, "date": "2025-03-01"}))
    with pytest.raises(InvalidInput) as refused:
        t.annul_dealing(str(t.last_dealing_id), "court_decision", TODAY, at({**COURT, "date": "2025-02-15"}))
    assert refused.value.field == "source.date"


def test_a_release_annulled_after_the_right_ended_leaves_the_mortgage_ended() -> None:
    t = Title.register("31740101300001", "3174010100001", holder("budi"), Term("HGB", "2025-02-01", "2026-01-01"),
                       Decimal(100), at(DEED))
    then = date(2025, 6, 1)  # within the term
    mortgage = t.register_mortgage(BANK, Decimal(10), None, then, at({**DEED, "date": "2025-04-01"}))
    t.release_mortgage(mortgage, then, at({**DEED, "date": "2025-05-01"}))
    release = t.last_dealing_id
    t.expire(TODAY, at({**DEED, "date": "2026-02-01"}))
    t.renew("2046-01-01", TODAY, at({**DEED, "date": "2026-03-01"}), (30, 20, 30))
    t.annul_dealing(str(release), "court_decision", TODAY, at(COURT))
    assert t.mortgages[mortgage]["status"] == "ended"
