"""Reading the event log raw: stored rows decoded straight to dicts, without rebuilding domain
objects (the read side depends on the stored event schema, not on the domain classes)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from registry.audit.checkpoint import TOPICS as CHECKPOINT_TOPICS
from registry.persistence.store import EVENTS_TABLE, uuid_text


@dataclass(frozen=True)
class LogEvent:
    """One stored event: its position in the log, aggregate, version, kind and data."""

    position: int
    originator_id: str
    version: int
    kind: str  # the class path after the module, e.g. "Parcel.Surveyed"
    data: dict[str, Any]

    @property
    def recorded_at(self) -> str:
        return str(plain(self.data["timestamp"]))


def plain(value: Any) -> Any:
    """Undo the library's JSON type markers ({"_type_": "decimal_str", "_data_": "1.50"} -> "1.50")."""
    if isinstance(value, dict) and "_type_" in value:
        return value["_data_"]
    return value


def decode(position: int, originator_id: Any, version: int, topic: str, state: bytes | str) -> LogEvent:
    return LogEvent(position, uuid_text(originator_id), version, topic.partition(":")[2], orjson.loads(state))


def columns(dialect: str) -> str:
    """The columns of a stored event, as cheap to fetch as the database allows. PostgreSQL sends
    bytea as hex (twice the bytes, decoded again by the driver): the state is read as the UTF-8
    text it is (the library stores JSON), and the id as text (a uuid.UUID only to print it costs ~5 us)."""
    if dialect == "postgresql":
        return "id, originator_id::text, originator_version, topic, convert_from(state, 'UTF8')"
    return "id, originator_id, originator_version, topic, state"


def read(session: Session, after: int, limit: int, until: int | None = None,
         kinds: tuple[str, ...] | None = None) -> list[LogEvent]:
    """Events with position > after (and <= until), in log order, at most `limit` of them; only
    those whose kind starts with one of `kinds` when given ("Title."), filtered by the database."""
    bound = "" if until is None else " AND id <= :until"
    dialect = session.get_bind().dialect.name
    chosen, patterns = "", {}
    if kinds is not None:  # by class name, whatever module path the stored topic names
        kind = "split_part(topic, ':', 2)" if dialect == "postgresql" else "substr(topic, instr(topic, ':') + 1)"
        patterns = {f"kind{i}": f"{prefix}%" for i, prefix in enumerate(kinds)}
        chosen = f" AND ({' OR '.join(f'{kind} LIKE :{name}' for name in patterns) or 'false'})"
    query = text(f"SELECT {columns(dialect)} FROM {EVENTS_TABLE} "
                 f"WHERE id > :after{bound}{chosen} ORDER BY id LIMIT :limit")
    rows = session.execute(query, {"after": after, "limit": limit, "until": until, **patterns}).all()
    return [decode(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def last_position(session: Session) -> int:
    return int(session.execute(text(f"SELECT coalesce(max(id), 0) FROM {EVENTS_TABLE}")).scalar_one())


# Checkpoints are events of the audit, written outside any command: no read model folds them, and
# inline read models only pass them with the next command, so they are no lag.
_LAST_FOLDED = text(f"SELECT coalesce(max(id), 0) FROM {EVENTS_TABLE} WHERE topic NOT IN :skipped").bindparams(
    bindparam("skipped", expanding=True))


def last_folded_position(session: Session | Connection) -> int:
    """The position of the newest event a read model has to fold (the head, less trailing checkpoints)."""
    return int(session.execute(_LAST_FOLDED, {"skipped": list(CHECKPOINT_TOPICS)}).scalar_one())
