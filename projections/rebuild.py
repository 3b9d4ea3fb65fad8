"""Rebuilding read models from position 0 while the live tables keep answering.

One pass over the log serves every model rebuilt together (each event read and decoded once;
a model's fold takes the events it knows). The shadow tables carry, while they fill, only the
indexes their folds look rows up by (keys, `nib`, `title_id`); the others (GiST, trigram, the
query indexes) are built once the log is in, then the tables are ANALYZEd, then swapped in with
the writers held off for the events written meanwhile. A rebuild that fails drops its tables.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy.exc
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from projections import log
from projections.models import ReadModel
from projections.tables import SHADOW, advance, drop
from registry.persistence.store import analyze

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (events done, events in all)

# Indexes a fold reads by while the shadow tables fill; every other secondary index waits.
_LOOKUP = re.compile(r"USING btree \((nib|title_id|aggregate_id|parcel_id)\)$")
_SECONDARY = text(
    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(:tables) "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = to_regclass(quote_ident(i.indexname)))"
)


@dataclass
class Rebuild:
    """The named read models, rebuilt together from the log."""

    engine: Engine
    models: list[ReadModel]
    batch_size: int
    progress: Progress

    def run(self) -> int:
        """Replay, index, analyze, swap; the number of events replayed."""
        self._drop()
        try:
            for model in self.models:
                model.create(self.engine, SHADOW)
            later = self._defer_indexes()
            reached, done = self._replay()
            self._build(later)
            analyze(self.engine, self._tables())
            return done + self._swap(reached)
        except BaseException:  # whatever stopped it, leave no half-built *_rebuild tables behind
            self._drop()
            raise

    def _tables(self) -> list[str]:
        return [name for model in self.models for name in model.shadow_tables(self.engine.dialect.name)]

    def _drop(self) -> None:
        with self.engine.begin() as connection:
            for name in reversed(self._tables()):
                drop(connection, name)

    def _defer_indexes(self) -> list[str]:
        """Drop the shadow tables' secondary indexes the folds do not read by; their definitions."""
        if self.engine.dialect.name != "postgresql":
            return []
        with self.engine.begin() as connection:
            found = connection.execute(_SECONDARY, {"tables": self._tables()}).all()
            later = [(name, definition) for name, definition in found if not _LOOKUP.search(definition)]
            for name, _ in later:
                connection.execute(text(f'DROP INDEX "{name}"'))
        return [definition for _, definition in later]

    def _build(self, definitions: list[str]) -> None:
        """The deferred indexes, each built once over the full table (far cheaper than row by row)."""
        if not definitions:
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SET maintenance_work_mem = '256MB'"))
            for definition in definitions:
                connection.execute(text(definition))

    def _kinds(self) -> tuple[str, ...] | None:
        """The kinds of event the models take (None: every event)."""
        return tuple(sorted({kind for model in self.models for kind in model.kinds}))

    def _replay(self) -> tuple[int, int]:
        """The log up to its head into the shadow tables: (the position reached, events replayed)."""
        with Session(self.engine) as session:
            head = log.last_position(session)
        kinds, done, reached = self._kinds(), 0, 0
        while True:
            with Session(self.engine) as session, session.begin():
                events = log.read(session, reached, self.batch_size, head, kinds)
                if not events:
                    return max(reached, head), done
                for model in self.models:
                    model.apply(session, SHADOW, events)
            reached, done = events[-1].position, done + len(events)
            self.progress(reached, head)

    def _swap(self, reached: int, attempts: int = 5) -> int:
        """Apply what was written since the replay began, then swap, with writers held off."""
        for attempt in range(attempts):
            try:
                with Session(self.engine) as session, session.begin():
                    if session.get_bind().dialect.name == "postgresql":
                        session.execute(text("SET LOCAL lock_timeout = '10s'"))
                        session.execute(text(f"LOCK TABLE {log.EVENTS_TABLE} IN EXCLUSIVE MODE"))
                    tail = log.read(session, reached, limit=10_000_000, kinds=self._kinds())
                    last = log.last_position(session)
                    for model in self.models:
                        if tail:
                            model.apply(session, SHADOW, tail)
                        model.swap_in(session.connection(), SHADOW)
                        advance(session, model.name, last)
                return len(tail)
            except sqlalchemy.exc.OperationalError:
                names = ", ".join(model.name for model in self.models)
                logger.warning("swap of %s lost a lock race (attempt %d); retrying", names, attempt + 1)
                time.sleep(0.5)
        raise RuntimeError("could not swap in the rebuilt tables; writers kept the locks")
