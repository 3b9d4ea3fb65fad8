"""Backends for the test suite: every `registry` test runs on SQLite and on PostgreSQL+PostGIS.

PostgreSQL is found at LANDREG_TEST_POSTGRES_URL (default: the local server, database
landreg_test, created if missing). Where no server answers, its tests are skipped and the run
says so at the end; with LANDREG_REQUIRE_POSTGRES=1 (set by .ci/run) they fail instead.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import text

from api.bootstrap import Services, build
from registry.application.registry import Registry
from registry.persistence import schema
from registry.persistence.settings import Settings

POSTGRES_URL = os.environ.get(
    "LANDREG_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/landreg_test"
)
REQUIRE_POSTGRES = os.environ.get("LANDREG_REQUIRE_POSTGRES", "") not in ("", "0")
TODAY = date(2026, 6, 1)  # tests run on a fixed legal day, so dates in them never go stale


@lru_cache(maxsize=1)
def postgres_problem() -> str | None:
    """None when the test database answers (creating it if needed), else why not."""
    url = sqlalchemy.make_url(POSTGRES_URL)
    try:
        admin = sqlalchemy.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
    except sqlalchemy.exc.OperationalError as error:
        return f"no PostgreSQL at {url.render_as_string(hide_password=True)}: {str(error.orig).strip()}"
    engine = sqlalchemy.create_engine(url)  # as an operator would: a database of an older run is migrated
    schema.upgrade(engine)
    engine.dispose()
    return None


def require_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"LANDREG_REQUIRE_POSTGRES is set but {problem}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {problem}")


def wipe(registry: Registry) -> None:
    """Empty every table of the registry (PostgreSQL tests share one database)."""
    names = sqlalchemy.inspect(registry.engine).get_table_names()
    ours = [n for n in names if n.startswith("landreg_") and not n.endswith("_rtree")]
    with registry.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(ours)} RESTART IDENTITY"))
        connection.execute(text("INSERT INTO landreg_write_lock (id, counter) VALUES (1, 0) ON CONFLICT DO NOTHING"))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        require_postgres()
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: object) -> Settings:
    url = POSTGRES_URL if backend == "postgresql" else f"sqlite:///{tmp_path}/landreg.db"
    # Titles are registered directly here; the announcement before a first title has its own tests
    # (tests/e2e/test_procedures.py), which turn it on.
    return Settings(database_url=url, snapshot_interval=100, audit_key_file=Path(f"{tmp_path}/audit_key.pem"),
                    audit_anchor_file=Path(f"{tmp_path}/audit_checkpoints.jsonl"),
                    first_registration_announcement="off")


@pytest.fixture
def registry(settings: Settings) -> Iterator[Registry]:
    """An empty registry on the backend under test, on a fixed legal day."""
    app = Registry(settings, clock=lambda: TODAY)
    if settings.store == "postgresql":
        wipe(app)
    yield app
    app.close()
    app.engine.dispose()


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """An empty registry wired to its read models (updated inline), on the backend under test."""
    built = build(settings, clock=lambda: TODAY)
    if settings.store == "postgresql":
        wipe(built.registry)
    yield built
    built.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "PostgreSQL tests skipped" in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep(
            "!", f"{len(skipped)} PostgreSQL tests were SKIPPED: only SQLite was tested "
            "(start PostgreSQL or set LANDREG_TEST_POSTGRES_URL)", red=True, bold=True,
        )
