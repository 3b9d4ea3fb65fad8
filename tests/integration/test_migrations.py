"""Alembic is the one way the schema is made and changed: a new store gets every revision, the
code's table definitions agree with what the revisions made, start-up refuses an outdated store
in one line, and a store made by the previous release upgrades with its audit intact."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, text
from typer.testing import CliRunner

from api.auth import tokens
from api.bootstrap import build, build_existing
from api.cli import app
from api.readlog import reads
from projections.certificates import CertificateTables
from projections.parcels import ParcelTables
from projections.procedures import ProcedureTables
from projections.tables import positions
from registry.application.registry import Registry
from registry.audit import audit_store
from registry.domain.values import Actor
from registry.persistence import schema, store
from registry.persistence.settings import Settings
from tests.conftest import TODAY
from tests.geometries import square
from tests.stores import environment, fresh_database, previous_release_store
from tests.support import SURVEY


def _tables_in_code() -> MetaData:
    """Every table the code reads and writes by definition (the footprints and the library's log
    are made by SQL of their own)."""
    gathered = MetaData()
    defined = [*store.metadata.tables.values(), *audit_store.metadata.tables.values(), tokens, positions, reads,
               *ParcelTables("").all, *CertificateTables("").all, *ProcedureTables("").all]
    for table in defined:
        table.to_metadata(gathered)
    return gathered


def test_a_new_store_gets_every_revision_and_the_code_agrees_with_it(backend: str, tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(fresh_database(backend, tmp_path, "fresh"))
    try:
        assert schema.is_empty(engine)
        assert schema.upgrade(engine) == (None, schema.head())
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), _tables_in_code())
        ours = [d for d in differences if not (isinstance(d, tuple) and d[0].startswith("remove_"))]
        assert ours == []
        assert schema.upgrade(engine) == (schema.head(), schema.head())  # again: nothing to do
    finally:
        engine.dispose()


def test_start_up_refuses_a_store_of_the_previous_release_in_one_line(backend: str, tmp_path: Path) -> None:
    settings = previous_release_store(backend, tmp_path)
    with pytest.raises(schema.SchemaOutdated, match="made before schema migrations.*run `landreg migrate`"):
        Registry(settings)
    served = CliRunner().invoke(app, ["projections", "status"], env=environment(settings))
    assert served.exit_code == 1 and len(served.stderr.splitlines()) == 1
    assert "landreg migrate" in served.stderr and "Traceback" not in served.stderr


def test_a_store_of_the_previous_release_upgrades_and_still_verifies(backend: str, tmp_path: Path) -> None:
    settings = previous_release_store(backend, tmp_path)
    migrated = CliRunner().invoke(app, ["migrate"], env=environment(settings))
    assert migrated.exit_code == 0, migrated.stderr
    assert f"made before migrations -> revision {schema.head()}" in " ".join(migrated.stdout.split())
    services = build_existing(settings, inline_projections=True)
    try:
        report = services.registry.verify_log()
        assert report.ok, report.as_dict()
        assert report.events_checked == 123  # the demo village, then its checkpoint
        parcels = services.queries.in_village("32730101", "", 1000, "all").items
        assert len(parcels) == 30 and all(p["village_code"] == "32730101" for p in parcels)
        with services.registry.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM landreg_reads")).scalar_one() == 0
            assert connection.execute(text("SELECT count(*) FROM landreg_tokens")).scalar_one() == 1
        # The old key still signs: a new survey lands beside the old village and is sealed.
        services.registry.clock = lambda: TODAY
        nib = services.registry.submit_survey("31740101", square(106.9, -6.3, 40), SURVEY,
                                              actor=Actor("surveyor-9", "surveyor"))["nib"]
        assert services.queries.parcel(nib) is not None
        assert services.registry.verify_log().ok
    finally:
        services.close()


def test_init_makes_a_store_that_serve_accepts(backend: str, tmp_path: Path) -> None:
    url = fresh_database(backend, tmp_path, "init")
    env = {"LANDREG_DATABASE_URL": url, "LANDREG_AUDIT_KEY_FILE": f"{tmp_path}/k.pem",
           "LANDREG_AUDIT_ANCHOR_FILE": f"{tmp_path}/a.jsonl"}
    done = CliRunner().invoke(app, ["init"], env=env)
    assert done.exit_code == 0 and f"schema revision {schema.head()}" in " ".join(done.stdout.split()), done.stderr
    again = CliRunner().invoke(app, ["migrate"], env=env)
    assert again.exit_code == 0 and f"already at revision {schema.head()}" in " ".join(again.stdout.split())
    build(Settings(database_url=url, audit_key_file=tmp_path / "k.pem", audit_anchor_file=tmp_path / "a.jsonl")).close()
