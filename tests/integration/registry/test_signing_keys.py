"""The signing key: made only for a store never signed, never silently replaced, handed over by
rotation; the offline verifier pinned to the first key; a store signed before seals upgraded."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from typer.testing import CliRunner

from registry.application.registry import Registry
from registry.audit import anchor, signing
from registry.audit.checkpoint import legacy_root, signed_bytes
from registry.audit.keys import SigningKeyMissing, next_path, retired_path
from tests.conftest import TODAY
from tests.integration.registry.test_audit import AUDITOR
from tests.support import LAT, LON, event_count, survey, titled
from tests.tampering import chained, log, newest, run, seals, write_state


def reopened(registry: Registry) -> Registry:
    """The same store and settings opened again, as another process would."""
    return Registry(registry.settings, clock=lambda: TODAY)


def test_a_fresh_store_makes_its_key_on_the_first_write(registry: Registry) -> None:
    key_file = registry.settings.audit_key_file
    assert not key_file.exists()
    survey(registry)
    assert key_file.stat().st_mode & 0o777 == 0o600
    first = anchor.read(registry.settings.audit_anchor_file)[0]
    key = signing.load(key_file)
    assert key is not None and first == {"kind": "key", "key_id": signing.id_of(key), "since": 0,
                                         "public_key": signing.public_hex(key), "previous_key_id": None,
                                         "signature": None}
    assert seals(registry)[0]["key_id"] == signing.id_of(key)


def test_a_missing_key_file_stops_every_write_instead_of_making_a_new_key(registry: Registry) -> None:
    titled(registry)
    key_file = registry.settings.audit_key_file
    backup = key_file.with_name("backup.pem")
    key_file.rename(backup)
    before = event_count(registry)
    other = reopened(registry)
    try:
        with pytest.raises(SigningKeyMissing, match=f"no audit signing key at {key_file}.*restore"):
            survey(other, lon=LON + 0.01)
        with pytest.raises(SigningKeyMissing, match="restore"):
            other.make_checkpoint(actor=AUDITOR)
        assert not key_file.exists() and event_count(registry) == before
        signing.write(key_file, Ed25519PrivateKey.generate())  # some other key is no better
        with pytest.raises(SigningKeyMissing, match="but the store is signed by key"):
            survey(other, lon=LON + 0.01)
        backup.replace(key_file)
        survey(other, lon=LON + 0.01)
        assert other.verify_log().ok
    finally:
        other.close()


def test_deleted_key_records_stop_writes_and_fail_verify(registry: Registry) -> None:
    survey(registry)
    run(registry, "DELETE FROM landreg_audit_keys")
    found = registry.verify_log().first_break
    assert found is not None and "kept in the anchor file, is missing from the store's keys" in found.reason
    other = reopened(registry)
    try:
        with pytest.raises(SigningKeyMissing, match="no signing-key records"):
            survey(other, lon=LON + 0.01)
    finally:
        other.close()


def test_verify_passes_across_a_key_rotation_and_another_process_follows_it(registry: Registry) -> None:
    titled(registry)
    other = reopened(registry)
    try:
        survey(other, lon=LON + 0.01)  # `other` holds the old key in memory
        old_id = seals(registry)[-1]["key_id"]
        handed = registry.rotate_key()
        assert handed["previous_key_id"] == old_id and handed["since"] == log(registry)[-1]["id"]
        assert Path(handed["retired_key_file"]).exists() and not next_path(registry.settings.audit_key_file).exists()
        survey(other, lon=LON + 0.02)
        survey(registry, lon=LON + 0.03)
        assert [s["key_id"] for s in seals(registry)[-2:]] == [handed["key_id"]] * 2
        report = registry.verify_log()
        assert report.ok and report.keys_checked == 2, report.as_dict()
        assert [line["key_id"] for line in anchor.read(registry.settings.audit_anchor_file)
                if line["kind"] == "key"] == [old_id, handed["key_id"]]
    finally:
        other.close()


def test_a_seal_signed_by_the_retired_key_after_the_hand_over_is_refused(registry: Registry) -> None:
    titled(registry)
    handed = registry.rotate_key()
    survey(registry, lon=LON + 0.01)
    old = signing.load(Path(handed["retired_key_file"]))
    assert old is not None
    seal = seals(registry)[-1]
    signer = signing.id_of(old)
    message = signing.seal_message(seal["from_position"], seal["to_position"], seal["count"], seal["root"],
                                   seal["previous_root"], signer)
    run(registry, "UPDATE landreg_seals SET key_id = :k, signature = :s WHERE to_position = :to", k=signer,
        s=old.sign(message).hex(), to=seal["to_position"])
    found = registry.verify_log().first_break
    assert found is not None and f"signed by key {signer}, which is not the trusted key in force" in found.reason


def test_a_rotation_cut_short_before_its_key_file_moved_is_finished_by_the_next_write(registry: Registry) -> None:
    titled(registry)
    handed = registry.rotate_key()
    key_file = registry.settings.audit_key_file
    os.replace(key_file, next_path(key_file))  # as if the process died right after the commit
    os.replace(retired_path(key_file, handed["previous_key_id"]), key_file)
    other = reopened(registry)
    try:
        survey(other, lon=LON + 0.01)
    finally:
        other.close()
    key = signing.load(key_file)
    assert key is not None and signing.id_of(key) == handed["key_id"] and registry.verify_log().ok


def test_landreg_audit_rotate_key(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import app

    survey(registry)
    for name, value in (("DATABASE_URL", registry.settings.database_url),
                        ("AUDIT_KEY_FILE", registry.settings.audit_key_file),
                        ("AUDIT_ANCHOR_FILE", registry.settings.audit_anchor_file)):
        monkeypatch.setenv(f"LANDREG_{name}", str(value))
    done = CliRunner().invoke(app, ["audit", "rotate-key"])
    assert done.exit_code == 0, done.output
    assert "handed over to" in done.output and registry.verify_log().keys_checked == 2


def offline(bundle: Path, *pin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "registry.audit", str(bundle), *pin], capture_output=True, text=True,
                          check=False)


def test_the_offline_verifier_pinned_to_the_first_key_refuses_a_bundle_signed_by_another(
        registry: Registry, tmp_path: Path) -> None:
    titled(registry)
    bundle = tmp_path / "bundle"
    registry.export_audit(bundle)
    first = (bundle / "public_key.txt").read_text().strip()
    assert offline(bundle, "--public-key", first).returncode == 0
    assert offline(bundle, "--key-id", signing.key_id(first)).returncode == 0
    impostor = Ed25519PrivateKey.generate()
    refused = offline(bundle, "--public-key", signing.public_hex(impostor))
    assert refused.returncode == 1 and "not the trusted key" in refused.stdout
    assert offline(bundle, "--key-id", signing.id_of(impostor)).returncode == 1
    _resign(bundle, impostor)  # everything re-signed by another key, the bundle's own key replaced too
    assert offline(bundle).returncode == 0  # why an auditor pins the key
    refused = offline(bundle, "--public-key", first)
    assert refused.returncode == 1 and f"the first signing key is {signing.id_of(impostor)}" in refused.stdout


def _resign(bundle: Path, key: Ed25519PrivateKey) -> None:
    public, signer = signing.public_hex(key), signing.id_of(key)
    sealed = [orjson.loads(line) for line in (bundle / "seals.jsonl").read_bytes().splitlines()]
    for seal in sealed:
        seal["key_id"] = signer
        seal["signature"] = key.sign(signing.seal_message(seal["from_position"], seal["to_position"], seal["count"],
                                                          seal["root"], seal["previous_root"], signer)).hex()
    first = {"key_id": signer, "public_key": public, "since": 0, "previous_key_id": None, "signature": None}
    (bundle / "seals.jsonl").write_bytes(b"".join(orjson.dumps(s) + b"\n" for s in sealed))
    (bundle / "keys.jsonl").write_bytes(orjson.dumps(first) + b"\n")
    (bundle / "anchor.jsonl").write_bytes(orjson.dumps({"kind": "key", **first}) + b"\n")
    (bundle / "public_key.txt").write_text(public + "\n")


def test_a_store_checkpointed_before_seals_existed_is_sealed_from_its_last_checkpoint(registry: Registry) -> None:
    registry.settings.audit_seal_every_commit = False
    titled(registry)
    registry.make_checkpoint(actor=AUDITOR)
    checkpoint = _as_legacy(registry, newest(registry, "Checkpoints.Recorded"))
    found = registry.verify_log().first_break
    assert found is not None and found.position == checkpoint["to_position"] + 1 and "nothing signs it" in found.reason
    registry.settings.audit_seal_every_commit = True
    survey(registry, lon=LON + 0.01, lat=LAT)
    assert seals(registry)[0]["from_position"] == checkpoint["to_position"]
    report = registry.verify_log()
    assert report.ok and (report.checkpoints_checked, report.seals_checked) == (1, 1), report.as_dict()


def _as_legacy(registry: Registry, row: dict[str, Any]) -> dict[str, Any]:
    """Rewrite the store as the code before seals left it: a checkpoint over the binary tree,
    signed without tree or key id, no seals, no key records, an anchor line without a kind."""
    key = signing.load(registry.settings.audit_key_file)
    assert key is not None
    state = {k: v for k, v in row["state"].items() if k not in ("key_id", "tree", "hash")}
    covered = [r["state"]["hash"] for r in log(registry) if state["from_position"] < r["id"] <= state["to_position"]]
    state["merkle_root"] = legacy_root(covered)
    message = signed_bytes(state["from_position"], state["to_position"], state["count"], state["merkle_root"])
    state["signature"] = key.sign(message).hex()
    write_state(registry, row["id"], chained(registry, row, state))
    with registry.engine.begin() as connection:
        connection.execute(text("DELETE FROM landreg_seals"))
        connection.execute(text("DELETE FROM landreg_audit_keys"))
    line = {"to_position": state["to_position"], "merkle_root": state["merkle_root"]}
    registry.settings.audit_anchor_file.write_bytes(orjson.dumps(line) + b"\n")
    return state
