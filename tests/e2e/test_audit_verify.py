"""GET /v1/audit/verify: by default only what came after the checkpoint the last sound verify ended
on; `?full=true` every event, so an edit before that checkpoint is found only by the full one."""
from __future__ import annotations

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.bootstrap import Services
from registry.domain.values import Actor
from tests.e2e.calls import Headers
from tests.support import titled


def test_the_default_verify_is_incremental_and_full_true_reads_every_event(
    client: TestClient, auditor: Headers, services: Services,
) -> None:
    registry = services.registry
    titled(registry)
    registry.make_checkpoint(actor=Actor("auditor-1", "auditor"))
    first = client.get("/v1/audit/verify", headers=auditor).json()
    assert first["ok"] and first["full"] and first["from_position"] == 0  # nothing verified before
    titled(registry, lon=106.9)
    later = client.get("/v1/audit/verify", headers=auditor).json()
    assert later["ok"] and not later["full"] and later["from_position"] > 0
    assert later["events_checked"] < first["events_checked"] + 2
    with registry.engine.begin() as connection:  # an edit before the checkpoint
        state = orjson.loads(bytes(
            connection.execute(text("SELECT state FROM landreg_events WHERE id = 1")).scalar_one()))
        connection.execute(text("UPDATE landreg_events SET state = :s WHERE id = 1"),
                           {"s": orjson.dumps({**state, "hash": "3" * 64})})
    assert client.get("/v1/audit/verify", headers=auditor).json()["ok"]
    full = client.get("/v1/audit/verify", params={"full": "true"}, headers=auditor).json()
    assert not full["ok"] and full["first_break"]["position"] == 1
