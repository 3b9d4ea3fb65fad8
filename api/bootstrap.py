"""The composition root: builds the registry and its read models from one Settings object."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Self

import sqlalchemy
from sqlalchemy.engine import Engine, make_url

from api.readlog import ReadLog
from api.replica import Replica
from projections.projector import Projector
from projections.queries import Queries, read_engine
from registry.application.registry import Registry
from registry.persistence.settings import Settings
from registry.persistence.store import EVENTS_TABLE


class StoreMissing(Exception):
    """A command that works on an existing store found none where the settings point."""


@dataclass
class Services:
    """Everything a process of landreg uses, wired once."""

    settings: Settings
    registry: Registry
    projector: Projector
    queries: Queries
    read_log: ReadLog  # who read whose personal data (api/readlog.py)
    # With a read replica: queries on the primary (tokens; a read the replica has not caught up with).
    primary_queries: Queries | None = None
    replica: Replica | None = None

    def on_primary(self) -> Services:
        """These services with every query answered by the primary."""
        return replace(self, queries=self.primary_queries or self.queries)

    def close(self) -> None:
        self.read_log.close()  # its last rows, before the engine goes
        self.registry.close()
        self.registry.engine.dispose()
        self.queries.engine.dispose()
        if self.primary_queries is not None:
            self.primary_queries.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def build(settings: Settings | None = None, clock: Callable[[], date] | None = None,
          inline_projections: bool = True) -> Services:
    """Wire the registry to its read models; inline (read-your-writes) unless told otherwise."""
    settings = settings or Settings()
    registry = Registry(settings, clock=clock)
    projector = Projector(registry.engine, rebuild_batch=settings.rebuild_batch_events)
    if inline_projections:
        registry.after_save = projector.inline
    read_log = ReadLog(registry.engine, settings.read_log_retention_days)
    services = Services(settings, registry, projector, Queries(_reads(settings, registry)), read_log)
    if settings.read_database_url and settings.store == "postgresql":
        primary = read_engine(settings.database_url, settings.pool_size, settings.sqlite_busy_timeout_s)
        services.primary_queries = Queries(primary)
        services.replica = Replica(primary, services.queries.engine, settings.replica_wait_ms / 1000)
    return services


def _reads(settings: Settings, registry: Registry) -> Engine:
    """The engine queries use: its own pool, unless the store lives in this process's memory."""
    url = settings.read_database_url or settings.database_url
    if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:"):
        return registry.engine
    return read_engine(url, settings.pool_size, settings.sqlite_busy_timeout_s)


def build_existing(settings: Settings, inline_projections: bool = False) -> Services:
    """`build`, for commands that need a store made before: refused, creating nothing, if none is there."""
    require_store(settings)
    return build(settings, inline_projections=inline_projections)


def require_store(settings: Settings) -> None:
    """Raise StoreMissing, saying where it looked, unless the database holds landreg's event log."""
    url = make_url(settings.database_url)
    where = f"{settings.shown_database_url} (LANDREG_DATABASE_URL)"
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise StoreMissing(f"{where} is a new in-memory database each time")
        if not Path(url.database).is_file():  # connecting would create the file
            raise StoreMissing(f"no store at {where}: there is no file {Path(url.database).resolve()}")
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            found = sqlalchemy.inspect(connection).has_table(EVENTS_TABLE)
    finally:
        engine.dispose()
    if not found:
        raise StoreMissing(f"no store at {where}: the database has no {EVENTS_TABLE} table")
