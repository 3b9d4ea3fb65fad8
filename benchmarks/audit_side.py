"""Audit verify throughput against a raw sequential read and raw sha256 over the same bytes (a
row of the national run)."""
from __future__ import annotations

import time
from collections.abc import Callable

from api.bootstrap import Services
from benchmarks.peers import raw_read, raw_sha256
from benchmarks.read_side import Figure
from registry.domain.values import Actor


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
