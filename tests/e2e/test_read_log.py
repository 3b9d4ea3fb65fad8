"""The read log of personal data (UU PDP 2022): every read that shows holders' names or ids is
recorded (who, whose, which parcel, how, why, which request) in its own table, written in batches
off the request's path; auditors query it by person, reader, parcel and time, over HTTP and the CLI;
old rows go after the retention."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.bootstrap import Services
from api.cli import app as cli
from api.readlog import Reader, ReadLog, reads
from registry.domain.values import Actor
from tests.e2e.calls import Headers, assert_problem
from tests.stores import environment


def _reads(client: TestClient, auditor: Headers, app: FastAPI, **query: str) -> list[dict[str, object]]:
    app.state.read_log.flush()  # what the writer thread does every second
    answer = client.get("/v1/audit/reads", params=query, headers=auditor)
    assert answer.status_code == 200, answer.text
    return answer.json()["reads"]  # type: ignore[no-any-return]


def test_a_holder_search_is_recorded_with_reader_person_parcel_purpose_and_request(
        client: TestClient, app: FastAPI, titled_nib: str, officer: Headers, auditor: Headers) -> None:
    found = client.get("/v1/parcels", params={"holder_name": "budi"},
                       headers={**officer, "X-Purpose": "case PN-JKT-9/2025", "X-Request-ID": "req-pdp-1"})
    assert found.status_code == 200 and len(found.json()["features"]) == 1
    rows = _reads(client, auditor, app, holder="budi")
    assert [(r["actor"], r["role"], r["access"], r["subject"], r["nib"], r["purpose"], r["request_id"])
            for r in rows] == [("officer-e2e", "officer", "holder_name_search", "budi", titled_nib,
                                "case PN-JKT-9/2025", "req-pdp-1")]
    assert datetime.fromisoformat(str(rows[0]["read_at"])) > datetime.now(UTC) - timedelta(minutes=1)


def test_every_read_of_holders_is_recorded_and_reads_without_them_are_not(
        client: TestClient, app: FastAPI, titled_nib: str, officer: Headers, auditor: Headers) -> None:
    certificate = client.get(f"/v1/parcels/{titled_nib}",
                             headers=officer).json()["properties"]["title"]["certificate_number"]
    for path in (f"/v1/parcels/{titled_nib}", f"/v1/parcels/{titled_nib}/history", "/v1/parcels?holder=budi",
                 "/v1/parcels?village=31740101", f"/v1/certificates/{certificate}", "/v1/villages/31740101/ownership",
                 "/ogc/collections/parcels/items", f"/ogc/collections/parcels/items/{titled_nib}"):
        assert client.get(path, headers=officer).status_code == 200, path
    assert client.get("/health").status_code == 200 and client.get("/v1/public/certificates/x").status_code == 200
    rows = _reads(client, auditor, app, actor="officer-e2e")
    assert sorted(str(r["access"]) for r in rows) == sorted([
        "parcel", "parcel", "parcel_history", "holder_search", "village_list", "certificate", "village_ownership",
        "ogc_items", "ogc_items"])  # the first GET above read the certificate number
    assert {r["subject"] for r in rows} == {"budi"} and {r["nib"] for r in rows} == {titled_nib}
    assert _reads(client, auditor, app, actor="nobody") == []


def test_the_read_log_is_for_auditors_and_pages_newest_first(
        client: TestClient, app: FastAPI, titled_nib: str, officer: Headers, auditor: Headers) -> None:
    for _ in range(3):
        client.get(f"/v1/parcels/{titled_nib}", headers=officer)
    assert_problem(client.get("/v1/audit/reads", headers=officer), 403)
    app.state.read_log.flush()
    first = client.get("/v1/audit/reads", params={"nib": titled_nib, "limit": 2}, headers=auditor).json()
    assert len(first["reads"]) == 2 and first["reads"][0]["id"] > first["reads"][1]["id"]
    rest = client.get("/v1/audit/reads", params={"nib": titled_nib, "cursor": first["next_cursor"]},
                      headers=auditor).json()
    assert len(rest["reads"]) == 1 and rest["next_cursor"] is None
    assert _reads(client, auditor, app, nib=titled_nib, **{"from": "2000-01-01", "to": "2000-12-31"}) == []
    today = datetime.now(UTC).date().isoformat()
    assert len(_reads(client, auditor, app, nib=titled_nib, **{"from": today, "to": today})) == 3
    assert_problem(client.get("/v1/audit/reads", params={"from": "yesterday"}, headers=auditor), 422)


def test_a_read_never_waits_for_the_log_and_nothing_is_lost_when_the_store_was_away(
        services: Services, tmp_path: Path) -> None:
    away = sqlalchemy.create_engine(f"sqlite:///{tmp_path}/no/such/folder/landreg.db")  # cannot be opened
    log = ReadLog(away, retention_days=30, flush_seconds=3600)
    reader = Reader(Actor("ani", "officer"), "audit of village 31740101")
    shown = [{"nib": f"317401010000{i}", "title": {"holders": [{"id": f"nik-{i}", "name": f"H {i}"}]}}
             for i in range(5)]
    assert log.record(reader, "village_list", shown) == 5  # queued: the read goes on
    with pytest.raises(sqlalchemy.exc.OperationalError):
        log.flush()
    assert len(log.pending) == 5  # kept for the next round
    log.engine = services.registry.engine  # the store is back
    assert log.flush() == 5 and log.flush() == 0
    with services.registry.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(reads)).scalar_one() == 5
    assert log.prune(now=datetime.now(UTC) + timedelta(days=29)) == 0
    assert log.prune(now=datetime.now(UTC) + timedelta(days=31)) == 5  # past the retention
    log.close()
    away.dispose()


def test_the_cli_shows_the_reads_of_a_person_and_records_an_export_with_holders(
        client: TestClient, app: FastAPI, titled_nib: str, officer: Headers, services: Services,
        tmp_path: Path) -> None:
    env = environment(services.settings)
    exported = CliRunner().invoke(cli, ["export", "--village", "31740101", "--format", "geojson", "--holders",
                                        "--out", str(tmp_path / "v.geojson"), "--actor", "gis-desk",
                                        "--purpose", "PTSL 2026"], env=env)
    assert exported.exit_code == 0, exported.stderr
    client.get(f"/v1/parcels/{titled_nib}", headers=officer)
    app.state.read_log.flush()
    shown = CliRunner().invoke(cli, ["audit", "reads", "--holder", "budi"], env={**env, "COLUMNS": "200"})
    assert shown.exit_code == 0, shown.stderr
    assert "gis-desk" in shown.stdout and "export" in shown.stdout and "PTSL 2026" in shown.stdout
    assert "officer-e2e" in shown.stdout and titled_nib in shown.stdout
