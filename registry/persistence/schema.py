"""The store's schema, made and changed only by Alembic's revisions (registry/persistence/migrations/).

Rights: on PostgreSQL the first revision runs `CREATE EXTENSION IF NOT EXISTS` postgis and pg_trgm.
pg_trgm is trusted (any role with CREATE on the database may create it); PostGIS is not, so the
first upgrade runs as a superuser, or finds PostGIS created beforehand by one (docs/operations.md).
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from registry.persistence.settings import masked
from registry.persistence.store import EVENTS_TABLE

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaOutdated(RuntimeError):
    """The store was made by an older landreg: `landreg migrate` brings it up to date."""


class PostgisMissing(RuntimeError):
    """PostgreSQL answers but PostGIS is not installed on it."""


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code knows."""
    found = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert found is not None
    return found


def revision(engine: Engine) -> str | None:
    """The store's revision; None for a store made before migrations or no store at all."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_empty(engine: Engine) -> bool:
    """No landreg store at all here (no event log, no revision)."""
    return revision(engine) is None and not sqlalchemy.inspect(engine).has_table(EVENTS_TABLE)


def upgrade(engine: Engine, to: str = "head") -> tuple[str | None, str]:
    """Run every revision the store lacks (a new store gets them all); (revision before, after)."""
    before = revision(engine)
    if engine.dialect.name == "postgresql":
        _require_postgis(engine)
    with engine.begin() as connection:
        command.upgrade(_config(connection), to)
    return before, revision(engine) or ""


def ensure(engine: Engine) -> None:
    """Make a new store; accept one at the newest revision; refuse an older one (one line)."""
    if is_empty(engine):
        upgrade(engine)
        return
    found = revision(engine)
    if found != head():
        made = f"at schema revision {found}" if found else "made before schema migrations"
        raise SchemaOutdated(f"the store at {masked(engine.url.render_as_string(hide_password=False))} is {made}; "
                             f"this landreg needs revision {head()}: run `landreg migrate` first (back it up before)")


def _require_postgis(engine: Engine) -> None:
    with engine.connect() as connection:
        available = connection.execute(
            sqlalchemy.text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first()
    if available is None:
        raise PostgisMissing("PostGIS is not installed on this PostgreSQL server. Install it with "
                             "'apt-get install -y postgresql-15-postgis-3' (Debian), then start landreg again.")
