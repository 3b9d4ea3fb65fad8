"""Backup and restore, proven: `landreg backup` then `landreg restore` into a new database gives a
store whose audit verifies (hash chains, seals against the anchor file, checkpoints), whose read
models hold what the source's did, whose tokens still work and which takes new commands; a backup
holds the private key only when asked; a restore refuses a changed backup and a store in use."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import text
from typer.testing import CliRunner

from api.auth import TokenStore
from api.bootstrap import Services, build_existing
from api.cli import app
from registry.domain.values import Actor
from registry.persistence.settings import Settings
from tests.conftest import TODAY
from tests.geometries import square
from tests.stores import environment, fresh_database
from tests.support import SURVEY, SURVEYOR, citizen, survey, titled

READ_MODELS = ("landreg_parcels", "landreg_holdings", "landreg_village_stats", "landreg_certificates",
               "landreg_projection_positions", "landreg_seals", "landreg_audit_keys", "landreg_footprints")


def _rows(services: Services) -> dict[str, list[Any]]:
    with services.registry.engine.connect() as connection:
        found = {t: sorted((tuple(r) for r in connection.execute(text(f"SELECT * FROM {t}"))), key=repr)
                 for t in READ_MODELS}
        found["landreg_events"] = [tuple(r) for r in connection.execute(
            text("SELECT id, originator_version, topic, state FROM landreg_events ORDER BY id"))]
    return found


def _filled(services: Services) -> str:
    nib = titled(services.registry, holders=[citizen("3174011501800001", name="Budi Santoso")])
    survey(services.registry, lon=106.81)
    services.registry.make_checkpoint(actor=Actor("auditor-1", "auditor"))
    return nib


def _restored(settings: Settings, backend: str, folder: Path) -> Settings:
    folder.mkdir()
    return Settings(database_url=fresh_database(backend, folder, "restored"), audit_key_file=folder / "key.pem",
                    audit_anchor_file=folder / "anchor.jsonl", first_registration_announcement="off")


def test_a_restored_store_verifies_matches_and_takes_new_commands(services: Services, backend: str,
                                                                  tmp_path: Path) -> None:
    _filled(services)
    token = TokenStore(services.registry.engine).create("ani", "officer")
    before = _rows(services)
    made = CliRunner().invoke(app, ["backup", "--out", str(tmp_path / "b"), "--with-private-key"],
                              env=environment(services.settings))
    assert made.exit_code == 0, made.stderr
    target = _restored(services.settings, backend, tmp_path / "new")
    done = CliRunner().invoke(app, ["restore", str(tmp_path / "b"), "--to", target.database_url],
                              env=environment(target))
    assert done.exit_code == 0, done.stderr
    assert "audit verified" in done.stdout
    assert target.audit_anchor_file.read_bytes() == services.settings.audit_anchor_file.read_bytes()
    restored = build_existing(target, inline_projections=True)
    try:
        assert _rows(restored) == before
        assert TokenStore(restored.registry.engine).actor(token).user_id == "ani"
        restored.registry.clock = lambda: TODAY
        nib = restored.registry.submit_survey("31740101", square(106.83, -6.2, 50), SURVEY, actor=SURVEYOR)["nib"]
        assert restored.queries.parcel(nib) is not None
        report = restored.registry.verify_log()
        assert report.ok and report.unanchored_seals == 0, report.as_dict()
    finally:
        restored.close()


def test_a_backup_keeps_the_private_key_only_when_asked(services: Services, tmp_path: Path) -> None:
    _filled(services)
    plain = CliRunner().invoke(app, ["backup", "--out", str(tmp_path / "b")], env=environment(services.settings))
    assert plain.exit_code == 0 and "the private key is not in it" in " ".join(plain.stdout.split())
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert "audit_signing_key.pem" not in manifest["files"] and not (tmp_path / "b" / "audit_signing_key.pem").exists()
    keys = json.loads((tmp_path / "b" / "audit_keys.json").read_text())
    assert len(keys) == 1 and len(keys[0]["public_key"]) == 64
    assert manifest["log_head"] > 0 and manifest["last_seal"]["to_position"] == manifest["log_head"]
    again = CliRunner().invoke(app, ["backup", "--out", str(tmp_path / "b")], env=environment(services.settings))
    assert again.exit_code == 1 and "is not empty" in again.stderr


def test_a_restore_refuses_a_changed_backup_and_a_store_in_use(services: Services, backend: str,
                                                                tmp_path: Path) -> None:
    _filled(services)
    assert CliRunner().invoke(app, ["backup", "--out", str(tmp_path / "b")],
                              env=environment(services.settings)).exit_code == 0
    into_itself = CliRunner().invoke(app, ["restore", str(tmp_path / "b"), "--to", services.settings.database_url],
                                     env={**environment(services.settings),
                                          "LANDREG_AUDIT_ANCHOR_FILE": str(tmp_path / "other.jsonl")})
    assert into_itself.exit_code == 1 and len(into_itself.stderr.splitlines()) == 1
    assert "exists" in into_itself.stderr or "already holds a landreg store" in into_itself.stderr
    anchor = tmp_path / "b" / "audit_checkpoints.jsonl"
    anchor.write_text(anchor.read_text().replace('"root":"', '"root":"0', 1))
    target = _restored(services.settings, backend, tmp_path / "new")
    changed = CliRunner().invoke(app, ["restore", str(tmp_path / "b"), "--to", target.database_url],
                                 env=environment(target))
    assert changed.exit_code == 1 and "changed since the backup" in changed.stderr
    assert not target.audit_anchor_file.exists()

