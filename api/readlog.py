"""The read log of personal data (UU PDP 2022): who read which holder's data, when, how and why.

A read only appends rows to a queue in memory; a thread of its own writes them in batches (one
INSERT of many rows a second) and prunes rows older than the retention, so no read waits on it.
If the store cannot take them, rows wait in the queue (bounded) and are written when it can.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from registry.domain.values import Actor

logger = logging.getLogger(__name__)
QUEUE_LIMIT = 200_000  # rows kept while the store refuses them; past it the oldest are lost, and logged
PRUNE_EVERY_S = 3600.0

reads = Table(
    "landreg_reads", MetaData(),
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("read_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("access", String(32), nullable=False),  # what was read: parcel, holder_search, export, ...
    Column("subject", String(64), nullable=False),  # the holder (or claimant) id whose data was read
    Column("nib", String(13)),
    Column("purpose", String(200)),  # as the reader gave it (X-Purpose, --purpose)
    Column("request_id", String(128)),
    Index("ix_landreg_reads_subject", "subject", "read_at"),
    Index("ix_landreg_reads_actor", "actor", "read_at"),
    Index("ix_landreg_reads_read_at", "read_at"),
)


# Members that hold geometry, never people: not walked (a parcel may have 100,000 vertices).
_GEOMETRY = frozenset({"geometry", "wgs84", "coordinates", "bbox", "geom"})


def people(value: Any, nib: str | None = None) -> set[tuple[str, str | None]]:
    """(person id, NIB) of every holder-shaped record (an `id` beside a `name`) anywhere in `value`;
    a record carrying a `nib` names the parcel of the people inside it."""
    found: set[tuple[str, str | None]] = set()
    if isinstance(value, dict):
        nib = value.get("nib") if isinstance(value.get("nib"), str) else nib
        if isinstance(value.get("id"), str) and isinstance(value.get("name"), str):
            found.add((value["id"], nib))
        for key, member in value.items():
            if key not in _GEOMETRY and isinstance(member, (dict, list)):
                found |= people(member, nib)
    elif isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        for item in value:
            found |= people(item, nib)
    return found


@dataclass(frozen=True)
class Reader:
    """Who reads, through which request, for what purpose."""

    actor: Actor
    purpose: str | None = None
    request_id: str | None = None


class ReadLog:
    """Collects reads of personal data and writes them in batches from a thread of its own."""

    def __init__(self, engine: Engine, retention_days: int, flush_seconds: float = 1.0) -> None:
        self.engine = engine
        self.retention_days = retention_days
        self.flush_seconds = flush_seconds
        self.pending: deque[dict[str, Any]] = deque(maxlen=QUEUE_LIMIT)
        self.written = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one flush at a time (the thread, close, a test)

    def record(self, reader: Reader, access: str, value: Any) -> int:
        """Note that `reader` was shown the people in `value`; returns how many rows that makes."""
        now = datetime.now(UTC)
        rows = [{"read_at": now, "actor": reader.actor.user_id[:64], "role": reader.actor.role[:16], "access": access,
                 "subject": subject[:64], "nib": nib, "purpose": reader.purpose, "request_id": reader.request_id}
                for subject, nib in sorted(people(value), key=lambda p: (p[1] or "", p[0]))]
        if len(self.pending) + len(rows) > QUEUE_LIMIT:
            logger.error("read log queue full: the oldest %d rows are lost",
                         len(self.pending) + len(rows) - QUEUE_LIMIT)
        self.pending.extend(rows)
        self._start()
        return len(rows)

    def _start(self) -> None:
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(target=self._run, name="read-log", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        pruned_at = 0.0
        while not self._stop.wait(self.flush_seconds):
            try:
                self.flush()
                now = datetime.now(UTC).timestamp()
                if now - pruned_at > PRUNE_EVERY_S:
                    self.prune()
                    pruned_at = now
            except SQLAlchemyError:  # the store is away: the rows stay queued for the next round
                logger.exception("read log not written; retrying")

    def flush(self) -> int:
        """Write every queued row in one transaction; on failure they are queued again."""
        with self._lock:
            batch = [self.pending.popleft() for _ in range(len(self.pending))]
            if not batch:
                return 0
            try:
                with self.engine.begin() as connection:
                    connection.execute(reads.insert(), batch)
            except SQLAlchemyError:
                self.pending.extendleft(reversed(batch))
                raise
            self.written += len(batch)
            return len(batch)

    def prune(self, now: datetime | None = None) -> int:
        """Delete rows older than the retention (0 days: keep every row)."""
        if self.retention_days <= 0:
            return 0
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.retention_days)
        with self.engine.begin() as connection:
            return int(connection.execute(delete(reads).where(reads.c.read_at < cutoff)).rowcount)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        try:
            self.flush()
        except SQLAlchemyError:
            logger.exception("read log: %d rows could not be written at shutdown", len(self.pending))


def find(engine: Engine, subject: str | None = None, actor: str | None = None, nib: str | None = None,
         since: datetime | None = None, until: datetime | None = None, before_id: int | None = None,
         limit: int = 100) -> list[dict[str, Any]]:
    """Rows of the read log, newest first, by subject, reader, parcel and time (keyset on id)."""
    query = select(reads).order_by(reads.c.id.desc()).limit(limit)
    for column, wanted in ((reads.c.subject, subject), (reads.c.actor, actor), (reads.c.nib, nib)):
        if wanted is not None:
            query = query.where(column == wanted)
    if since is not None:
        query = query.where(reads.c.read_at >= since)
    if until is not None:
        query = query.where(reads.c.read_at <= until)
    if before_id is not None:
        query = query.where(reads.c.id < before_id)
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [{**{str(name): value for name, value in row.items()}, "read_at": _utc(row["read_at"]).isoformat()}
            for row in rows]


def _utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
