"""Every committed event is signed: tampering after the last periodic checkpoint is caught and the
exact event named (position, aggregate, version), on every write path."""
from __future__ import annotations

from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry.application.registry import Registry
from registry.audit import merkle, signing
from registry.audit.audit_report import Break
from registry.domain.identifiers import make_nib, parcel_id
from tests.geometries import square
from tests.integration.registry.test_audit import AUDITOR
from tests.support import (
    DEED,
    LAT,
    LON,
    OFFICER,
    SURVEY,
    SURVEYOR,
    VILLAGE,
    citizen,
    survey,
    titled,
)
from tests.tampering import append_event, chained, log, newest, run, seals, write_state


@pytest.fixture
def sealed(registry: Registry) -> dict[str, Any]:
    """Two titled parcels, a checkpoint; after it a third titled and sold, a parcel only surveyed,
    and a last sale of the first parcel: every later event is covered by seals alone."""
    first = titled(registry, lon=LON, lat=LAT)
    titled(registry, lon=LON + 0.01, lat=LAT)
    registry.make_checkpoint(actor=AUDITOR)
    third = titled(registry, lon=LON + 0.02, lat=LAT)
    registry.transfer_ownership(third, "sale", [citizen("buyer-3")], "2025-03-01", DEED, actor=OFFICER)
    sold = newest(registry, "OwnershipTransferred")
    alone = survey(registry, lon=LON + 0.03, lat=LAT)
    registry.transfer_ownership(first, "sale", [citizen("buyer-1")], "2025-03-01", DEED, actor=OFFICER)
    checkpoint = newest(registry, "Checkpoints.Recorded")
    assert sold["id"] > checkpoint["id"]
    return {"registry": registry, "sold": sold, "alone": alone, "last": log(registry)[-1]}


def broken(registry: Registry) -> Break:
    report = registry.verify_log()
    assert not report.ok and report.first_break is not None, report.as_dict()
    return report.first_break


def names(found: Break, row: dict[str, Any]) -> bool:
    return (found.position, found.originator_id, found.version) == (row["id"], row["originator_id"], row["version"])


def test_a_log_written_by_every_command_verifies_with_a_seal_per_commit(sealed: dict[str, Any]) -> None:
    registry = sealed["registry"]
    report = registry.verify_log()
    assert report.ok, report.as_dict()
    assert report.seals_checked == len(seals(registry)) == 10 and report.checkpoints_checked == 1
    assert seals(registry)[-1]["to_position"] == log(registry)[-1]["id"]


def test_deleting_the_newest_event_of_a_title_is_named(sealed: dict[str, Any]) -> None:
    registry, sold = sealed["registry"], sealed["sold"]
    run(registry, "DELETE FROM landreg_events WHERE id = :id", id=sold["id"])
    found = broken(registry)
    assert names(found, sold) and "missing from the log" in found.reason
    assert found.aggregate is not None and len(found.aggregate) == 14  # the title's certificate number


def test_deleting_a_whole_one_event_parcel_is_named(sealed: dict[str, Any]) -> None:
    registry = sealed["registry"]
    surveyed = next(r for r in log(registry) if r["originator_id"] == str(parcel_id(sealed["alone"])))
    run(registry, "DELETE FROM landreg_events WHERE id = :id", id=surveyed["id"])
    found = broken(registry)
    assert names(found, surveyed) and found.version == 1 and "deleted" in found.reason


def test_an_edited_event_with_its_chain_recomputed_is_named(sealed: dict[str, Any]) -> None:
    registry, sold = sealed["registry"], sealed["sold"]
    write_state(registry, sold["id"], chained(registry, sold, {**sold["state"], "holders": [citizen("mallory")]}))
    found = broken(registry)
    assert names(found, sold) and "not the event the seal" in found.reason


def test_rewriting_the_seal_too_is_caught_by_its_signed_root(sealed: dict[str, Any]) -> None:
    registry, sold = sealed["registry"], sealed["sold"]
    forged = chained(registry, sold, {**sold["state"], "holders": [citizen("mallory")]})
    write_state(registry, sold["id"], forged)
    leaves = [[sold["id"], sold["originator_id"], sold["version"], forged["hash"]]]
    run(registry, "UPDATE landreg_seals SET leaves = :leaves WHERE to_position = :to",
        leaves=orjson.dumps(leaves).decode(), to=sold["id"])
    found = broken(registry)
    assert names(found, sold) and "does not hash to the root it signed" in found.reason


def test_a_forged_event_with_a_consistent_chain_is_named(sealed: dict[str, Any]) -> None:
    registry, sold = sealed["registry"], sealed["sold"]
    row = {**sold, "version": sold["version"] + 1, "id": None}
    state = chained(registry, row, {**sold["state"], "holders": [citizen("mallory")], "command_id": "forged"})
    position = append_event(registry, sold["originator_id"], row["version"], sold["topic"], state)
    found = broken(registry)
    assert (found.position, found.version) == (position, row["version"]) and "in no seal" in found.reason


def test_deleting_the_newest_event_and_its_seal_is_caught_by_the_anchor_file(sealed: dict[str, Any]) -> None:
    registry, last = sealed["registry"], sealed["last"]
    run(registry, "DELETE FROM landreg_events WHERE id = :id", id=last["id"])
    run(registry, "DELETE FROM landreg_seals WHERE to_position = :id", id=last["id"])
    found = broken(registry)
    assert found.position == last["id"] and "kept in the anchor file, is missing" in found.reason


def test_deleting_an_event_and_its_seal_breaks_the_seal_chain_even_without_the_anchor_file(
        sealed: dict[str, Any]) -> None:
    registry, sold = sealed["registry"], sealed["sold"]
    run(registry, "DELETE FROM landreg_events WHERE id = :id", id=sold["id"])
    run(registry, "DELETE FROM landreg_seals WHERE to_position = :id", id=sold["id"])
    registry.settings.audit_anchor_file.unlink()
    registry.settings.audit_anchor_file.write_text(  # the first key, so the store's key is still trusted
        orjson.dumps({"kind": "key", **{k: v for k, v in signing_keys(registry)[0].items()}}).decode() + "\n")
    found = broken(registry)
    assert found.seal is not None and f"follows position {sold['id']}" in found.reason


def signing_keys(registry: Registry) -> list[dict[str, Any]]:
    with registry.snapshot() as snapshot:
        return snapshot.keys()


def test_a_seal_re_signed_by_a_key_never_handed_over_to_is_refused(sealed: dict[str, Any]) -> None:
    registry, sold = sealed["registry"], sealed["sold"]
    forged = chained(registry, sold, {**sold["state"], "holders": [citizen("mallory")]})
    write_state(registry, sold["id"], forged)
    seal = next(s for s in seals(registry) if s["to_position"] == sold["id"])
    impostor = Ed25519PrivateKey.generate()
    root, signer = merkle.root([forged["hash"]]), signing.id_of(impostor)
    message = signing.seal_message(seal["from_position"], sold["id"], 1, root, seal["previous_root"], signer)
    run(registry, "UPDATE landreg_seals SET leaves = :leaves, root = :root, key_id = :k, signature = :s "
                  "WHERE to_position = :to", to=sold["id"], root=root, k=signer, s=impostor.sign(message).hex(),
        leaves=orjson.dumps([[sold["id"], sold["originator_id"], sold["version"], forged["hash"]]]).decode())
    found = broken(registry)
    assert found.seal == f"{seal['from_position'] + 1}..{sold['id']}" and "not the trusted key" in found.reason
    first = signing_keys(registry)[0]
    record = {"key_id": signer, "public_key": signing.public_hex(impostor), "since": seal["from_position"],
              "previous_key_id": first["key_id"]}
    message = signing.handover_message(record["public_key"], record["since"], first["key_id"])
    run(registry, "INSERT INTO landreg_audit_keys (key_id, public_key, since, previous_key_id, signature) "
                  "VALUES (:key_id, :public_key, :since, :previous_key_id, :s)", **record,
        s=impostor.sign(message).hex())  # a hand-over signed by the impostor itself
    assert f"signing key {signer} was not handed over to" in broken(registry).reason


def test_a_group_commit_batch_and_the_bulk_stock_path_are_sealed(registry: Registry) -> None:
    with registry.batch():
        for index in range(3):
            registry.submit_survey(VILLAGE, square(LON + index * 0.01, LAT, 30), SURVEY, actor=SURVEYOR)
    entry = {"village_code": VILLAGE, "geometry": square(LON + 0.05, LAT, 30), "crs": None, "survey": SURVEY,
             "right_type": "HM", "holders": [citizen("budi")], "ends_on": None, "source": DEED}
    outcomes = registry.register_parcels([entry, {**entry, "geometry": square(LON + 0.06, LAT, 30)}], ["a", "b"],
                                         actor=OFFICER)
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    assert [s["count"] for s in seals(registry)] == [3, 6]  # one seal per transaction
    assert registry.verify_log().ok
    assert registry.get_parcel(make_nib(VILLAGE, 5)).certificate_number is not None


def test_with_sealing_off_unsealed_events_fail_until_a_checkpoint_seals_them(registry: Registry) -> None:
    registry.settings.audit_seal_every_commit = False
    nib = survey(registry)
    found = broken(registry)
    assert found.position == 1 and found.nib == nib and "nothing signs it" in found.reason
    registry.make_checkpoint(actor=AUDITOR)  # a checkpoint always seals
    assert registry.verify_log().ok and [s["count"] for s in seals(registry)] == [2]
