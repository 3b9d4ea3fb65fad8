"""Audit verify throughput against a raw sequential read and raw sha256 over the same bytes.

    python -m benchmarks audit --parcels 300000
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from api.bootstrap import Services, build
from benchmarks.peers import raw_read, raw_sha256
from benchmarks.read_side import Figure, fresh_database
from benchmarks.seed import seed
from registry.settings import Settings
from registry.values import Actor


def run(url: str, parcels: int, report: Callable[[str], None] = print, reuse: bool = False) -> list[Figure]:
    if not reuse:
        fresh_database(url)
    with tempfile.TemporaryDirectory() as folder:
        services = build(Settings(database_url=url, first_registration_announcement="off"), inline_projections=False)
        with services.registry.engine.connect() as connection:
            events = int(connection.execute(text("SELECT count(*) FROM landreg_events")).scalar_one())
        if not events:
            events = seed(services.registry, parcels)
            report(f"seeded {parcels:,} parcels, {events:,} events")
        figures = verify_figures(services, url, Path(folder), report)
        services.close()
    return figures


def verify_figures(services: Services, url: str, folder: Path, report: Callable[[str], None]) -> list[Figure]:
    """Sign a checkpoint over the whole log (key and anchor file in `folder`), then verify
    every chain and the checkpoint; against a raw read and a raw sha256 of the same rows."""
    registry = services.registry
    registry.settings.audit_key_file = folder / "key.pem"
    registry.settings.audit_anchor_file = folder / "anchor.jsonl"
    registry.settings.audit_anchor_file.unlink(missing_ok=True)  # a fresh log: an old anchor is not its own
    start = time.perf_counter()
    registry.make_checkpoint(actor=Actor("bench", "auditor"))
    report(f"checkpoint over the log in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    verified = registry.verify_log()
    rate = verified.events_checked / (time.perf_counter() - start)
    assert verified.ok, verified.as_dict()
    read, hashed = raw_read(url, "landreg_events")[0], raw_sha256(url, "landreg_events")[0]
    return [Figure("audit verify (chains + checkpoint)", rate, read.value, "events/s",
                   "raw sequential read", ">= 100,000/s, >= 0.5x raw"),
            Figure("audit verify (chains + checkpoint)", rate, hashed.value, "events/s",
                   "raw sha256 over the same rows", "")]
