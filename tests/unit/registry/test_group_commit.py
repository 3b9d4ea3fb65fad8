"""The group committer's own logic, with a recording batch in place of the database."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from registry.application.group_commit import GroupCommit


class Batches:
    """A stand-in for the runner's batch(): records which commands shared a transaction."""

    def __init__(self, fail_commit: bool = False) -> None:
        self.sizes: list[int] = []
        self.current: list[str] | None = None
        self.fail_commit = fail_commit
        self.started = threading.Event()  # the writer is busy with a gated command

    @contextmanager
    def batch(self) -> Iterator[None]:
        self.current = []
        yield
        self.sizes.append(len(self.current))
        self.current = None
        if self.fail_commit:
            self.fail_commit = False
            raise RuntimeError("commit failed")

    def command(self, name: str, gate: threading.Event | None = None) -> Any:
        def attempt() -> dict[str, Any]:
            if gate is not None:
                self.started.set()
                gate.wait(5)
            if self.current is not None:
                self.current.append(name)
            if name.startswith("bad"):
                raise ValueError(name)
            return {"name": name, "batched": self.current is not None}
        return attempt


def test_commands_waiting_together_share_one_batch_and_get_their_own_results() -> None:
    batches = Batches()
    committer = GroupCommit(batches.batch)
    gate = threading.Event()
    results: dict[str, Any] = {}

    def send(name: str, blocker: threading.Event | None = None) -> None:
        try:
            results[name] = committer.run(batches.command(name, blocker))
        except ValueError as error:
            results[name] = error

    first = threading.Thread(target=send, args=("first", gate))
    first.start()
    assert batches.started.wait(5)  # the writer is now busy with `first`, alone
    others = [threading.Thread(target=send, args=(n,)) for n in ("a", "bad-b", "c")]
    for thread in others:
        thread.start()
    while committer._queue.qsize() < 3:  # all three are waiting behind `first`
        threading.Event().wait(0.001)
    gate.set()
    for thread in [first, *others]:
        thread.join()
    committer.close()
    assert results["first"] == {"name": "first", "batched": False}  # a lone command runs on its own
    assert batches.sizes == [3]
    assert results["a"] == {"name": "a", "batched": True}
    assert isinstance(results["bad-b"], ValueError)  # refused alone; the others still commit
    assert results["c"]["batched"] is True


def test_a_failed_batch_commit_runs_each_command_again_alone() -> None:
    batches = Batches(fail_commit=True)
    committer = GroupCommit(batches.batch)
    gate = threading.Event()
    results: dict[str, Any] = {}
    threads = [threading.Thread(target=lambda: results.update(first=committer.run(batches.command("first", gate))))]
    threads += [threading.Thread(target=lambda n=n: results.update({n: committer.run(batches.command(n))}))
                for n in ("a", "c")]
    threads[0].start()
    assert batches.started.wait(5)
    for thread in threads[1:]:
        thread.start()
    while committer._queue.qsize() < 2:
        threading.Event().wait(0.001)
    gate.set()
    for thread in threads:
        thread.join()
    committer.close()
    assert batches.sizes == [2]  # the batch ran, its commit failed...
    assert results["a"] == {"name": "a", "batched": False}  # ...so each ran again on its own
    assert results["c"] == {"name": "c", "batched": False}


def test_a_closed_committer_refuses_new_commands() -> None:
    committer = GroupCommit(Batches().batch)
    committer.close()
    with pytest.raises(RuntimeError, match="closed"):
        committer.run(dict)
