"""A real streaming replica (Debian's pg_createcluster + pg_basebackup -R, on ports of their own):
the service reads from it, a write answers its commit position, a read sending it back waits
(bounded) for the replica or reads the primary, tokens are checked on the primary, /health shows
the lag. Skipped, saying why, where clusters cannot be made (CI runs as root on Debian and can)."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.auth import TokenStore
from api.bootstrap import build
from api.replica import COMMIT_HEADER, READ_AFTER_HEADER
from registry.persistence.settings import Settings
from tests.e2e.calls import assert_problem, bearer, survey_body
from tests.support import free_port

VERSION = "15"
TOOLS = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_basebackup", "runuser")


@pytest.fixture
def backend() -> str:
    return "postgresql"


@dataclass
class Pair:
    primary_url: str
    replica_url: str


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()[-500:]}")


def _why_not() -> str | None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"needs Debian's PostgreSQL cluster tools ({', '.join(missing)} missing)"
    if os.geteuid() != 0:
        return "needs root to create PostgreSQL clusters"
    if not Path(f"/usr/lib/postgresql/{VERSION}/bin/postgres").exists():
        return f"needs PostgreSQL {VERSION}'s server binaries"
    return None


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """A primary cluster and its streaming replica, dropped afterwards."""
    problem = _why_not()
    if problem:
        pytest.skip(f"read replica e2e skipped: {problem}")
    name = f"landreg_e2e_{os.getpid()}"
    primary, replica = f"{name}_primary", f"{name}_replica"
    ports = free_port(), free_port()
    try:
        _make_primary(primary, ports[0])
        _make_replica(replica, ports)
        yield Pair(f"postgresql+psycopg2://postgres@127.0.0.1:{ports[0]}/landreg",
                   f"postgresql+psycopg2://postgres@127.0.0.1:{ports[1]}/landreg")
    except RuntimeError as error:
        pytest.skip(f"read replica e2e skipped: could not make the clusters: {error}")
    finally:
        for cluster in (replica, primary):
            subprocess.run(["pg_dropcluster", "--stop", VERSION, cluster], capture_output=True, timeout=120,
                           check=False)


def _make_primary(cluster: str, port: int) -> None:
    _run("pg_createcluster", VERSION, cluster, "-p", str(port), "--", "--auth=trust")
    _trust_loopback(cluster)
    _run("pg_ctlcluster", VERSION, cluster, "start")
    _run("runuser", "-u", "postgres", "--", "psql", "-p", str(port), "-qc", "CREATE DATABASE landreg")
    _run("runuser", "-u", "postgres", "--", "psql", "-p", str(port), "-d", "landreg", "-qc",
         "CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm")


def _trust_loopback(cluster: str) -> None:
    """Trust on loopback and the socket, replication included (Debian keeps pg_hba.conf in /etc)."""
    Path(f"/etc/postgresql/{VERSION}/{cluster}/pg_hba.conf").write_text(
        "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        "local replication all trust\nhost replication all 127.0.0.1/32 trust\n")


def _make_replica(cluster: str, ports: tuple[int, int]) -> None:
    _run("pg_createcluster", VERSION, cluster, "-p", str(ports[1]))
    data = Path(f"/var/lib/postgresql/{VERSION}/{cluster}")
    for entry in data.iterdir():  # the folder stays, its owner and mode as the cluster tools made them
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    _run("runuser", "-u", "postgres", "--", "pg_basebackup", "-h", "127.0.0.1", "-p", str(ports[0]), "-U",
         "postgres", "-D", str(data), "-R", "-X", "stream")
    _trust_loopback(cluster)
    _run("pg_ctlcluster", VERSION, cluster, "start")


@pytest.fixture
def client(pair: Pair, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=pair.primary_url, read_database_url=pair.replica_url, replica_wait_ms=1_000,
                        audit_key_file=tmp_path / "key.pem", audit_anchor_file=tmp_path / "anchor.jsonl")
    services = build(settings)
    with TestClient(create_app(services=services)) as client:
        yield client


def _replay(pair: Pair, action: str) -> None:
    engine = sqlalchemy.create_engine(pair.replica_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
        connection.execute(text(f"SELECT pg_wal_replay_{action}()"))
    engine.dispose()


def test_reads_come_from_the_replica_and_a_commit_position_reads_its_own_write(pair: Pair,
                                                                               client: TestClient) -> None:
    app = client.app
    surveyor = bearer(TokenStore(app.state.services.registry.engine).create("siti", "surveyor"))  # type: ignore[attr-defined]
    _replay(pair, "pause")
    try:
        officer = bearer(TokenStore(app.state.services.registry.engine).create("budi", "officer"))  # type: ignore[attr-defined]
        written = client.post("/v1/parcels", json=survey_body(), headers=surveyor)  # the token: checked on the primary
        assert written.status_code == 201, written.text
        position, nib = written.headers[COMMIT_HEADER], written.json()["nib"]
        assert client.get(f"/v1/parcels/{nib}", headers=officer).status_code == 404  # the replica has not replayed it
        own = client.get(f"/v1/parcels/{nib}", headers={**officer, READ_AFTER_HEADER: position})
        assert own.status_code == 200 and own.json()["id"] == nib  # waited its bound, then read the primary
        health = client.get("/health").json()
        assert health["replica_lag"]["bytes"] > 0
    finally:
        _replay(pair, "resume")
    own = client.get(f"/v1/parcels/{nib}", headers={**officer, READ_AFTER_HEADER: position})
    assert own.status_code == 200  # from the replica once it replayed the write
    assert client.get(f"/v1/parcels/{nib}", headers=officer).status_code == 200
    assert client.get("/health").json()["replica_lag"] == {"events": 0, "bytes": 0.0, "seconds": 0.0}


def test_a_malformed_position_is_refused_naming_the_header(client: TestClient) -> None:
    officer = bearer(TokenStore(client.app.state.services.registry.engine).create("ani", "officer"))  # type: ignore[attr-defined]
    answer = client.get("/v1/parcels/3174010100001", headers={**officer, READ_AFTER_HEADER: "yesterday"})
    body = assert_problem(answer, 422, "invalid_input")
    assert body["field"] == READ_AFTER_HEADER
