"""The writer's aggregate cache: committed aggregates kept between commands, so loading one
costs one query (the events after the cached version) instead of a snapshot probe and a replay.

Only committed state is ever put in (after the commit that saved it), and a load always reads
the newer events inside the command's own transaction, so another process's writes and a
rolled-back command cannot make a load wrong; a rollback also drops what the rolled-back
transaction touched. Queries (`CommandRunner.get_parcel`, ...) never read it.
"""
from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from eventsourcing.application import AggregateNotFoundError, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore


class WriterCache:
    """Up to `size` aggregates, least recently used dropped first."""

    def __init__(self, events: EventStore[Any], load: Callable[[Any], Aggregate], size: int) -> None:
        self.events = events
        self.load = load  # the repository's full load (snapshot, then events)
        self.size = size
        self._kept: OrderedDict[Any, Aggregate] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, aggregate_id: Any) -> Aggregate:
        """The aggregate now, as the calling transaction sees it; a copy the caller may change."""
        with self._lock:
            cached = self._kept.get(aggregate_id)
            if cached is not None:
                self._kept.move_to_end(aggregate_id)
        if cached is None:
            return self.load(aggregate_id)
        aggregate = copy.deepcopy(cached)
        newer = self.events.get(originator_id=aggregate_id, gt=aggregate.version)
        found = project_aggregate(aggregate, newer)
        if found is None:
            raise AggregateNotFoundError(aggregate_id)
        return found

    def keep(self, aggregates: Iterable[Aggregate]) -> None:
        """Keep these aggregates as just committed (their pending events saved)."""
        if self.size <= 0:
            return
        with self._lock:
            for aggregate in aggregates:
                self._kept[aggregate.id] = aggregate
                self._kept.move_to_end(aggregate.id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def drop(self, aggregate_ids: Iterable[Any]) -> None:
        """Forget these aggregates (a transaction that touched them rolled back)."""
        with self._lock:
            for aggregate_id in aggregate_ids:
                self._kept.pop(aggregate_id, None)

    def __contains__(self, aggregate_id: object) -> bool:
        with self._lock:
            return aggregate_id in self._kept
