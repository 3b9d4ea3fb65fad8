"""/health tells ok, degraded and failing apart: checkpoints are no lag, a read model falling
further behind or a read replica staying behind is degraded, a store that does not answer is failing."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import sqlalchemy
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.bootstrap import Services, build
from projections.projector import STALL_SECONDS, Status, Watch
from registry.domain.values import Actor
from registry.persistence.settings import Settings
from tests.conftest import POSTGRES_URL, TODAY
from tests.e2e.calls import Headers
from tests.stores import fresh_database
from tests.support import survey

AUDITOR = Actor("auditor-1", "auditor")


def test_checkpoints_right_after_commands_are_no_lag(client: TestClient, services: Services, titled_nib: str) -> None:
    for _ in range(3):
        services.registry.make_checkpoint(actor=AUDITOR)
    answer = client.get("/health")
    assert answer.status_code == 200 and answer.json()["status"] == "ok", answer.text
    assert set(answer.json()["read_model_lag"].values()) == {0}
    survey(services.registry, lon=106.9)  # the next command passes the checkpoints too
    assert set(client.get("/health").json()["read_model_lag"].values()) == {0}


def test_a_store_that_does_not_answer_is_failing_and_the_service_still_answers(backend: str, tmp_path: Path) -> None:
    url = fresh_database(backend, tmp_path, "vanishing")
    settings = Settings(database_url=url, audit_key_file=tmp_path / "k.pem", audit_anchor_file=tmp_path / "a.jsonl")
    services = build(settings)
    with TestClient(create_app(services=services)) as client:
        assert client.get("/health").json()["status"] == "ok"
        _take_away(url, services)
        answer = client.get("/health")
        assert answer.status_code == 503, answer.text
        body = answer.json()
        assert body["status"] == "failing" and body["problems"][0]["component"] == "store"
        assert client.get("/openapi.json").status_code == 200


def _take_away(url: str, services: Services) -> None:
    """The store goes: the PostgreSQL database is dropped, the SQLite file deleted."""
    if url.startswith("sqlite"):
        os.remove(url.removeprefix("sqlite:///"))
    else:
        name = sqlalchemy.make_url(url).database
        admin = sqlalchemy.create_engine(sqlalchemy.make_url(POSTGRES_URL).set(database="postgres"),
                                         isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
    services.registry.engine.dispose()
    services.queries.engine.dispose()


def test_a_read_replica_that_stays_behind_is_degraded(sqlite_services: Services, tmp_path: Path,
                                                      officer: Headers) -> None:
    primary = sqlite_services.settings
    survey(sqlite_services.registry)
    replica_file = tmp_path / "replica.db"
    shutil.copyfile(primary.database_url.removeprefix("sqlite:///"), replica_file)  # a replica that stopped here
    settings = primary.model_copy(update={"read_database_url": f"sqlite:///{replica_file}"})
    services = build(settings, clock=lambda: TODAY)
    try:
        survey(services.registry, lon=106.9)
        app = create_app(services=services)
        with TestClient(app) as client:
            first = client.get("/health").json()
            assert first["status"] == "ok" and first["replica_lag"]["events"] > 0  # behind, not yet for long
            position, _ = services.projector.watch.moved["replica"]
            services.projector.watch.moved["replica"] = (position, time.monotonic() - STALL_SECONDS - 1)
            answer = client.get("/health")
            assert answer.status_code == 503 and answer.json()["status"] == "degraded"
            assert answer.json()["problems"][0]["component"] == "replica"
    finally:
        services.close()


def test_a_read_model_whose_lag_grows_over_a_window_is_degraded() -> None:
    watch = Watch()
    assert watch.troubles([Status("parcels", 100, 110)], follower_alive=True) == []
    watch.windows["parcels"] = (10, time.monotonic() - STALL_SECONDS)  # a window ago it was 10 behind
    moving = watch.troubles([Status("parcels", 150, 200)], follower_alive=True)  # moved, but 50 behind now
    assert moving == [{"read_model": "parcels", "reason": "lag grew from 10 to 50 events in 30 s"}]
    watch.windows["parcels"] = (50, time.monotonic() - STALL_SECONDS)
    assert watch.troubles([Status("parcels", 240, 260)], follower_alive=True) == []  # catching up again
