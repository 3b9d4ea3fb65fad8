"""The benchmark peers (benchmarks/peers): each returns a positive rate and really wrote what it
counted. Tiny sizes; timings are never asserted. PostgreSQL only, in a database of their own."""
from __future__ import annotations

import importlib.util
import os
import shutil
from typing import Any

import pytest
import sqlalchemy

from benchmarks.peers import (
    Measure,
    MessageDbUnavailable,
    crud,
    library_projection_runner,
    message_db,
    plain_save,
    raw_copy,
    raw_read,
    raw_sha256,
    recorders,
)
from benchmarks.peers.common import check_database_name, connect, identifier
from tests.conftest import POSTGRES_URL, require_postgres

pytestmark = pytest.mark.postgres
COMMANDS = 20


@pytest.fixture
def peer_url() -> str:
    """A database the peers may drop and fill, on the test server (never landreg_test itself)."""
    require_postgres()
    return sqlalchemy.make_url(POSTGRES_URL).set(database="landreg_peer_test").render_as_string(hide_password=False)


def scalar(url: str, query: str) -> Any:
    with connect(url) as raw, raw.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def assert_rates(figures: list[Measure], count: int, unit: str) -> None:
    assert len(figures) == count
    for figure in figures:
        assert figure.value > 0 and figure.n > 0 and figure.unit == unit, figure


def test_protected_databases_and_odd_table_names_are_refused() -> None:
    for name in ("landreg_test", "landreg_test_main", "postgres", "test"):
        with pytest.raises(ValueError):
            check_database_name(f"postgresql+psycopg2://postgres@127.0.0.1/{name}")
    with pytest.raises(ValueError):
        identifier("landreg_events; DROP TABLE x")


def test_plain_save_writes_one_event_per_command(peer_url: str) -> None:
    figures = plain_save(peer_url, COMMANDS)

    assert_rates(figures, 3, "commands/s")
    assert scalar(peer_url, "SELECT count(*) FROM plainledger_events") == 3 * COMMANDS
    assert scalar(peer_url, "SELECT count(*) FROM plainledger_events WHERE originator_version = 2") == COMMANDS


def test_crud_inserts_parcels_updates_holders_and_audits_every_command(peer_url: str) -> None:
    figures = crud(peer_url, COMMANDS)

    assert_rates(figures, 3, "commands/s")
    assert scalar(peer_url, "SELECT count(*) FROM parcels WHERE holder_id LIKE '32%' AND edition = 2") == COMMANDS
    assert scalar(peer_url, "SELECT count(*) FROM audit_log") == 3 * COMMANDS
    assert scalar(peer_url, "SELECT count(*) FROM pg_indexes WHERE tablename = 'parcels' "
                            "AND indexdef LIKE '%USING gist%'") == 1


def test_both_recorders_write_every_event_singly_and_in_batches(peer_url: str) -> None:
    if importlib.util.find_spec("psycopg") is None:
        pytest.skip("psycopg 3 is not installed (pip install -e '.[bench]')")
    figures = recorders(peer_url, events=40, batch=10, singles=10)

    assert_rates(figures, 4, "events/s")
    assert [f.n for f in figures] == [10, 40, 10, 40]
    for table in ("peer_sqlalchemy_events", "peer_psycopg_events"):
        assert scalar(peer_url, f"SELECT count(*) FROM {table}") == 50


def test_raw_copy_fills_both_tables_and_raw_reads_count_every_row(peer_url: str) -> None:
    figures = raw_copy(peer_url, 30, chunk=8)

    assert [(f.unit, f.n) for f in figures] == [("rows/s", 60), ("parcels/s", 30)]
    assert all(f.value > 0 for f in figures)
    assert scalar(peer_url, "SELECT count(*) FROM copy_events WHERE length(state) > 900") == 30
    assert scalar(peer_url, "SELECT count(DISTINCT ST_SRID(geom)) || ':' || min(ST_SRID(geom)) "
                            "FROM copy_parcels WHERE ST_IsValid(geom)") == "1:4326"
    for peer in (raw_read, raw_sha256):
        [figure] = peer(peer_url, "copy_events")
        assert figure.n == 30 and figure.value > 0 and figure.unit == "events/s"


def test_library_projection_runner_tracks_every_event_of_the_log(peer_url: str) -> None:
    [figure] = library_projection_runner(peer_url, 50)

    assert figure.n == 50 and figure.value > 0
    assert scalar(peer_url, "SELECT count(*) FROM peer_view_parcels") == 50
    last = scalar(peer_url, "SELECT max(id) FROM plainledger_events")
    assert scalar(peer_url, "SELECT notification_id FROM peer_parcel_rows_tracking") == last


@pytest.mark.skipif(os.environ.get("LANDREG_BENCH_PEERS", "") in ("", "0") or shutil.which("npm") is None,
                    reason="Message DB installs from npm: set LANDREG_BENCH_PEERS=1 (and have npm) to run it")
def test_message_db_writes_one_message_per_command(peer_url: str) -> None:
    url = sqlalchemy.make_url(peer_url).set(database="landreg_peer_test_messagedb").render_as_string(
        hide_password=False)
    try:
        figures = message_db(url, COMMANDS)
    except MessageDbUnavailable as error:
        pytest.skip(f"Message DB could not be installed here: {error}")

    assert_rates(figures, 3, "messages/s")
    assert scalar(url, "SELECT count(*) FROM message_store.messages") == 3 * COMMANDS
    assert scalar(url, "SELECT count(*) FROM message_store.messages WHERE position = 1") == COMMANDS
