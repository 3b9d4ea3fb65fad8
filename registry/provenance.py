"""What every registry event records beside its own facts: who, on what document, when, which command."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from registry.values import Actor, plain


@dataclass(frozen=True)
class Provenance:
    """The actor, source document, legal date (effective_at) and command id of one command."""

    actor: Actor
    source: dict[str, str]
    effective_at: str
    command_id: str

    def fields(self) -> dict[str, Any]:
        """The keyword arguments every event class below takes."""
        return {
            "actor": self.actor.as_dict(),
            "source": plain(self.source),
            "effective_at": self.effective_at,
            "command_id": self.command_id,
        }


class RecordedEvent(Aggregate.Event):
    """Base of every registry event. Its class name and module are stored: never rename."""

    actor: dict[str, str]
    source: dict[str, str]
    effective_at: str
    command_id: str
