"""Running the read models: inline in a command's transaction, catching up and following the
log asynchronously, and rebuilding from position 0 into fresh tables that are then swapped in."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from projections import log
from projections.models import READ_MODELS, ReadModel
from projections.rebuild import Progress, Rebuild
from projections.tables import advance, advance_all, all_positions, position
from projections.wakeup import Wakeup
from registry.persistence.store import Appended

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)  # past the head: it also passed trailing checkpoints


STALL_SECONDS = 30.0  # a read model behind the log that has not moved for this long is stalled


@dataclass
class Watch:
    """What the follower saw last: the error that stopped a model, and when each model last moved."""

    errors: dict[str, str] = field(default_factory=dict)
    moved: dict[str, tuple[int, float]] = field(default_factory=dict)  # model -> (position, when)
    windows: dict[str, tuple[int, float]] = field(default_factory=dict)  # model -> (lag, when a window began)
    growing: dict[str, str] = field(default_factory=dict)  # model -> why its lag grew over the last window

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
            elif follower_alive and self._grew(status, now):
                found.append({"read_model": status.name, "reason": self.growing[status.name]})
        return found

    def _grew(self, status: Status, now: float) -> bool:
        """Whether the lag grew over the last whole window of STALL_SECONDS: moving, but slower than
        the writers (judged once a window, so a burst of commands is not a trouble)."""
        lag, began = self.windows.setdefault(status.name, (status.lag, now))
        if now - began >= STALL_SECONDS:
            self.windows[status.name] = (status.lag, now)
            if status.lag > lag > 0:
                self.growing[status.name] = f"lag grew from {lag} to {status.lag} events in {now - began:.0f} s"
            else:
                self.growing.pop(status.name, None)
        return status.name in self.growing


class Projector:
    """Keeps every read model in step with the event log."""

    def __init__(self, engine: Engine, batch_size: int = 10_000, rebuild_batch: int = 50_000) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self.rebuild_batch = rebuild_batch  # events a rebuild holds at once: its memory bound
        self.models: dict[str, ReadModel] = dict(READ_MODELS)
        self.watch = Watch()

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
                model.apply(session, "", mine)
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
            model.apply(session, "", events)
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
        """Each read model's position against the newest event it has to fold (checkpoints are none)."""
        with Session(self.engine) as session:
            head = log.last_folded_position(session)
            return [Status(name, position(session, name), head) for name in self.models]

    # -- rebuild ---------------------------------------------------------------------------

    def rebuild(self, name: str, progress: Progress = lambda done, total: None) -> int:
        """Replay the whole log into fresh tables of one read model, then swap them in."""
        return self.rebuild_all([name], progress)

    def rebuild_all(self, names: list[str] | None = None, progress: Progress = lambda done, total: None) -> int:
        """Every read model (or the named ones) from the log in one pass (projections/rebuild.py);
        the live tables keep answering meanwhile. Returns the number of events replayed."""
        chosen = [self.models[name] for name in names or list(self.models)]
        return Rebuild(self.engine, chosen, self.rebuild_batch, progress).run()
