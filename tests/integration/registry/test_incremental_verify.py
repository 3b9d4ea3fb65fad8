"""The incremental verify: from the checkpoint the last sound verify ended on, it checks every event,
seal and checkpoint after it (chains continued from the events before it) and finds what a full
verify finds there; what lies before it is left to the full verify, on demand."""
from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import text

from registry.application.registry import Registry
from registry.domain.values import Actor
from tests.support import DEED, LAT, LON, OFFICER, citizen, titled

AUDITOR = Actor("auditor-1", "auditor")


@pytest.fixture
def verified(registry: Registry) -> tuple[Registry, list[str]]:
    """Two titled parcels, a checkpoint and a sound full verify; then a sale of an old title and a
    new parcel (events after the checkpoint, one continuing a chain from before it)."""
    nibs = [titled(registry, lon=LON + i * 0.01, lat=LAT) for i in range(2)]
    registry.make_checkpoint(actor=AUDITOR)
    assert registry.verify_log().ok
    registry.transfer_ownership(nibs[0], "sale", [citizen("buyer")], "2025-03-01", DEED, actor=OFFICER)
    nibs.append(titled(registry, lon=LON + 0.05, lat=LAT))
    return registry, nibs


def _rows(registry: Registry) -> list[tuple[int, str, dict[str, Any]]]:
    with registry.engine.connect() as connection:
        found = connection.execute(text("SELECT id, topic, state FROM landreg_events ORDER BY id")).all()
    return [(int(i), str(topic), orjson.loads(bytes(state))) for i, topic, state in found]


def _rewrite(registry: Registry, position: int, change: dict[str, Any]) -> None:
    state = next(s for i, _, s in _rows(registry) if i == position)
    with registry.engine.begin() as connection:
        connection.execute(text("UPDATE landreg_events SET state = :s WHERE id = :id"),
                           {"s": orjson.dumps({**state, **change}), "id": position})


def _checkpoint(registry: Registry) -> tuple[int, dict[str, Any]]:
    return next((i, s) for i, topic, s in _rows(registry) if topic.endswith("Checkpoints.Recorded"))


def test_it_checks_only_what_came_after_the_checkpoint_and_finds_it_sound(verified: tuple[Registry, list[str]]) -> None:
    registry, _ = verified
    since = _checkpoint(registry)[1]["to_position"]
    report = registry.verify_log(full=False)
    assert report.ok, report.as_dict()
    assert (report.full, report.from_position) == (False, since)
    assert report.events_checked == len([r for r in _rows(registry) if r[0] > since])
    assert registry.verify_log().events_checked == len(_rows(registry))  # a full one reads them all


def test_a_rewritten_event_after_the_checkpoint_is_found(verified: tuple[Registry, list[str]]) -> None:
    registry, _ = verified
    sale = next(i for i, topic, _ in _rows(registry) if topic.endswith("OwnershipTransferred"))
    _rewrite(registry, sale, {"effective_at": "2025-03-02"})
    report = registry.verify_log(full=False)
    assert not report.ok and report.first_break is not None and report.first_break.position == sale


def test_a_chain_continued_from_before_the_checkpoint_must_link_to_it(verified: tuple[Registry, list[str]]) -> None:
    """The sale's link is its title's last event before the checkpoint: a rewritten hash there
    breaks the sale's chain, so the incremental verify names the sale."""
    registry, _ = verified
    rows = _rows(registry)
    sale = next(i for i, topic, _ in rows if topic.endswith("OwnershipTransferred"))
    title = next(s for i, topic, s in rows if topic.endswith("RightRegistered") and i < sale)
    before = next(i for i, _, s in rows if s is title)
    _rewrite(registry, before, {"hash": "0" * 64})
    report = registry.verify_log(full=False)
    assert not report.ok and report.first_break is not None and report.first_break.position == sale


def test_a_rewritten_resumed_checkpoint_is_found(verified: tuple[Registry, list[str]]) -> None:
    registry, _ = verified
    position, _ = _checkpoint(registry)
    _rewrite(registry, position, {"merkle_root": "1" * 64})
    report = registry.verify_log(full=False)
    assert not report.ok and report.first_break is not None and report.first_break.position == position


def test_what_lies_before_the_checkpoint_is_left_to_the_full_verify(verified: tuple[Registry, list[str]]) -> None:
    registry, _ = verified
    first = _rows(registry)[0]
    _rewrite(registry, first[0], {"hash": "2" * 64})
    assert registry.verify_log(full=False).ok
    full = registry.verify_log()
    assert not full.ok and full.first_break is not None and full.first_break.position == first[0]


def test_a_deleted_event_after_the_checkpoint_is_found(verified: tuple[Registry, list[str]]) -> None:
    registry, _ = verified
    last = _rows(registry)[-1][0]
    with registry.engine.begin() as connection:
        connection.execute(text("DELETE FROM landreg_events WHERE id = :id"), {"id": last})
    assert not registry.verify_log(full=False).ok


def test_without_a_sound_verify_before_it_is_a_full_one(registry: Registry) -> None:
    titled(registry)
    registry.make_checkpoint(actor=AUDITOR)
    report = registry.verify_log(full=False)
    assert report.ok and (report.full, report.from_position) == (True, 0)
    assert report.events_checked == len(_rows(registry))
