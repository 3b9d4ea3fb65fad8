"""Waiting for new events: LISTEN/NOTIFY on PostgreSQL (the event store notifies on every append),
plain polling on SQLite, which has no notifications."""
from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy.engine import Engine

from registry.persistence.store import EVENTS_TABLE

CHANNEL = EVENTS_TABLE  # the library notifies on the events table's name


class Wakeup:
    """Sleeps up to `timeout` seconds, returning early when PostgreSQL announces an append."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.listening = engine.dialect.name == "postgresql"
        self._connection: Any = None

    def wait(self, timeout: float) -> None:
        if not self.listening:
            time.sleep(timeout)
            return
        connection = self._listen()
        if select.select([connection], [], [], timeout)[0]:
            connection.poll()
            connection.notifies.clear()

    def _listen(self) -> Any:
        if self._connection is None or self._connection.closed:
            raw = self.engine.raw_connection()
            connection: Any = raw.driver_connection
            raw.detach()  # in autocommit for LISTEN: it must never go back to the pool
            connection.autocommit = True
            connection.cursor().execute(f"LISTEN {CHANNEL}")
            self._raw, self._connection = raw, connection
        return self._connection

    def reset(self) -> None:
        """Close the listening connection (after an error, or when done); a later wait opens a new one."""
        if self._connection is not None:
            try:
                self._raw.close()
            finally:
                self._connection = None
