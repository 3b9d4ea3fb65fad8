"""Group commit (docs/architecture.md, the path of a command): one writer thread per process runs the commands
that are waiting in one transaction, each in its own savepoint, so the serialised append and the disk flush
are paid once per batch instead of once per command.

A caller hands over a command's transactional part and blocks until the batch holding it has
committed: a result is never returned before it is durable. If the batch's commit itself
fails, every command of it is run again alone, so one bad batch never loses a good command.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)
Result = dict[str, Any]


@dataclass
class _Job:
    attempt: Callable[[], Result]
    future: Future[Result] = field(default_factory=Future)


def _outcome(job: _Job) -> tuple[Result | None, BaseException | None]:
    try:
        return job.attempt(), None
    except Exception as error:  # noqa: BLE001 - handed back to the caller's thread as it is
        return None, error


class GroupCommit:
    """The writer thread. `batch` opens the shared transaction (the runner's `batch()`)."""

    def __init__(self, batch: Callable[[], AbstractContextManager[None]], max_batch: int = 200) -> None:
        self.batch = batch
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="landreg-group-commit", daemon=True)
        self._thread.start()

    def run(self, attempt: Callable[[], Result]) -> Result:
        """Run one command's transactional part in the next batch; its result once committed."""
        if not self._thread.is_alive():
            raise RuntimeError("the group committer is closed")
        job = _Job(attempt)
        self._queue.put(job)
        return job.future.result()

    def close(self) -> None:
        """Finish the commands already handed over, then stop the writer."""
        self._queue.put(None)
        self._thread.join()

    def _loop(self) -> None:
        while (first := self._queue.get()) is not None:
            waiting, stop = [first], False
            while len(waiting) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                waiting.append(job)
            self._commit(waiting)
            if stop:
                return

    def _commit(self, waiting: list[_Job]) -> None:
        if len(waiting) == 1:
            self._settle(waiting[0], _outcome(waiting[0]))
            return
        try:
            with self.batch():
                outcomes = [_outcome(job) for job in waiting]
        except Exception:  # the shared commit failed: nothing of the batch was kept
            logger.warning("a batch of %d commands failed to commit; running each alone", len(waiting),
                           exc_info=True)
            for job in waiting:
                self._settle(job, _outcome(job))
            return
        for job, outcome in zip(waiting, outcomes):
            self._settle(job, outcome)

    @staticmethod
    def _settle(job: _Job, outcome: tuple[Result | None, BaseException | None]) -> None:
        result, error = outcome
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)  # type: ignore[arg-type]
