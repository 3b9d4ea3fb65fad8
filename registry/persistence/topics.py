"""Old topics of stored events: where each event class lived before registry/ was split in layers.

A stored event names its class by topic (`module:Class.Event`). Until December 2026 the domain
modules sat directly in registry/ (`registry.title:Title.Registered`); events written since carry
the new module path (`registry.domain.title:Title.Registered`). Both resolve to the same class, so a
store written before the split replays unchanged, and its hash chain (which covers the stored topic)
still verifies. Read models match events by class name only (`projections/log.py`), never by module.
"""
from __future__ import annotations

import importlib

from eventsourcing.utils import register_topic

# Module before the split -> module now. Only modules that define stored aggregates or events.
MOVED = {
    "registry.parcel": "registry.domain.parcel",
    "registry.title": "registry.domain.title",
    "registry.announcement": "registry.domain.announcement",
    "registry.complaint": "registry.domain.complaint",
    "registry.checkpoint": "registry.audit.checkpoint",
}


def register_moved_topics() -> None:
    """Let topics of the old module paths resolve to the classes where they live now."""
    for old, new in MOVED.items():
        register_topic(old, importlib.import_module(new))


def older_topics(topic: str) -> tuple[str, ...]:
    """The topic and what the same class was called before the split:
    ("registry.audit.checkpoint:X", "registry.checkpoint:X")."""
    module, _, name = topic.partition(":")
    return (topic, *(f"{old}:{name}" for old, new in MOVED.items() if new == module))
