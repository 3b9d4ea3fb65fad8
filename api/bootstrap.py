"""The composition root: builds the registry and its read models from one Settings object."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from projections.projector import Projector
from projections.queries import Queries, read_engine
from registry.application import Registry, registry_today
from registry.settings import Settings


@dataclass
class Services:
    """Everything a process of landreg uses, wired once."""

    settings: Settings
    registry: Registry
    projector: Projector
    queries: Queries

    def close(self) -> None:
        self.registry.close()
        self.registry.engine.dispose()
        self.queries.engine.dispose()


def build(settings: Settings | None = None, clock: Callable[[], date] = registry_today,
          inline_projections: bool = True) -> Services:
    """Wire the registry to its read models; inline (read-your-writes) unless told otherwise."""
    settings = settings or Settings()
    registry = Registry(settings, clock=clock)
    projector = Projector(registry.engine)
    if inline_projections:
        registry.after_save = projector.inline
    return Services(settings, registry, projector, Queries(_reads(settings, registry)))


def _reads(settings: Settings, registry: Registry) -> Engine:
    """The engine queries use: its own pool, unless the store lives in this process's memory."""
    url = settings.read_database_url or settings.database_url
    if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:"):
        return registry.engine
    return read_engine(url, settings.pool_size)
