"""Stores for the migration and backup tests: a fresh database of its own per test, and the
store the previous release made (tests/fixtures/store_v0), loaded into one."""
from __future__ import annotations

import gzip
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy
from sqlalchemy import text

from registry.persistence.settings import Settings
from tests.conftest import POSTGRES_URL

FIXTURES = Path(__file__).parent / "fixtures" / "store_v0"


def fresh_database(backend: str, folder: Path, name: str) -> str:
    """The URL of a new, empty database: an SQLite file in `folder`, or a PostgreSQL database
    named after the test database (dropped first if an earlier run left it)."""
    if backend == "sqlite":
        return f"sqlite:///{folder}/{name}.db"
    url = sqlalchemy.make_url(POSTGRES_URL)
    database = f"{url.database}_{name}"
    admin = sqlalchemy.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


def libpq(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psql, pg_dump and pg_restore take it."""
    return url.replace("postgresql+psycopg2://", "postgresql://")


def previous_release_store(backend: str, folder: Path) -> Settings:
    """The demo village as the release before migrations stored it (its key and anchor file beside)."""
    source = FIXTURES / backend
    url = fresh_database(backend, folder, "v0")
    script = gzip.decompress((source / "landreg.sql.gz").read_bytes()).decode()
    if backend == "sqlite":
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.executescript(script)
        connection.close()
    else:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", libpq(url)], input=script, text=True,
                       check=True, capture_output=True)
    for name in ("audit_signing_key.pem", "audit_checkpoints.jsonl"):
        shutil.copy(source / name, folder / name)
    (folder / "audit_signing_key.pem").chmod(0o600)
    return Settings(database_url=url, audit_key_file=folder / "audit_signing_key.pem",
                    audit_anchor_file=folder / "audit_checkpoints.jsonl", first_registration_announcement="off")


def environment(settings: Settings) -> dict[str, str]:
    """The LANDREG_* variables that name this store, for the CLI."""
    return {"LANDREG_DATABASE_URL": settings.database_url, "LANDREG_AUDIT_KEY_FILE": str(settings.audit_key_file),
            "LANDREG_AUDIT_ANCHOR_FILE": str(settings.audit_anchor_file)}
