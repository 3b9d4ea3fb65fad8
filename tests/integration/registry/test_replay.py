"""Aggregates rebuilt from the stored log: equal to the live ones, at every version, and from snapshots."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pytest

from registry.application.registry import Registry
from registry.domain import errors
from registry.domain.identifiers import parcel_id, title_id
from registry.domain.title import Title
from tests.geometries import square
from tests.support import COURT, DEED, LAT, LON, OFFICER, SURVEY, SURVEYOR, citizen, titled

BANK_BRI = {"id": "bri", "name": "Bank BRI"}
BANK_BNI = {"id": "bni", "name": "Bank BNI"}


def fold(events: Iterable[Any]) -> Any:
    """The aggregate the events make, folded from nothing (no snapshot)."""
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


def state(title: Title) -> dict[str, Any]:
    """What a reader of a title sees, for comparing a title at one version with another."""
    return {
        "version": title.version, "edition": title.edition, "status": title.status, "holders": title.holders,
        "ends_on": title.ends_on, "area_m2": title.area_m2, "mortgages": title.mortgages, "blocks": title.blocks,
    }


def drive_title_through_varied_commands(registry: Registry) -> tuple[str, str, list[dict[str, Any]]]:
    """An HGB title taken through eleven commands; returns its NIB, certificate number and the
    state read after each of its events (index i is version i + 1)."""
    nib = titled(registry, "HGB", holders=[citizen("budi", "1/2"), citizen("sari", "1/2")], ends_on="2040-01-01")
    title = registry.title_on(nib)
    assert title is not None
    number = title.certificate_number
    after = [state(registry.get_title(number))]
    commands = [
        lambda: registry.transfer_ownership(nib, "sale", [citizen("ani", "2/3"), citizen("dewi", "1/3")],
                                            "2025-03-01", DEED, actor=OFFICER),
        lambda: registry.register_mortgage(nib, BANK_BRI, "250000000.00", DEED, actor=OFFICER),
        lambda: registry.register_mortgage(nib, BANK_BNI, "100000000.50", DEED, rank=2, actor=OFFICER),
        lambda: registry.place_block(nib, "blokir", "Dewi's creditor", "2026-12-31", COURT, actor=OFFICER),
        lambda: registry.lift_block(nib, "BL1", COURT, actor=OFFICER),
        lambda: registry.release_mortgage(nib, "HT1", DEED, actor=OFFICER),
        lambda: registry.extend_right(nib, "2060-01-01", DEED, actor=OFFICER),
        lambda: registry.correct_holder_data(
            nib, [citizen("ani", "2/3", name="Ani Wijaya"), citizen("dewi", "1/3")], DEED, actor=OFFICER),
        lambda: registry.correct_boundary(nib, square(LON, LAT, 101), SURVEY, actor=SURVEYOR),
        lambda: registry.replace_certificate(nib, "lost in a flood", DEED, actor=OFFICER),
        lambda: registry.transfer_ownership(nib, "inheritance", [citizen("eka")], "2025-04-01",
                                             {**DEED, "kind": "inheritance_certificate"},
                                            actor=OFFICER),
    ]
    for command in commands:
        command()
        after.append(state(registry.get_title(number)))
    return nib, number, after


# (a) rebuilt equals live ----------------------------------------------------------------

def test_title_rebuilt_from_its_stored_events_equals_the_one_the_registry_loads(registry: Registry) -> None:
    _, number, _ = drive_title_through_varied_commands(registry)
    loaded = registry.get_title(number)
    rebuilt = fold(registry.events.get(title_id(number)))
    assert rebuilt.__dict__ == loaded.__dict__
    assert (rebuilt.version, rebuilt.edition) == (12, 7)
    assert rebuilt.holders == [citizen("eka")]
    assert {m["mortgage_id"]: m["status"] for m in rebuilt.mortgages.values()} == {"HT1": "released", "HT2": "active"}
    assert rebuilt.mortgages["HT2"]["amount"] == Decimal("100000000.50")
    assert rebuilt.ends_on == "2060-01-01"


def test_parcel_rebuilt_from_its_stored_events_equals_the_one_the_registry_loads(registry: Registry) -> None:
    nib, number, _ = drive_title_through_varied_commands(registry)
    loaded = registry.get_parcel(nib)
    rebuilt = fold(registry.events.get(parcel_id(nib)))
    assert rebuilt.__dict__ == loaded.__dict__
    assert rebuilt.certificate_number == number and rebuilt.version == 3


# (b) every version ------------------------------------------------------------------------

def test_title_at_each_version_is_the_state_after_that_event(registry: Registry) -> None:
    _, number, after = drive_title_through_varied_commands(registry)
    assert [s["version"] for s in after] == list(range(1, len(after) + 1))
    for expected in after:
        assert state(registry.get_title(number, version=expected["version"])) == expected
    # Spot checks against the commands themselves, not only against earlier reads.
    assert [s["edition"] for s in after] == [1, 2, 2, 2, 2, 2, 2, 3, 4, 5, 6, 7]
    assert after[0]["holders"] == [citizen("budi", "1/2"), citizen("sari", "1/2")]
    assert [h["id"] for h in after[1]["holders"]] == ["ani", "dewi"]
    assert after[8]["holders"][0]["name"] == "Ani Wijaya"
    assert after[4]["blocks"]["BL1"]["status"] == "active" and after[5]["blocks"]["BL1"]["status"] == "lifted"


def test_parcel_at_each_version_is_the_state_after_that_event(registry: Registry) -> None:
    nib, number, _ = drive_title_through_varied_commands(registry)
    surveyed, titled_parcel, corrected = (registry.get_parcel(nib, version=v) for v in (1, 2, 3))
    assert surveyed.certificate_number is None and surveyed.version == 1
    assert titled_parcel.certificate_number == number and titled_parcel.shape == surveyed.shape
    assert corrected.area_m2 == pytest.approx(Decimal(10201), abs=Decimal("0.05"))
    assert surveyed.area_m2 == pytest.approx(Decimal(10000), abs=Decimal("0.05"))
    assert len(corrected.surveys) == 2


@pytest.mark.parametrize("beyond", [1, 100])
def test_version_beyond_the_latest_is_not_found(registry: Registry, beyond: int) -> None:
    nib, number, after = drive_title_through_varied_commands(registry)
    latest = after[-1]["version"]
    with pytest.raises(errors.NotFound) as caught:
        registry.get_title(number, version=latest + beyond)
    assert str(latest) in caught.value.message
    with pytest.raises(errors.NotFound):
        registry.get_parcel(nib, version=3 + beyond)


def test_version_zero_is_not_found(registry: Registry) -> None:
    nib = titled(registry)
    with pytest.raises(errors.NotFound):
        registry.get_parcel(nib, version=0)


# (c) snapshots ----------------------------------------------------------------------------

PAIRS = 500  # the title's own registration + 500 (place, lift) pairs = version 1001


def test_title_with_a_thousand_events_loads_from_its_snapshot(
    registry: Registry, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert registry.settings.snapshot_interval == 100
    nib = titled(registry)
    title = registry.title_on(nib)
    assert title is not None
    number, aggregate_id = title.certificate_number, title.id
    for _ in range(PAIRS):
        block_id = registry.place_block(nib, "blokir", "PN Jakarta Selatan", None, COURT, actor=OFFICER)["block_id"]
        registry.lift_block(nib, block_id, COURT, actor=OFFICER)

    snapshots = registry.snapshots
    assert snapshots is not None
    latest_snapshot = list(snapshots.get(aggregate_id, desc=True, limit=1))
    assert [s.originator_version for s in latest_snapshot] == [1000]
    assert [s.originator_version for s in snapshots.get(aggregate_id)] == list(range(100, 1001, 100))

    assert registry.repository.event_store is registry.events
    calls: list[dict[str, Any]] = []
    read_events = registry.events.get

    def spy(*args: Any, **kwargs: Any) -> list[Any]:
        events = list(read_events(*args, **kwargs))
        calls.append({**kwargs, "returned": len(events)})
        return events

    monkeypatch.setattr(registry.events, "get", spy)
    loaded = registry.get_title(number)
    monkeypatch.undo()

    assert [(c.get("gt"), c["returned"]) for c in calls] == [(1000, 1)]
    assert loaded.version == 2 * PAIRS + 1
    assert len(loaded.blocks) == PAIRS and all(b["status"] == "lifted" for b in loaded.blocks.values())
    everything = list(registry.events.get(aggregate_id))
    assert len(everything) == 2 * PAIRS + 1
    assert fold(everything).__dict__ == loaded.__dict__
