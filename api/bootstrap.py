"""The composition root: builds the registry and its read models from one Settings object."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from projections.projector import Projector
from projections.queries import Queries
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


def build(settings: Settings | None = None, clock: Callable[[], date] = registry_today,
          inline_projections: bool = True) -> Services:
    """Wire the registry to its read models; inline (read-your-writes) unless told otherwise."""
    settings = settings or Settings()
    registry = Registry(settings, clock=clock)
    projector = Projector(registry.engine)
    if inline_projections:
        registry.after_save = projector.inline
    return Services(settings, registry, projector, Queries(registry.engine))
