"""What an attacker with write access to the database (and none to the key or the anchor file) can
do, written with raw SQL behind the registry's back, for the audit tests."""
from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import text

from registry.application.registry import Registry
from registry.domain.chain import GENESIS, stored_digest


def log(registry: Registry) -> list[dict[str, Any]]:
    return [{"id": r.position, "originator_id": r.originator_id, "version": r.version, "topic": r.topic,
             "state": r.state} for r in registry.log_rows()]


def seals(registry: Registry) -> list[dict[str, Any]]:
    with registry.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM landreg_seals ORDER BY to_position")).mappings().all()
    return [{**row, "leaves": orjson.loads(row["leaves"])} for row in rows]


def run(registry: Registry, sql: str, **params: Any) -> None:
    with registry.engine.begin() as connection:
        connection.execute(text(sql), params)


def write_state(registry: Registry, event_id: int, state: dict[str, Any]) -> None:
    run(registry, "UPDATE landreg_events SET state = :state WHERE id = :id", state=orjson.dumps(state), id=event_id)


def chained(registry: Registry, row: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """`state` with the hash the chain expects after the event before `row` in its aggregate."""
    before = [r for r in log(registry) if r["originator_id"] == row["originator_id"] and r["version"] < row["version"]]
    previous = before[-1]["state"]["hash"] if before else GENESIS
    return {**state, "hash": stored_digest(previous, row["topic"], row["originator_id"], row["version"], state)}


def append_event(registry: Registry, originator_id: str, version: int, topic: str, state: dict[str, Any]) -> int:
    """Insert an event at the end of the log; its log position."""
    with registry.engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        originator = uuid.UUID(originator_id) if postgres else uuid.UUID(originator_id).bytes
        connection.execute(text("INSERT INTO landreg_events (originator_id, originator_version, topic, state) "
                                "VALUES (:o, :v, :t, :s)"), {"o": originator, "v": version, "t": topic,
                                                             "s": orjson.dumps(state)})
        return int(connection.execute(text("SELECT max(id) FROM landreg_events")).scalar_one())


def newest(registry: Registry, topic_suffix: str) -> dict[str, Any]:
    return next(r for r in reversed(log(registry)) if r["topic"].endswith(topic_suffix))
