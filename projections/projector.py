"""Running the read models: inline in a command's transaction, catching up and following the
log asynchronously, and rebuilding from position 0 into fresh tables that are then swapped in."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy.exc
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from projections import log
from projections.models import READ_MODELS, ReadModel
from projections.tables import (
    SHADOW,
    advance,
    advance_all,
    all_positions,
    create_positions,
    drop,
    position,
)
from projections.wakeup import Wakeup
from registry.persistence.store import FOOTPRINTS_TABLE, Appended, analyze

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (events done, events in all)


@dataclass(frozen=True)
class Status:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return self.head - self.position


STALL_SECONDS = 30.0  # a read model behind the log that has not moved for this long is stalled


@dataclass
class Watch:
    """What the follower saw last: the error that stopped a model, and when each model last moved."""

    errors: dict[str, str] = field(default_factory=dict)
    moved: dict[str, tuple[int, float]] = field(default_factory=dict)  # model -> (position, when)

    def troubles(self, statuses: list[Status], follower_alive: bool | None) -> list[dict[str, str]]:
        """Why the read side is degraded (empty: it is not). `follower_alive` None: no follower runs
        (inline read models, which a command brings up to date or leaves as they were)."""
        found = []
        now = time.monotonic()
        for status in statuses:
            position, since = self.moved.get(status.name, (-1, now))
            if position != status.position or status.lag == 0:
                self.moved[status.name] = (status.position, now)
                since = now
            if follower_alive is False:
                found.append({"read_model": status.name, "reason": "the follower thread has stopped"})
            elif status.name in self.errors:
                found.append({"read_model": status.name, "reason": self.errors[status.name]})
            elif follower_alive and status.lag > 0 and now - since > STALL_SECONDS:
                found.append({"read_model": status.name,
                              "reason": f"{status.lag} events behind and not moving for {now - since:.0f} s"})
        return found


class Projector:
    """Keeps every read model in step with the event log."""

    def __init__(self, engine: Engine, batch_size: int = 10_000) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self.models: dict[str, ReadModel] = dict(READ_MODELS)
        self.watch = Watch()
        create_positions(engine)
        for model in self.models.values():
            model.create(engine, "")

    # -- inline ------------------------------------------------------------------------------

    def inline(self, session: Session, appended: Sequence[Appended] = ()) -> None:
        """Bring every read model up to the log's head inside the caller's transaction.

        Called by a command after save(), holding the writers' lock, so positions advance in log
        order. `appended`: the events the caller has just written, in log order, as it holds them
        in memory; they are decoded as they are, and the log is read only for what came before
        them that a model has not applied (nothing, unless the models were behind).
        """
        known = [log.decode(*event) for event in appended]
        starts = all_positions(session)
        lowest = min(starts.get(name, 0) for name in self.models)
        until = known[0].position - 1 if known else None
        earlier = [] if until is not None and lowest >= until else \
            log.read(session, lowest, limit=1_000_000, until=until)
        events = earlier + known
        reached = {}
        for name, model in self.models.items():
            mine = [e for e in events if e.position > starts.get(name, 0)]
            if mine:
                model.apply(session, "", mine, rebuilding=False)
                reached[name] = mine[-1].position
        advance_all(session, reached)

    # -- asynchronous ----------------------------------------------------------------------

    def catch_up(self, names: list[str] | None = None, until: int | None = None) -> int:
        """Apply pending events in batches, one transaction each; returns how many were applied."""
        applied = 0
        for name in names or list(self.models):
            try:
                while (count := self._one_batch(self.models[name], until)) > 0:
                    applied += count
            except Exception as error:
                self.watch.errors[name] = f"stopped at an event after position {self.status_of(name)}: " \
                                          f"{type(error).__name__}: {str(error)[:300]}"
                raise
            self.watch.errors.pop(name, None)
        return applied

    def status_of(self, name: str) -> int:
        with Session(self.engine) as session:
            return position(session, name)

    def _one_batch(self, model: ReadModel, until: int | None) -> int:
        with Session(self.engine) as session, session.begin():
            start = position(session, model.name)
            events = log.read(session, start, self.batch_size, until)
            if not events:
                return 0
            model.apply(session, "", events, rebuilding=False)
            advance(session, model.name, events[-1].position)
        return len(events)

    def follow(self, stop: threading.Event, poll_seconds: float = 0.2) -> None:
        """Catch up, then keep following the log until `stop` is set.

        Supervised: any failure (a dropped connection, an event a model cannot take) is logged,
        shown by /health until it clears, waited out (longer each time, up to a minute) and
        retried from the last committed position, so no event is lost or applied twice and the
        follower never dies of one event.
        """
        wakeup = Wakeup(self.engine)
        pause = 1.0
        try:
            while not stop.is_set():
                try:
                    if self.catch_up() == 0:
                        wakeup.wait(poll_seconds)
                    pause = 1.0
                except Exception:  # the supervisor of a thread: whatever stops it, it must go on
                    logger.exception("projection follower failed; retrying from the last position")
                    wakeup.reset()
                    stop.wait(pause)
                    pause = min(pause * 2, 60.0)
        finally:
            wakeup.reset()

    def status(self) -> list[Status]:
        with Session(self.engine) as session:
            head = log.last_position(session)
            return [Status(name, position(session, name), head) for name in self.models]

    # -- rebuild ---------------------------------------------------------------------------

    def rebuild(self, name: str, progress: Progress = lambda done, total: None) -> int:
        """Replay the whole log into fresh tables, in batches, then swap them in atomically.

        The live tables keep answering meanwhile. Returns the number of events replayed.
        """
        model = self.models[name]
        self._drop_shadows(model)
        try:
            model.create(self.engine, SHADOW)
            done = self._replay(model, progress)
        except BaseException:  # whatever stopped it, leave no half-built *_rebuild tables behind
            self._drop_shadows(model)
            raise
        # New tables have no statistics: without them the planner scans (a name search ignored its index).
        analyze(self.engine, [t.name for t in model.tables("")] + ([FOOTPRINTS_TABLE] if name == "parcels" else []))
        return done

    def _drop_shadows(self, model: ReadModel) -> None:
        with self.engine.begin() as connection:
            for table in model.tables(SHADOW):
                drop(connection, table.name)
            if model.name == "parcels":
                drop(connection, f"{FOOTPRINTS_TABLE}{SHADOW}_rtree")
                drop(connection, f"{FOOTPRINTS_TABLE}{SHADOW}")

    def _replay(self, model: ReadModel, progress: Progress) -> int:
        """The log up to its head into the shadow tables, then the tail and the swap."""
        with Session(self.engine) as session:
            head = log.last_position(session)
        done, reached = 0, 0
        while True:
            with Session(self.engine) as session, session.begin():
                events = log.read(session, reached, self.batch_size, head)
                if not events:
                    break
                model.apply(session, SHADOW, events, rebuilding=True)
            reached = events[-1].position
            done += len(events)
            progress(done, head)
        return done + self._swap(model, reached)

    def _swap(self, model: ReadModel, reached: int, attempts: int = 5) -> int:
        """Apply what was written since the replay began, then swap, with writers held off."""
        for attempt in range(attempts):
            try:
                with Session(self.engine) as session, session.begin():
                    if session.get_bind().dialect.name == "postgresql":
                        session.execute(text("SET LOCAL lock_timeout = '10s'"))
                        session.execute(text(f"LOCK TABLE {log.EVENTS_TABLE} IN EXCLUSIVE MODE"))
                    tail = log.read(session, reached, limit=10_000_000)
                    if tail:
                        model.apply(session, SHADOW, tail, rebuilding=True)
                    model.swap_in(session.connection(), SHADOW)
                    advance(session, model.name, tail[-1].position if tail else reached)
                return len(tail)
            except sqlalchemy.exc.OperationalError:
                logger.warning("swap of %s lost a lock race (attempt %d); retrying", model.name, attempt + 1)
                time.sleep(0.5)
        raise RuntimeError(f"could not swap in the rebuilt {model.name} tables; writers kept the locks")
