"""Read replicas (PostgreSQL streaming replication): the commit position each write answers, the
bounded wait of a read that sends it back (read-your-writes), and the replica's lag for /health."""
from __future__ import annotations

import re
import time
from typing import Any

import anyio
from sqlalchemy import text
from sqlalchemy.engine import Engine

from registry.domain.errors import InvalidInput

COMMIT_HEADER = "X-Commit-LSN"  # a write's answer: the primary's WAL position after its commit
READ_AFTER_HEADER = "X-Read-After-LSN"  # a read's request: answer from a store that has replayed this
_LSN = re.compile(r"[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")
_POLL_S = 0.005


def parse_lsn(value: str) -> str:
    """A WAL position as PostgreSQL writes it (`16/B374D848`), or 422 naming the header."""
    if not _LSN.fullmatch(value.strip()):
        raise InvalidInput(READ_AFTER_HEADER, "must be a WAL position as answered in X-Commit-LSN, e.g. 0/16B3748")
    return value.strip()


class Replica:
    """The primary and its streaming replica, as the service's read side sees them."""

    def __init__(self, primary: Engine, replica: Engine, wait_s: float) -> None:
        self.primary = primary
        self.replica = replica
        self.wait_s = wait_s

    def position(self) -> str:
        """The primary's WAL position now: at or after the commit of every write that has returned."""
        with self.primary.connect() as connection:
            return str(connection.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one())

    def has_replayed(self, lsn: str) -> bool:
        """Whether the replica has replayed `lsn`, waiting up to `wait_s` for it (a primary always has)."""
        deadline = time.monotonic() + self.wait_s
        query = text("SELECT coalesce(pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn), true)")
        with self.replica.connect() as connection:
            while True:
                if connection.execute(query, {"lsn": lsn}).scalar_one():
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(_POLL_S)

    def lag(self) -> dict[str, float]:
        """WAL bytes the replica has still to replay, and seconds since the last change it replayed
        (0 when it has replayed everything the primary wrote)."""
        head = self.position()
        with self.replica.connect() as connection:
            row = connection.execute(text(
                "SELECT coalesce(pg_wal_lsn_diff(CAST(:head AS pg_lsn), pg_last_wal_replay_lsn()), 0), "
                "CASE WHEN pg_last_wal_replay_lsn() >= CAST(:head AS pg_lsn) THEN 0 ELSE "
                "coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"), {"head": head}).one()
        return {"bytes": max(0.0, float(row[0])), "seconds": max(0.0, float(row[1]))}


class CommitPosition:
    """ASGI middleware: every successful write (POST, PUT, PATCH, DELETE) answers X-Commit-LSN,
    read from the primary once the command has committed (its result is never sent before)."""

    def __init__(self, app: Any, replica: Replica) -> None:
        self.app = app
        self.replica = replica

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return

        async def send_with_position(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                position = await anyio.to_thread.run_sync(self.replica.position)
                message = {**message, "headers": [*message.get("headers", []),
                                                  (COMMIT_HEADER.lower().encode(), position.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_position)
