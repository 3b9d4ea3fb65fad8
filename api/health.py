"""What `/health` answers: ok, degraded (a read model's follower stopped, failed, stalls or falls
further behind; the read replica stays behind) or failing (the store does not answer)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from api.bootstrap import Services
from projections import log
from projections.projector import Status


def report(services: Services, follower_alive: bool | None) -> tuple[dict[str, Any], int]:
    """The body and status code of /health."""
    body: dict[str, Any] = {"store": services.settings.store}
    try:
        statuses = services.projector.status()
        replica = _replica(services)
        streaming = services.replica.lag() if replica is not None and services.replica is not None else {}
    except SQLAlchemyError as error:  # the store (or the replica) does not answer
        cause = str(getattr(error, "orig", None) or error).strip().splitlines()
        return {**body, "status": "failing", "read_model_lag": {},
                "problems": [{"component": "store", "reason": cause[0][:300] if cause else type(error).__name__}]}, 503
    watch = services.projector.watch
    troubles = watch.troubles(statuses, follower_alive)
    body["read_model_lag"] = {s.name: s.lag for s in statuses}
    if replica is not None:
        body["replica_lag"] = {"events": replica.lag, **streaming}
        troubles += [{"component": "replica", "reason": t["reason"]} for t in watch.troubles([replica], True)]
    body["status"] = "degraded" if troubles else "ok"
    if troubles:
        body["problems"] = troubles
    return body, 503 if troubles else 200


def _replica(services: Services) -> Status | None:
    """How far the read replica's log is behind the primary's (None: queries read the primary)."""
    if services.settings.read_database_url in (None, services.settings.database_url):
        return None
    with services.registry.engine.connect() as primary, services.queries.engine.connect() as replica:
        return Status("replica", log.last_folded_position(replica), log.last_folded_position(primary))
