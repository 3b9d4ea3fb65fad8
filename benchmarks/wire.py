"""Counting what a command sends to PostgreSQL: statements and network round trips, seen at the
psycopg2 connection itself, so statements SQLAlchemy never sees (the pool's pre-ping, the raw
cursors of NOTIFY and COPY, psycopg2's own BEGIN) are counted too."""
from __future__ import annotations

import threading
from typing import Any

import psycopg2.extensions
import sqlalchemy


class Wire:
    """Running totals of statements and round trips over every counting connection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statements = 0
        self.round_trips = 0

    def add(self, statements: int, round_trips: int) -> None:
        with self._lock:
            self.statements += statements
            self.round_trips += round_trips

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self.statements, self.round_trips


WIRE = Wire()


def _statements(query: Any) -> int:
    """How many SQL statements one execute() carries (psycopg2 sends them in one round trip)."""
    sql = query.decode() if isinstance(query, bytes) else str(query)
    return max(1, sum(1 for part in sql.split(";") if part.strip()))


class CountingCursor(psycopg2.extensions.cursor):
    """A cursor that counts what it sends; psycopg2 sends BEGIN first when a transaction opens."""

    def _begin(self) -> int:
        opening = not self.connection.autocommit and \
            self.connection.status == psycopg2.extensions.STATUS_READY
        return 1 if opening else 0

    def execute(self, query: Any, vars: Any = None) -> Any:
        begin = self._begin()
        WIRE.add(_statements(query) + begin, 1 + begin)
        return super().execute(query, vars)

    def executemany(self, query: Any, vars_list: Any) -> Any:
        rows = list(vars_list)
        begin = self._begin()
        WIRE.add(len(rows) + begin, len(rows) + begin)  # psycopg2 sends one statement a row
        return super().executemany(query, rows)

    def copy_expert(self, sql: Any, file: Any, size: int = 8192) -> Any:
        begin = self._begin()
        WIRE.add(1 + begin, 1 + begin)
        return super().copy_expert(sql, file, size)


class CountingConnection(psycopg2.extensions.connection):
    """A psycopg2 connection whose cursors count, and whose COMMIT and ROLLBACK count."""

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cursor_factory", CountingCursor)
        return super().cursor(*args, **kwargs)

    def commit(self) -> None:
        if self.status != psycopg2.extensions.STATUS_READY:
            WIRE.add(1, 1)
        super().commit()

    def rollback(self) -> None:
        if self.status != psycopg2.extensions.STATUS_READY:
            WIRE.add(1, 1)
        super().rollback()


def count_on(engine: sqlalchemy.Engine) -> Wire:
    """Make every new connection of `engine` a counting one (PostgreSQL); the open ones are closed."""
    if engine.dialect.name == "postgresql":
        @sqlalchemy.event.listens_for(engine, "do_connect")
        def _connect(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
            cparams["connection_factory"] = CountingConnection

        engine.dispose()
    return WIRE
