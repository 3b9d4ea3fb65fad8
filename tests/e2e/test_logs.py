"""Structured logs: with LANDREG_LOG_FORMAT=json every line `landreg serve --workers 2` writes is a
JSON object (two worker processes start), and each request has one access line with its request id
(the client's X-Request-ID, or a new one, echoed in the response), actor, route, status and
duration; holder searches are masked."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy

from api import logs
from api.auth import TokenStore
from tests.support import landreg_serve


@pytest.fixture
def backend() -> str:
    """SQLite only: logging does not depend on the store."""
    return "sqlite"


def test_each_request_is_one_json_line_with_its_id_actor_route_status_and_duration(tmp_path: Path) -> None:
    with landreg_serve(tmp_path, "--workers", "2", log_format="json") as (client, lines):
        engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path}/data/landreg.db")
        token = TokenStore(engine).create("ani", "officer")
        engine.dispose()
        found = client.get("/v1/parcels", params={"holder_name": "Budi Santoso"},
                           headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-42.a"})
        assert found.status_code == 200 and found.headers["x-request-id"] == "req-42.a"
        fresh = client.get("/health", headers={"X-Request-ID": "not fit\tfor a log"})
        generated = fresh.headers["x-request-id"]
        assert len(generated) == 32 and generated != "not fit\tfor a log"
    written = [line for line in lines if not line.startswith("landreg on ")]  # the banner is for a person
    records = [json.loads(line) for line in written]
    access = {r["request_id"]: r for r in records if r["logger"] == "landreg.access"}
    search = access["req-42.a"]
    assert (search["route"], search["status"], search["actor"], search["method"]) == ("/v1/parcels", 200, "ani", "GET")
    assert search["target"] == "/v1/parcels?holder_name=***" and search["duration_ms"] >= 0
    assert access[generated]["actor"] is None and access[generated]["route"] == "/health"
    assert not any("Budi" in line for line in written)
    assert {r["logger"] for r in records} >= {"landreg.access", "uvicorn.error"}
    workers = {r["message"] for r in records if r["message"].startswith("Started server process")}
    assert len(workers) == 2, workers


@pytest.mark.parametrize("query, shown", [
    (b"holder=3174011501800001&limit=5", "/v1/parcels?holder=***&limit=5"),
    (b"village=31740101", "/v1/parcels?village=31740101"),
    (b"", "/v1/parcels"),
])
def test_holder_search_values_are_masked_in_the_log(query: bytes, shown: str) -> None:
    assert logs.target("/v1/parcels", query) == shown
