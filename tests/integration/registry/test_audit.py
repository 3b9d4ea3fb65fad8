"""Tamper evidence: each change made with raw SQL behind the registry's back is detected and
named; an untouched log verifies clean; an exported bundle verifies offline."""
from __future__ import annotations

import itertools
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from registry.application.registry import Registry
from registry.audit.bundle import verify_bundle
from registry.audit.checkpoint import signed_bytes
from registry.audit.signing import public_hex
from registry.domain.chain import GENESIS, stored_digest
from registry.domain.values import Actor
from tests.support import DEED, LAT, LON, OFFICER, citizen, titled

AUDITOR = Actor("auditor-1", "auditor")


@pytest.fixture
def audited(registry: Registry) -> Registry:
    """Three titled parcels with transfers, a checkpoint, then a little more history."""
    for index in range(3):
        nib = titled(registry, lon=LON + index * 0.01, lat=LAT)
        registry.transfer_ownership(nib, "sale", [citizen(f"buyer-{index}")], "2025-03-01", DEED, actor=OFFICER)
    registry.make_checkpoint(actor=AUDITOR)
    titled(registry, lon=LON + 0.05, lat=LAT)
    return registry


def log(registry: Registry) -> list[dict[str, Any]]:
    return [{"id": r.position, "originator_id": r.originator_id, "version": r.version, "topic": r.topic,
             "state": r.state} for r in registry.log_rows()]


def write_state(registry: Registry, event_id: int, state: dict[str, Any]) -> None:
    with registry.engine.begin() as connection:
        connection.execute(text("UPDATE landreg_events SET state = :state WHERE id = :id"),
                           {"state": orjson.dumps(state), "id": event_id})


def checkpoint_rows(registry: Registry) -> list[dict[str, Any]]:
    return [r for r in log(registry) if r["topic"].endswith("Checkpoints.Recorded")]


def test_untouched_log_verifies_clean(audited: Registry) -> None:
    report = audited.verify_log()
    assert report.ok and report.first_break is None, report.as_dict()
    assert report.checkpoints_checked == 1 and report.events_checked == len(log(audited))
    assert report.seals_checked == 12 and report.keys_checked == 1 and report.unanchored_seals == 0


def test_edited_payload_is_named(audited: Registry) -> None:
    transfer = next(r for r in log(audited) if r["topic"].endswith("OwnershipTransferred"))
    state = {**transfer["state"], "holders": [citizen("mallory")]}
    write_state(audited, transfer["id"], state)
    broken = audited.verify_log().first_break
    assert broken is not None and broken.position == transfer["id"] and "altered" in broken.reason
    assert broken.aggregate is not None and len(broken.aggregate) == 14  # the certificate number


def test_deleted_event_is_named(audited: Registry) -> None:
    surveyed = log(audited)[0]
    with audited.engine.begin() as connection:
        connection.execute(text("DELETE FROM landreg_events WHERE id = :id"), {"id": surveyed["id"]})
    broken = audited.verify_log().first_break
    assert broken is not None and (broken.position, broken.version) == (surveyed["id"], 1)
    assert broken.originator_id == surveyed["originator_id"] and "missing from the log" in broken.reason
    with audited.engine.begin() as connection:  # with the seals gone too, the chain still names the gap
        connection.execute(text("DELETE FROM landreg_seals"))
    broken = audited.verify_log().first_break
    assert broken is not None and "version 2 follows version 0" in broken.reason


def test_forged_event_with_a_plausible_hash_is_caught(audited: Registry) -> None:
    """A fake transfer slipped into a title's history, every later hash recomputed to match."""
    rows = log(audited)
    title_id = next(r["originator_id"] for r in rows if r["topic"].endswith("OwnershipTransferred"))
    chain = [r for r in rows if r["originator_id"] == title_id]
    forged = {**chain[1]["state"], "holders": [citizen("mallory")], "command_id": "forged"}
    rewritten = [(chain[0], chain[0]["state"]), ({**chain[1], "id": None}, forged),
                 *((r, r["state"]) for r in chain[1:])]
    previous = GENESIS
    with audited.engine.begin() as connection:
        for version, (row, state) in enumerate(rewritten, start=1):
            state = {**state, "hash": stored_digest(previous, row["topic"], title_id, version, state)}
            previous = state["hash"]
            if row["id"] is None:
                continue
            connection.execute(text("UPDATE landreg_events SET originator_version = :v + 1000, state = :s "
                                    "WHERE id = :id"), {"v": version, "s": orjson.dumps(state), "id": row["id"]})
        connection.execute(text("UPDATE landreg_events SET originator_version = originator_version - 1000 "
                                "WHERE originator_version > 1000"))
        originator = uuid.UUID(title_id) if connection.dialect.name == "postgresql" else uuid.UUID(title_id).bytes
        connection.execute(text("INSERT INTO landreg_events (originator_id, originator_version, topic, state) "
                                "VALUES (:o, 2, :t, :s)"), {"o": originator, "t": chain[1]["topic"],
                                                             "s": orjson.dumps({**forged, "hash": "0" * 64})})
    report = audited.verify_log()
    assert not report.ok and report.first_break is not None


def test_swapped_events_are_caught_by_their_seals(audited: Registry) -> None:
    """Two neighbouring events of different aggregates change places: every chain still holds,
    only a signature over the log's order (the seals, and the checkpoint) can tell."""
    rows = log(audited)
    first, second = next((a, b) for a, b in itertools.pairwise(rows) if a["originator_id"] != b["originator_id"])
    with audited.engine.begin() as connection:
        for source, target in ((first["id"], -1), (second["id"], first["id"]), (-1, second["id"])):
            connection.execute(text("UPDATE landreg_events SET id = :target WHERE id = :source"),
                               {"target": target, "source": source})
    broken = audited.verify_log().first_break
    assert broken is not None and broken.position == first["id"] and "not the event the seal" in broken.reason
    assert broken.originator_id == second["originator_id"]


def test_truncated_tail_is_caught_by_the_anchor_file(audited: Registry) -> None:
    covered = checkpoint_rows(audited)[0]["state"]["to_position"]
    with audited.engine.begin() as connection:
        connection.execute(text("DELETE FROM landreg_events WHERE id > :keep"), {"keep": covered - 2})
    broken = audited.verify_log().first_break
    assert broken is not None and "missing from the log" in broken.reason


def test_checkpoint_re_signed_with_another_key_is_caught(audited: Registry) -> None:
    row = checkpoint_rows(audited)[0]
    state = row["state"]
    impostor = Ed25519PrivateKey.generate()
    message = signed_bytes(state["from_position"], state["to_position"], state["count"], state["merkle_root"])
    forged = {**state, "public_key": public_hex(impostor), "signature": impostor.sign(message).hex()}
    previous = next(r["state"]["hash"] for r in log(audited)
                    if r["originator_id"] == row["originator_id"] and r["version"] == row["version"] - 1)
    forged["hash"] = stored_digest(previous, row["topic"], row["originator_id"], row["version"], forged)
    write_state(audited, row["id"], forged)
    broken = audited.verify_log().first_break
    assert broken is not None and broken.position == row["id"] and "not the event the seal" in broken.reason
    with audited.engine.begin() as connection:  # with the seals gone too, the checkpoint's own check speaks
        connection.execute(text("DELETE FROM landreg_seals"))
    broken = audited.verify_log().first_break
    assert broken is not None and "not signed by the trusted key" in broken.reason


def test_exported_bundle_verifies_offline_and_a_flipped_byte_names_its_line(audited: Registry, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    count = audited.export_audit(bundle)
    assert verify_bundle(bundle).ok
    done = subprocess.run([sys.executable, "-m", "registry.audit", str(bundle)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = (bundle / "events.jsonl").read_bytes().splitlines(keepends=True)
    target = lines[4]
    at = target.index(b'"effective_at":"') + len(b'"effective_at":"') + 3
    lines[4] = target[:at] + (b"9" if target[at:at + 1] != b"9" else b"8") + target[at + 1:]
    (bundle / "events.jsonl").write_bytes(b"".join(lines))
    report = verify_bundle(bundle)
    assert not report.ok and report.first_break is not None and report.first_break.line == 5
    assert count == len(lines)
    done = subprocess.run([sys.executable, "-m", "registry.audit", str(bundle)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 1 and '"line": 5' in done.stdout


def test_a_periodic_checkpoint_is_skipped_while_the_last_one_is_recent(audited: Registry) -> None:
    """Each worker of the service runs the periodic checkpoint; the first signs, the others write nothing."""
    before, anchored = log(audited), len(audited.anchored())
    skipped = audited.make_checkpoint(actor=AUDITOR, unless_within=timedelta(minutes=30))
    assert skipped["skipped"] and (log(audited), len(audited.anchored())) == (before, anchored)
    made = audited.make_checkpoint(actor=AUDITOR, unless_within=timedelta(0))
    assert "skipped" not in made and made["count"] == sum(r["id"] > skipped["to_position"] for r in before)
    assert len(log(audited)) == len(before) + 1 and len(audited.anchored()) > anchored and audited.verify_log().ok
