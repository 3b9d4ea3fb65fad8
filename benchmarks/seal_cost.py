"""What sealing every commit costs: the same single commands with LANDREG_AUDIT_SEAL_EVERY_COMMIT on and off.

    python -m benchmarks seal --commands 1000

On a fresh database for each run (PostgreSQL, and SQLite if asked): `commands` surveys, titles
and transfers one client at a time (one transaction, so one seal, each), then as many with
CLIENTS clients at once (group commit: one seal a batch). The peer of each figure is the same
command with sealing off. Also the seal step's own time inside each commit (steadier than whole
command rates on a shared machine), the seals' size per event and the anchor file's per seal.
"""
from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from api.bootstrap import build
from benchmarks.national import CLIENTS, _commands, _rate, _squares
from benchmarks.read_side import Figure, bench_settings, fresh_database


def run(url: str, commands: int, stores: list[str], rounds: int = 2, report: Callable[[str], None] = print,
        ) -> tuple[dict[str, Any], list[Figure]]:
    """Off and on alternately, `rounds` times each on a fresh store; the best rate of each figure
    (the first run on a fresh server pays a warm-up the others do not)."""
    facts: dict[str, Any] = {"commands": commands, "clients": CLIENTS, "stores": stores, "rounds": rounds,
                             "load_average_at_start": os.getloadavg()[0]}  # the machine may be shared
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        for store in stores:
            best: dict[bool, dict[str, float]] = {False: {}, True: {}}
            for round_, sealing in itertools.product(range(rounds), (False, True)):
                rates = _measure(store, url, Path(folder) / f"{store}-{sealing}-{round_}", sealing, commands, report)
                for name, value in rates.items():
                    keep = min if name.startswith("seal ms") else max  # the fastest round
                    best[sealing][name] = keep(value, best[sealing].get(name, value))
            for fact in [name for name in best[True] if not name.endswith("client(s)")]:
                facts[f"{store} {fact}"] = best[True].pop(fact)  # the best round's, like the rates
            for name, rate in best[True].items():
                figures.append(Figure(f"{store}: {name}", rate, best[False][name], "commands/s",
                                      f"the same with sealing off (best of {rounds} each)", ""))
    facts["load_average_at_end"] = os.getloadavg()[0]
    return facts, figures


def _measure(store: str, url: str, folder: Path, sealing: bool, commands: int,
             report: Callable[[str], None]) -> dict[str, float]:
    folder.mkdir(parents=True)
    if store == "postgresql":
        fresh_database(url)
    else:
        url = f"sqlite:///{folder}/bench.db"
    settings = bench_settings(url, folder).model_copy(update={"audit_seal_every_commit": sealing})
    services = build(settings)
    rates: dict[str, float] = {}
    timings = _time_seals(services.registry.sealer)
    try:
        squares = list(_squares(2 * commands))
        for clients in (1, CLIENTS):
            mine = squares[:commands] if clients == 1 else squares[commands:]
            for name, command in _commands(services, mine):
                rates[f"{name} command, {clients} client(s)"] = _rate(command, commands, clients)
                report(f"{store}, sealing {'on' if sealing else 'off'}: {name}, {clients} client(s): "
                       f"{rates[f'{name} command, {clients} client(s)']:,.0f}/s")
        if sealing:
            rates.update(_sizes(services.registry.engine, settings.audit_anchor_file))
            ms = sorted(t * 1000 for t in timings)
            rates.update({"seal ms per commit, mean": statistics.fmean(ms), "seal ms per commit, p50": ms[len(ms) // 2],
                          "seal ms per commit, p99": ms[int(len(ms) * 0.99)]})
            assert services.registry.verify_log().ok
    finally:
        services.close()
    return rates


def _time_seals(sealer: Any) -> list[float]:
    """Time the seal step of every commit (the read, the tree, the signature, the insert)."""
    timings: list[float] = []
    seal = sealer.seal

    def timed(session: Any) -> None:
        start = time.perf_counter()
        seal(session)
        timings.append(time.perf_counter() - start)

    sealer.seal = timed
    return timings


def _sizes(engine: Any, anchor_file: Path) -> dict[str, float]:
    with engine.connect() as connection:
        events = int(connection.execute(text("SELECT count(*) FROM landreg_events")).scalar_one())
        seals = int(connection.execute(text("SELECT count(*) FROM landreg_seals")).scalar_one())
        if engine.dialect.name == "postgresql":
            size = int(connection.execute(text("SELECT pg_total_relation_size('landreg_seals')")).scalar_one())
        else:
            size = int(connection.execute(text(  # the rows' bytes (SQLite has no per-table size without dbstat)
                "SELECT sum(length(leaves) + length(root) + length(previous_root) + length(key_id) "
                "+ length(signature) + 40) FROM landreg_seals")).scalar_one())
    return {"seal bytes per event": size / events, "anchor bytes per seal": anchor_file.stat().st_size / seals}
