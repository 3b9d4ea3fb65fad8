"""Event-store wiring: the library's environment, the engine's pool, the registry's own tables
(their definitions; the migrations make them), and how a command's transaction begins. docs/architecture.md
("Locks") says why it is done this way."""
from __future__ import annotations

import io
import json
import uuid
from typing import Any

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from registry.persistence.settings import Settings
from registry.persistence.topics import register_moved_topics
from spatial.index_postgis import PostgisFootprints
from spatial.index_sqlite import SqliteFootprints

APPLICATION_NAME = "landreg"
EVENTS_TABLE = f"{APPLICATION_NAME}_events"
COMMANDS_TABLE = f"{APPLICATION_NAME}_commands"
FOOTPRINTS_TABLE = f"{APPLICATION_NAME}_footprints"

# The mark of a session that holds the writers' lock: registry/audit/seal.py seals it before it commits.
WRITE_TRANSACTION = "landreg_write_transaction"

# An event just appended, as stored: (log position, originator id, version, topic, state bytes).
# The bulk path hands these to the read models so they need not read them back.
Appended = tuple[int, Any, int, str, bytes]

metadata = MetaData()

# Serials per village: NIB serials (scope 'nib') and right numbers (scope 'right:<digit>').
counters = Table(
    f"{APPLICATION_NAME}_counters", metadata,
    Column("scope", String(16), primary_key=True),
    Column("key", String(16), primary_key=True),
    Column("value", Integer, nullable=False),
)

# One row per command id: the idempotency record (invariant 12).
commands = Table(
    COMMANDS_TABLE, metadata,
    Column("command_id", String(100), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("result", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# SQLite only: the first statement of every command writes here, which takes the database's
# write lock at once (like BEGIN IMMEDIATE), so processes queue on the busy timeout instead
# of failing when a read turns into a write.
write_lock = Table(
    f"{APPLICATION_NAME}_write_lock", metadata,
    Column("id", Integer, primary_key=True),
    Column("counter", Integer, nullable=False),
)


class RegistryRecorder(SQLAlchemyApplicationRecorder):
    """The library's recorder, minus what a write transaction begun by `begin_command` already
    did in its first round trip: the events table's lock and the NOTIFY (one per transaction)."""

    def _lock_table(self, session: Session) -> None:
        if not session.info.get(WRITE_TRANSACTION):
            super()._lock_table(session)

    def _notify_channel(self, session: Session) -> None:
        if not session.info.get(WRITE_TRANSACTION):
            super()._notify_channel(session)


class RegistryFactory(SQLAlchemyFactory):
    """The library's SQLAlchemy factory with the engine sized for the service."""

    application_recorder_class = RegistryRecorder

    def __init__(self, env: Environment) -> None:
        # Deliberately not calling SQLAlchemyFactory.__init__: it builds the engine with
        # default pool sizes and no way to change them.
        super(SQLAlchemyFactory, self).__init__(env)
        register_moved_topics()
        self._schema_name = None
        url = env.get(self.SQLALCHEMY_URL)
        self.datastore = SQLAlchemyDatastore(url=url, **_engine_options(url or "", env))


def _engine_options(url: str, env: Environment) -> dict[str, Any]:
    if url.startswith("postgresql"):
        return {
            "pool_size": int(env.get("POOL_SIZE", "20")),
            "max_overflow": int(env.get("POOL_MAX_OVERFLOW", "20")),
            # No pre-ping (a round trip on every checkout): a connection that died is dropped by
            # the pool when its error surfaces, and the command is retried (runner: _with_retries);
            # connections are renewed hourly so none outlives a server-side idle limit unnoticed.
            "pool_recycle": 3600,
        }
    if ":memory:" in url:
        return {}
    return {"connect_args": {"timeout": float(env.get("SQLITE_BUSY_TIMEOUT", "30"))}}


def library_env(settings: Settings) -> dict[str, str]:
    """The environment the eventsourcing library is constructed with (never os.environ)."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
        "SQLALCHEMY_URL": settings.database_url,
        "IS_SNAPSHOTTING_ENABLED": "y",
        "CREATE_TABLE": "n",  # the store's tables are made by the migrations only (registry/persistence/schema.py)
        "POOL_SIZE": str(settings.pool_size),
        "POOL_MAX_OVERFLOW": str(settings.pool_max_overflow),
        "SQLITE_BUSY_TIMEOUT": str(settings.sqlite_busy_timeout_s),
    }


def footprint_index(dialect: str, table: str = FOOTPRINTS_TABLE) -> PostgisFootprints | SqliteFootprints:
    """The spatial index adapter for this database dialect (the overlap guard's table by default)."""
    return PostgisFootprints(table) if dialect == "postgresql" else SqliteFootprints(table)


def analyze(engine: Engine, tables: list[str] | None = None) -> None:
    """Refresh the planner's statistics (PostgreSQL) after a bulk load or a rebuild: of `tables`,
    or of every table.

    Without them the planner still believes the tables are empty: lookups by aggregate id were
    estimated at tens of thousands of rows, which switched on JIT compilation for every query and
    made each command of a year imported after a million-parcel stock about twenty times slower.
    Autovacuum would catch up eventually; a bulk load should not wait for it (nor rely on it).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"ANALYZE {', '.join(tables or [])}"))


def begin_command(session: Session, settings: Settings) -> None:
    """The first statements of every write transaction (one command, a batch, a bulk import).

    PostgreSQL, in one round trip: a lock timeout (the library's LOCK TABLE sets none: a stuck
    writer would stall everyone), the events table's lock (docs/architecture.md, Locks: the one lock of the write
    path), and the NOTIFY that wakes followers once the transaction commits (sent here, before
    any savepoint, so a command rolled back in its savepoint cannot take it with it). The
    recorder then skips its own lock and NOTIFY. SQLite: a write to the lock row, which takes
    the database's write lock at once (like BEGIN IMMEDIATE). Marks the session for sealing.
    """
    session.info[WRITE_TRANSACTION] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = {int(settings.lock_timeout_ms)}; "
                             f"LOCK TABLE {EVENTS_TABLE} IN EXCLUSIVE MODE; NOTIFY {EVENTS_TABLE}"))
    else:
        session.execute(write_lock.update().where(write_lock.c.id == 1).values(counter=write_lock.c.counter))


# The same upsert on both stores (SQLite 3.35+ knows RETURNING); a plain statement is cheaper
# per call than a built one, and commands allocate serials often.
_NEXT_SERIAL = text(
    f"INSERT INTO {counters.name} (scope, key, value) VALUES (:scope, :key, :count) "
    f"ON CONFLICT (scope, key) DO UPDATE SET value = {counters.name}.value + :count RETURNING value"
)


def next_serial(session: Session, scope: str, key: str, count: int = 1) -> int:
    """Allocate `count` serials for (scope, key) inside the command's transaction; the last one."""
    return int(session.execute(_NEXT_SERIAL, {"scope": scope, "key": key, "count": count}).scalar_one())


def copy_events(session: Session, stored_events: list[Any]) -> list[Appended]:
    """Append stored events by COPY (PostgreSQL; the bulk path), returning them with their log
    positions, in log order.

    The caller already holds the events table's lock (begin_command), so the positions drawn
    from the table's own sequence are the next ones in the log and in order; begin_command sent
    the NOTIFY that wakes followers.
    """
    ids = list(session.execute(
        text(f"SELECT nextval(pg_get_serial_sequence('{EVENTS_TABLE}', 'id')) FROM generate_series(1, :n)"),
        {"n": len(stored_events)},
    ).scalars())
    rows = "".join(
        f"{i}\t{e.originator_id}\t{e.originator_version}\t{e.topic}\t\\\\x{e.state.hex()}\n"
        for i, e in zip(ids, stored_events)
    )
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.copy_expert(
        f"COPY {EVENTS_TABLE} (id, originator_id, originator_version, topic, state) FROM STDIN", io.StringIO(rows),
    )
    return [(i, e.originator_id, e.originator_version, e.topic, e.state) for i, e in zip(ids, stored_events)]


def last_position(session: Session, aggregate_ids: list[uuid.UUID]) -> int:
    """The log position of the newest event of any of these aggregates; 0 when they have none."""
    postgres = session.get_bind().dialect.name == "postgresql"
    ids = [i if postgres else i.bytes for i in aggregate_ids]
    found = session.execute(_LAST_POSITION, {"ids": ids}).scalar()
    return int(found or 0)


_LAST_POSITION = text(f"SELECT max(id) FROM {EVENTS_TABLE} WHERE originator_id IN :ids").bindparams(
    bindparam("ids", expanding=True))


def find_commands(session: Session, command_ids: list[str]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Bulk form of find_command: the commands already recorded among these ids."""
    rows = session.execute(
        select(commands.c.command_id, commands.c.name, commands.c.fingerprint, commands.c.result)
        .where(commands.c.command_id.in_(command_ids))
    ).all()
    return {row.command_id: (row.name, row.fingerprint, json.loads(row.result)) for row in rows}


def record_commands(session: Session, rows: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Bulk form of record_command: (command id, name, fingerprint, result) rows."""
    if rows:
        session.execute(commands.insert(), [
            {"command_id": c, "name": n, "fingerprint": f, "result": json.dumps(r, sort_keys=True)}
            for c, n, f, r in rows
        ])


_FIND = text(f"SELECT name, fingerprint, result FROM {COMMANDS_TABLE} WHERE command_id = :command_id")
_RECORD = text(f"INSERT INTO {COMMANDS_TABLE} (command_id, name, fingerprint, result) "
               "VALUES (:command_id, :name, :fingerprint, :result)")


def find_command(session: Session, command_id: str) -> tuple[str, str, dict[str, Any]] | None:
    """(name, fingerprint, result) of a command already recorded under this id."""
    row = session.execute(_FIND, {"command_id": command_id}).first()
    return None if row is None else (row.name, row.fingerprint, json.loads(row.result))


def record_command(session: Session, command_id: str, name: str, fingerprint: str, result: dict[str, Any]) -> None:
    session.execute(_RECORD, {"command_id": command_id, "name": name, "fingerprint": fingerprint,
                              "result": json.dumps(result, sort_keys=True)})


def uuid_text(value: Any) -> str:
    """An aggregate id as read from the events table (UUID, text, or SQLite's 16 bytes) as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, memoryview)):
        return str(uuid.UUID(bytes=bytes(value)))
    return str(value)


def clash(error: IntegrityError) -> str:
    """Which unique constraint a failed commit broke: 'version', 'command', 'footprint' or 'other'.

    PostgreSQL names the constraint, SQLite the table and columns; both contain the table name.
    """
    message = str(error.__cause__ or error)
    if EVENTS_TABLE in message:
        return "version"
    if COMMANDS_TABLE in message:
        return "command"
    if "footprints" in message:
        return "footprint"
    return "other"
