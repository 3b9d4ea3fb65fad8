"""Audit verify throughput against a raw sequential read and raw sha256 over the same bytes.

    python -m benchmarks audit --parcels 300000
"""
from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import text

from api.bootstrap import Services, build
from benchmarks.peers import raw_read, raw_sha256
from benchmarks.read_side import BENCH_FOLDER, Figure, bench_settings, fresh_database
from benchmarks.seed import seed
from registry.domain.values import Actor


def run(url: str, parcels: int, report: Callable[[str], None] = print, reuse: bool = False) -> list[Figure]:
    if not reuse:
        fresh_database(url)
    services = build(bench_settings(url, BENCH_FOLDER / "audit", fresh=not reuse), inline_projections=False)
    with services.registry.engine.connect() as connection:
        events = int(connection.execute(text("SELECT count(*) FROM landreg_events")).scalar_one())
    if not events:
        events = seed(services.registry, parcels)
        report(f"seeded {parcels:,} parcels, {events:,} events")
    figures = verify_figures(services, url, report)
    services.close()
    return figures


def verify_figures(services: Services, url: str, report: Callable[[str], None]) -> list[Figure]:
    """Sign a checkpoint over the whole log (which also seals what is not sealed yet), then
    verify every chain, seal and checkpoint; against a raw read and a raw sha256 of the same rows."""
    registry = services.registry
    start = time.perf_counter()
    registry.make_checkpoint(actor=Actor("bench", "auditor"))
    report(f"checkpoint over the log in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    verified = registry.verify_log()
    rate = verified.events_checked / (time.perf_counter() - start)
    assert verified.ok, verified.as_dict()
    read, hashed = raw_read(url, "landreg_events")[0], raw_sha256(url, "landreg_events")[0]
    return [Figure("audit verify (chains + seals + checkpoint)", rate, read.value, "events/s",
                   "raw sequential read", ">= 100,000/s, >= 0.5x raw"),
            Figure("audit verify (chains + seals + checkpoint)", rate, hashed.value, "events/s",
                   "raw sha256 over the same rows", "")]
