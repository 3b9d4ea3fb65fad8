"""Audit verify throughput against a raw sequential read and raw sha256 over the same bytes.

    python -m benchmarks audit --parcels 300000
"""
from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from api.bootstrap import build
from benchmarks.read_side import Figure, fresh_database, raw_read
from benchmarks.seed import seed
from registry.settings import Settings
from registry.values import Actor


def raw_sha256(url_services: object) -> float:
    """Events/s of reading every stored state and hashing it once with sha256 (the hashing floor)."""
    services = url_services
    start = time.perf_counter()
    count = 0
    with services.registry.engine.connect() as connection:  # type: ignore[attr-defined]
        result = connection.execution_options(stream_results=True).execute(
            text("SELECT state FROM landreg_events ORDER BY id"))
        for part in result.partitions(10_000):
            for (state,) in part:
                hashlib.sha256(bytes(state)).digest()
            count += len(part)
    return count / (time.perf_counter() - start)


def run(url: str, parcels: int, report: Callable[[str], None] = print, reuse: bool = False) -> list[Figure]:
    if not reuse:
        fresh_database(url)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=url, audit_key_file=Path(folder) / "key.pem",
                            audit_anchor_file=Path(folder) / "anchor.jsonl")
        services = build(settings, inline_projections=False)
        with services.registry.engine.connect() as connection:
            events = int(connection.execute(text("SELECT count(*) FROM landreg_events")).scalar_one())
        if not events:
            events = seed(services.registry, parcels)
            report(f"seeded {parcels:,} parcels, {events:,} events")
        start = time.perf_counter()
        services.registry.make_checkpoint(actor=Actor("bench", "auditor"))
        report(f"checkpoint over {events:,} events in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        verified = services.registry.verify_log()
        rate = verified.events_checked / (time.perf_counter() - start)
        assert verified.ok, verified.as_dict()
        figures = [Figure("audit verify (chains + checkpoint)", rate, raw_read(services), "events/s",
                          "raw sequential read", ">= 100,000/s, >= 0.5x raw"),
                   Figure("audit verify (chains + checkpoint)", rate, raw_sha256(services), "events/s",
                          "raw sha256 over the same rows", "")]
        services.close()
    return figures
