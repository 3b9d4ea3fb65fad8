"""What every registry event records beside its own facts: who, on what document, when, which command."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from registry.domain.values import Actor, plain


@dataclass(frozen=True)
class Provenance:
    """The actor, source document, legal date (effective_at) and command id of one command."""

    actor: Actor
    source: dict[str, str]
    effective_at: str
    command_id: str
    recorded_at: datetime | None = None  # one instant for all events of a command

    def fields(self) -> dict[str, Any]:
        """The keyword arguments every event class below takes."""
        recorded = {} if self.recorded_at is None else {"timestamp": self.recorded_at}
        return {
            **recorded,
            "actor": self.actor.as_dict(),
            "source": plain(self.source),
            "effective_at": self.effective_at,
            "command_id": self.command_id,
        }


class RecordedEvent(Aggregate.Event):
    """Base of every registry event. Its class name and module are stored: never rename.

    `hash` links it into its aggregate's chain (registry/domain/chain.py); replaying the event sets the
    aggregate's `last_hash`, which the next event is chained from.
    """

    actor: dict[str, str]
    source: dict[str, str]
    effective_at: str
    command_id: str
    hash: str

    def mutate(self, aggregate: Any) -> Any:
        aggregate = super().mutate(aggregate)
        aggregate.last_hash = self.hash
        return aggregate
