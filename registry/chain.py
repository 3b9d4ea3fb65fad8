"""The hash chain (DESIGN section 6): every event's hash is sha256(previous hash of the same
aggregate || canonical bytes of the event), computed when the event is made and stored in it.

The canonical bytes are sorted-key JSON of the event's topic, aggregate id, version and fields,
with Decimal, datetime and UUID written as strings. The same bytes are rebuilt from the stored
row by `stored_digest`, so a verifier needs only the log, never the domain classes.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

GENESIS = "0" * 64
NOT_HASHED = ("hash",)


def canonical(value: Any) -> Any:
    """Plain JSON values: what the event says, in one spelling only."""
    if isinstance(value, dict):
        if "_type_" in value and "_data_" in value:  # a value as the library's transcoder stored it
            return _stored(value)
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _stored(value: dict[str, Any]) -> Any:
    if value["_type_"] == "uuid_hex":
        return str(uuid.UUID(value["_data_"]))
    return canonical(value["_data_"])


def digest(previous: str, topic: str, originator_id: str, version: int, fields: dict[str, Any]) -> str:
    """The hash of one event given the hash before it in its aggregate.

    >>> digest(GENESIS, "t", "id", 1, {}) == digest(GENESIS, "t", "id", 1, {})
    True
    """
    body = {"topic": topic, "originator_id": originator_id, "version": version,
            "fields": canonical({k: v for k, v in fields.items() if k not in NOT_HASHED})}
    return hashlib.sha256(bytes.fromhex(previous) + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def stored_digest(previous: str, topic: str, originator_id: str, version: int, state: dict[str, Any]) -> str:
    """The hash a stored event should carry, recomputed from its row."""
    return digest(previous, topic, originator_id, version, state)


class ChainedAggregate(Aggregate):
    """An aggregate whose events each carry `hash`, chained from the one before (`last_hash`)."""

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("timestamp", event_class.create_timestamp())
        fields = {**kwargs, "originator_topic": get_topic(cls)}
        kwargs["hash"] = digest(GENESIS, get_topic(event_class), str(id), cls.INITIAL_VERSION, fields)
        return super()._create(event_class, id=id, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("timestamp", event_class.create_timestamp())
        kwargs["hash"] = digest(self.last_hash, get_topic(event_class), str(self.id), self.version + 1, kwargs)
        super().trigger_event(event_class, **kwargs)

    if TYPE_CHECKING:  # assigned by RecordedEvent.mutate; not annotated at run time (see Parcel)
        last_hash: str
