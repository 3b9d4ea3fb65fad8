"""The write path (issue 20): survey, title and transfer commands at 1, 16 and 64 clients, with
p50/p99 latency and the statements and round trips each command sends, beside the plain
eventsourcing save at the same client counts, all in one run on this machine."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from api.bootstrap import Services, build
from benchmarks import national
from benchmarks.peers.plain_save import close, ledger
from benchmarks.peers.plain_save import commands as plain_commands
from benchmarks.read_side import bench_settings, fresh_database
from benchmarks.wire import Wire, count_on

CLIENT_COUNTS = (1, 16, 64)
KINDS = ("survey", "title", "transfer")


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.0
    """
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


def timed(call: Callable[[int], Any], indexes: list[int], clients: int) -> dict[str, float]:
    """Run `call` over `indexes` from `clients` threads; the rate and the latencies in ms."""
    lock, sent, took = threading.Lock(), iter(indexes), []

    def client() -> None:
        while True:
            with lock:
                index = next(sent, None)
            if index is None:
                return
            start = time.perf_counter()
            call(index)
            took.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    seconds = time.perf_counter() - start
    return {"rate": len(indexes) / seconds, "p50_ms": percentile(took, 0.5), "p99_ms": percentile(took, 0.99)}


def measure(system: str, kind: str, clients: int, call: Callable[[int], Any], indexes: list[int], wire: Wire,
            report: Callable[[str], None]) -> dict[str, Any]:
    """One cell of the table: rate, latencies, and what each command sent."""
    before = wire.snapshot()
    figures = timed(call, indexes, clients)
    statements, trips = (a - b for a, b in zip(wire.snapshot(), before))
    counted = trips > 0  # PostgreSQL; nothing is counted on SQLite
    row = {"system": system, "command": kind, "clients": clients, **figures,
           "statements_per_command": statements / len(indexes) if counted else None,
           "round_trips_per_command": trips / len(indexes) if counted else None}
    report(_line(row))
    return row


def fresh(url: str) -> None:
    """Drop and create the PostgreSQL database, or delete the SQLite file, of `url`."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        fresh_database(url)


def ours(url: str, folder: Path, commands: int, report: Callable[[str], None]) -> list[dict[str, Any]]:
    """Each command kind at each client count on a fresh store, with statements and round trips
    (counted on PostgreSQL only: SQLite has no network between the registry and its store)."""
    fresh(url)
    rows = []
    services = build(bench_settings(url, folder))
    wire = count_on(services.registry.engine)
    try:
        squares = list(national._squares(commands * len(CLIENT_COUNTS)))
        kinds = dict(national._commands(services, squares))
        for step, clients in enumerate(CLIENT_COUNTS):
            indexes = list(range(step * commands, (step + 1) * commands))
            for kind in KINDS:
                rows.append(measure("landreg", kind, clients, kinds[kind], indexes, wire, report))
    finally:
        _close(services)
    return rows


def plain_peer(url: str, commands: int, report: Callable[[str], None]) -> list[dict[str, Any]]:
    """The plain eventsourcing save (no guard, no read models) at the same client counts."""
    fresh(url)
    rows = []
    app = ledger(url)
    wire = count_on(app.factory.datastore.engine)  # type: ignore[attr-defined]
    try:
        for step, clients in enumerate(CLIENT_COUNTS):
            start = step * commands
            for kind, call in plain_commands(app, start, commands).items():
                indexes = list(range(start, start + commands))
                rows.append(measure("plain eventsourcing save", kind, clients, call, indexes, wire, report))
    finally:
        close(app)
    return rows


def _line(row: dict[str, Any]) -> str:
    return (f"{row['system']} {row['command']} x{row['clients']}: {row['rate']:,.0f}/s, p50 {row['p50_ms']:.1f} ms, "
            f"p99 {row['p99_ms']:.1f} ms, {count(row['statements_per_command'])} statements, "
            f"{count(row['round_trips_per_command'])} round trips a command")


def count(value: float | None) -> str:
    """A per-command count as printed: one decimal, or '-' where nothing was counted (SQLite)."""
    return "-" if value is None else f"{value:.1f}"


def _close(services: Services) -> None:
    services.close()


def run(url: str, folder: Path, commands: int, report: Callable[[str], None]) -> list[dict[str, Any]]:
    """Ours, then the peer, in one run."""
    folder.mkdir(parents=True, exist_ok=True)
    peer = url.replace(".db", "_plain.db") if url.startswith("sqlite") else f"{url}_plain"
    return ours(url, folder, commands, report) + plain_peer(peer, commands, report)
