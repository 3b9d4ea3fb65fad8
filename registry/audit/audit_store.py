"""The audit's own tables, one seal per write transaction and the signing keys' history, and their SQL."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import orjson
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    text,
)
from sqlalchemy.orm import Session

from registry.audit.checkpoint import TOPICS as CHECKPOINT_TOPICS
from registry.persistence.store import APPLICATION_NAME, EVENTS_TABLE

SEALS_TABLE = f"{APPLICATION_NAME}_seals"
KEYS_TABLE = f"{APPLICATION_NAME}_audit_keys"
metadata = MetaData()

# Events (from_position, to_position] of the log, sealed in one write transaction.
seals = Table(
    SEALS_TABLE, metadata,
    Column("to_position", BigInteger, primary_key=True, autoincrement=False),
    Column("from_position", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
    Column("leaves", Text, nullable=False),  # JSON: [[position, originator id, version, event hash], ...]
    Column("root", String(64), nullable=False),  # RFC 9162 tree hash over the event hashes
    Column("previous_root", String(64), nullable=False),  # the seal before's root; zeros for the first
    Column("key_id", String(16), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The first key (no previous key, no signature), then every hand-over, signed by the key before.
keys = Table(
    KEYS_TABLE, metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    Column("key_id", String(16), nullable=False, unique=True),
    Column("public_key", String(64), nullable=False),
    Column("since", BigInteger, nullable=False),  # signs what ends after this log position
    Column("previous_key_id", String(16)),
    Column("signature", String(128)),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
# Each verify that found the log sound, and the last checkpoint it checked: where the next
# incremental verify starts. Not evidence of anything (a full verify trusts none of it).
verified = Table(
    f"{APPLICATION_NAME}_audit_verified", metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    Column("full", Boolean, nullable=False),
    Column("from_position", BigInteger, nullable=False),
    Column("to_position", BigInteger, nullable=False),  # the last checkpoint found sound ends here
    Column("root", String(64), nullable=False),  # and signed this root
    Column("events_checked", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
KEY_FIELDS = ("key_id", "public_key", "since", "previous_key_id", "signature")
SEAL_FIELDS = ("from_position", "to_position", "count", "root", "previous_root", "key_id", "signature")


class Head(NamedTuple):
    """Where the seals end: the last seal's position and root (None: no seal yet), and the current key."""

    to_position: int | None
    root: str | None
    key_id: str | None


class Unsealed(NamedTuple):
    """An event after the last seal, as stored."""

    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: Any


# The last seal and the current key, in one row. Then the events after that seal are read with
# its position as a literal bound, so the planner walks the primary key from there (a bound it
# cannot see, from a subquery or a join, it guesses at a third of the table).
_HEAD = text(
    f"SELECT (SELECT max(to_position) FROM {SEALS_TABLE}), "
    f"(SELECT root FROM {SEALS_TABLE} ORDER BY to_position DESC LIMIT 1), "
    f"(SELECT key_id FROM {KEYS_TABLE} ORDER BY number DESC LIMIT 1)"
)
_AFTER = text(f"SELECT id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
              "WHERE id > :after ORDER BY id LIMIT :limit")


def head(session: Session) -> Head:
    """Where the seals end, and the store's current key."""
    to_position, root, key_id = session.execute(_HEAD).one()
    return Head(to_position, root, key_id)


def events_after(session: Session, after: int, limit: int) -> list[Unsealed]:
    """The first `limit` events after log position `after`."""
    return [Unsealed(*row) for row in session.execute(_AFTER, {"after": after, "limit": limit})]


def last_checkpoint(session: Session) -> dict[str, Any] | None:
    """The newest checkpoint's fields, read once, when a store is sealed for the first time."""
    newest = text(f"SELECT state FROM {EVENTS_TABLE} WHERE topic IN :topics ORDER BY id DESC LIMIT 1")
    state = session.execute(newest.bindparams(bindparam("topics", expanding=True)),
                            {"topics": list(CHECKPOINT_TOPICS)}).scalar()
    return None if state is None else orjson.loads(bytes(state))  # type: ignore[no-any-return]


def has_seals(session: Session) -> bool:
    return session.execute(text(f"SELECT 1 FROM {SEALS_TABLE} LIMIT 1")).first() is not None


def current_key_id(session: Session) -> str | None:
    return session.execute(text(f"SELECT key_id FROM {KEYS_TABLE} ORDER BY number DESC LIMIT 1")).scalar()


def head_position(session: Session) -> int:
    return int(session.execute(text(f"SELECT coalesce(max(id), 0) FROM {EVENTS_TABLE}")).scalar_one())


def insert_seal(session: Session, record: dict[str, Any]) -> None:
    session.execute(seals.insert(), {**record, "leaves": orjson.dumps(record["leaves"]).decode()})


def insert_key(session: Session, record: dict[str, Any]) -> None:
    session.execute(keys.insert(), {field: record[field] for field in KEY_FIELDS})


# -- reads for verify and export, on a DBAPI connection holding one snapshot --------------------

def key_records(connection: Any) -> list[dict[str, Any]]:
    cursor = connection.cursor()
    cursor.execute(f"SELECT {', '.join(KEY_FIELDS)} FROM {KEYS_TABLE} ORDER BY number")
    found = [dict(zip(KEY_FIELDS, row)) for row in cursor.fetchall()]
    cursor.close()
    return found


def seal_records(connection: Any, postgres: bool, batch: int = 1_000, after: int = 0) -> Iterator[dict[str, Any]]:
    """Every seal ending after `after`, in log order, its leaves decoded: a server-side cursor on PostgreSQL."""
    sql = (f"SELECT {', '.join(SEAL_FIELDS)}, leaves FROM {SEALS_TABLE} "
           f"WHERE to_position > {int(after)} ORDER BY to_position")
    for row in stream(connection, sql, "landreg_seals", postgres, batch):
        yield {**dict(zip(SEAL_FIELDS, row)), "leaves": orjson.loads(row[-1])}


def seal_before(connection: Any, position: int) -> tuple[dict[str, Any] | None, bool]:
    """The last seal ending at or before `position`, and whether any seal does."""
    cursor = connection.cursor()
    cursor.execute(f"SELECT {', '.join(SEAL_FIELDS)}, leaves FROM {SEALS_TABLE} WHERE to_position <= {int(position)} "
                   "ORDER BY to_position DESC LIMIT 1")
    row = cursor.fetchone()
    cursor.close()
    return (None, False) if row is None else ({**dict(zip(SEAL_FIELDS, row)), "leaves": orjson.loads(row[-1])}, True)


def last_verified(connection: Any) -> tuple[int, str] | None:
    """(to_position, root) of the checkpoint the last sound verify ended on."""
    cursor = connection.cursor()
    cursor.execute(f"SELECT to_position, root FROM {verified.name} ORDER BY number DESC LIMIT 1")
    row = cursor.fetchone()
    cursor.close()
    return None if row is None else (int(row[0]), str(row[1]))


def record_verified(session: Session, full: bool, from_position: int, checkpoint: tuple[int, str],
                    events_checked: int) -> None:
    session.execute(verified.insert().values(full=full, from_position=from_position, to_position=checkpoint[0],
                                             root=checkpoint[1], events_checked=events_checked))


def stream(connection: Any, sql: str, name: str, postgres: bool, batch: int) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql`, fetched `batch` at a time (through a named, server-side cursor on PostgreSQL)."""
    cursor = connection.cursor(name) if postgres else connection.cursor()
    cursor.execute(sql)
    while rows := cursor.fetchmany(batch):
        yield from rows
    cursor.close()
