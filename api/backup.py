"""Backup and restore of a store: the database (pg_dump / pg_restore, or SQLite's online backup),
the audit anchor file and the public keys; the private signing key only when asked.

The anchor file is copied before the database, so every seal it names is in the dump: a restored
store verifies, and the seals of commits made during the backup show as unanchored, not missing.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from registry.persistence import schema
from registry.persistence.settings import Settings, masked

MANIFEST = "manifest.json"
SQLITE_FILE, POSTGRES_FILE = "landreg.db", "landreg.dump"
ANCHOR_FILE, KEYS_FILE, PRIVATE_KEY_FILE = "audit_checkpoints.jsonl", "audit_keys.json", "audit_signing_key.pem"


class BackupRefused(Exception):
    """A backup or restore that would lose or mix data; the message says what to do instead."""


def backup(settings: Settings, out: Path, private_key: bool = False) -> dict[str, Any]:
    """Write a backup of the store named by `settings` into the new folder `out`; its manifest."""
    if out.exists() and any(out.iterdir()):
        raise BackupRefused(f"{out} is not empty: give a new folder for each backup")
    out.mkdir(parents=True, exist_ok=True)
    if settings.audit_anchor_file.is_file():  # first: every seal it names is then in the dump
        shutil.copyfile(settings.audit_anchor_file, out / ANCHOR_FILE)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(Path(url.database or ""), out / SQLITE_FILE)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(out / POSTGRES_FILE),
              "--dbname", _libpq(url)], url)
    described = _describe(settings.database_url)
    (out / KEYS_FILE).write_text(json.dumps(described.pop("keys"), indent=1))
    if private_key:
        shutil.copyfile(settings.audit_key_file, out / PRIVATE_KEY_FILE)
        (out / PRIVATE_KEY_FILE).chmod(0o600)
    manifest = {"made_at": datetime.now(UTC).isoformat(timespec="seconds"), "store": settings.store,
                "database_url": settings.shown_database_url, **described,
                "files": {p.name: _sha256(p) for p in sorted(out.iterdir())}}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def restore(folder: Path, to: Settings) -> dict[str, Any]:
    """Load the backup in `folder` into the empty store `to` names, with its anchor file (and
    private key, if the backup has one and `to` has none); the backup's manifest."""
    manifest = check(folder)
    url = make_url(to.database_url)
    if manifest["store"] != to.store:
        raise BackupRefused(f"the backup is of a {manifest['store']} store; --to names a {to.store} one")
    if to.audit_anchor_file.exists():
        raise BackupRefused(f"{to.audit_anchor_file} exists (LANDREG_AUDIT_ANCHOR_FILE): move it away or name "
                            "another, so the anchor of another store is not mixed with this one")
    if url.get_backend_name() == "sqlite":
        target = Path(url.database or "")
        if target.exists():
            raise BackupRefused(f"{target} exists: restore into a new file")
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(folder / SQLITE_FILE, target)
    else:
        _require_empty(to.database_url)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--no-comments", "--exit-on-error",
              "--dbname", _libpq(url), str(folder / POSTGRES_FILE)], url)
    to.audit_anchor_file.parent.mkdir(parents=True, exist_ok=True)
    if (folder / ANCHOR_FILE).is_file():
        shutil.copyfile(folder / ANCHOR_FILE, to.audit_anchor_file)
    if (folder / PRIVATE_KEY_FILE).is_file() and not to.audit_key_file.exists():
        to.audit_key_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / PRIVATE_KEY_FILE, to.audit_key_file)
        to.audit_key_file.chmod(0o600)
    return manifest


def check(folder: Path) -> dict[str, Any]:
    """The manifest of a backup whose every file has the digest it lists (else refused)."""
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupRefused(f"{folder} holds no readable {MANIFEST}: is it a folder `landreg backup` wrote?") from None
    for name, digest in manifest["files"].items():
        if not (folder / name).is_file() or _sha256(folder / name) != digest:
            raise BackupRefused(f"{folder / name} is missing or changed since the backup: use another backup")
    return manifest


def _describe(database_url: str) -> dict[str, Any]:
    """Schema revision, log head, last seal and the public keys of the store (for the manifest)."""
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            head = connection.execute(text("SELECT coalesce(max(id), 0) FROM landreg_events")).scalar_one()
            seal = connection.execute(text("SELECT to_position, root FROM landreg_seals "
                                           "ORDER BY to_position DESC LIMIT 1")).first()
            keys = connection.execute(text("SELECT key_id, public_key, since FROM landreg_audit_keys "
                                           "ORDER BY number")).all()
        revision = schema.revision(engine)
    finally:
        engine.dispose()
    return {"schema_revision": revision, "log_head": int(head),
            "last_seal": {"to_position": seal[0], "root": seal[1]} if seal else None,
            "keys": [{"key_id": k[0], "public_key": k[1], "since": k[2]} for k in keys]}


def _require_empty(database_url: str) -> None:
    engine = sqlalchemy.create_engine(database_url)
    try:
        empty = schema.is_empty(engine)
    finally:
        engine.dispose()
    if not empty:
        raise BackupRefused(f"{masked(database_url)} already holds a landreg store: restore into an empty database "
                            "(createdb NAME)")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while writers go on."""
    if not source.is_file():
        raise BackupRefused(f"no SQLite store at {source}")
    reading, writing = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()


def _libpq(url: URL) -> str:
    """The URL as libpq's tools take it, without the password (handed over in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    environment = {**os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {})}
    try:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupRefused(f"{command[0]} is not installed: apt-get install -y postgresql-client-15") from None
    if done.returncode != 0:
        said = " ".join(done.stderr.strip().splitlines()[-1:]) or f"exit code {done.returncode}"
        raise BackupRefused(f"{command[0]} failed: {said}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
