"""The hash chain (docs/audit.md): every event's hash is sha256(previous hash of the same
aggregate || canonical bytes of the event), computed when the event is made and stored in it.

The canonical bytes are sorted-key JSON of the event's topic, aggregate id, version and fields,
each field written the way the event store writes it (Decimal, datetime and UUID as the library's
typed strings). So a verifier hashes the stored state as it finds it, needing neither the domain
classes nor a rewrite of every value, and a changed byte of meaning changes the hash.
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


def stored_form(value: Any) -> Any:
    """A value as the event store's JSON transcoder writes it.

    >>> stored_form({"area_m2": Decimal("1.50")})
    {'area_m2': {'_type_': 'decimal_str', '_data_': '1.50'}}
    """
    if isinstance(value, dict):
        return {str(k): stored_form(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [stored_form(v) for v in value]
    if isinstance(value, Decimal):
        return {"_type_": "decimal_str", "_data_": str(value)}
    if isinstance(value, datetime):
        return {"_type_": "datetime_iso", "_data_": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"_type_": "uuid_hex", "_data_": value.hex}
    return value


def stored_digest(previous: str, topic: str, originator_id: str, version: int, state: dict[str, Any]) -> str:
    """The hash of one event from its stored state (its own `hash` field left out).

    >>> stored_digest(GENESIS, "t", "id", 1, {"hash": "x"}) == stored_digest(GENESIS, "t", "id", 1, {})
    True
    """
    stored = state.pop("hash", None)  # left out of its own hash; put back below (no copy: a hot path)
    try:
        body = {"topic": topic, "originator_id": originator_id, "version": version, "fields": state}
        return hashlib.sha256(bytes.fromhex(previous) + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    finally:
        if stored is not None:
            state["hash"] = stored


def digest(previous: str, topic: str, originator_id: str, version: int, fields: dict[str, Any]) -> str:
    """The hash of an event being made, from its field values."""
    return stored_digest(previous, topic, originator_id, version, stored_form(fields))


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
