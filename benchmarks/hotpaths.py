"""The three bulk paths of issue 14 on one synthetic cadastre, each beside its raw peer, one run:

    python -m benchmarks hotpaths --parcels 100000 --url postgresql+psycopg2://postgres@127.0.0.1:5432/NAME_bench

The stock imported by the bulk path (against a raw COPY of the same rows), every read model
rebuilt (against a raw sequential read), a full verify (against the raw read and a raw sha256),
an incremental verify after `--fresh` new events; each stage in its own child process, so the
peak memory reported is that command's. The database named by `--url` must be named as a
benchmark's (`*bench*`): it is dropped and refilled, and the peer's is that name plus `_peer_copy`.
"""
from __future__ import annotations

import inspect
import multiprocessing
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api import importer
from api.bootstrap import build
from benchmarks import national, peers
from benchmarks.read_side import Figure, bench_settings, fresh_database
from registry.domain.values import Actor

AUDITOR = Actor("bench-auditor", "auditor")
Stage = Callable[[str, Path, dict[str, Any]], dict[str, Any]]


def _import(url: str, folder: Path, args: dict[str, Any]) -> dict[str, Any]:
    services = build(bench_settings(url, folder))
    try:
        start = time.perf_counter()
        done = importer.run(services.registry, folder / "stock.jsonl", national.IMPORTER, batch=2_000)
        seconds = time.perf_counter() - start
        events = national.count(services, "landreg_events")
        if args["year"]:
            importer.run(services.registry, folder / "year.jsonl", national.IMPORTER, batch=500)
        return {"parcels": done.accepted, "refused": len(done.rejected), "seconds": seconds, "events": events,
                "all_events": national.count(services, "landreg_events")}
    finally:
        services.close()


def _rebuild(url: str, folder: Path, args: dict[str, Any]) -> dict[str, Any]:
    services = build(bench_settings(url, folder, fresh=False), inline_projections=False)
    try:
        events = national.count(services, "landreg_events")
        start = time.perf_counter()
        rebuild_all = getattr(services.projector, "rebuild_all", None)
        if rebuild_all is None:  # the code before issue 14: one pass per read model
            for name in services.projector.models:
                services.projector.rebuild(name)
        elif "workers" in inspect.signature(rebuild_all).parameters:
            rebuild_all(workers=args["workers"])
        else:
            rebuild_all()
        return {"events": events, "seconds": time.perf_counter() - start}
    finally:
        services.close()


def _verify(url: str, folder: Path, args: dict[str, Any]) -> dict[str, Any]:
    services = build(bench_settings(url, folder, fresh=False), inline_projections=False)
    registry = services.registry
    try:
        registry.make_checkpoint(actor=AUDITOR)
        start = time.perf_counter()
        report = _verify_log(registry, full=True)
        seconds = time.perf_counter() - start
        assert report.ok, report.as_dict()
        return {"events": report.events_checked, "seconds": seconds}
    finally:
        services.close()


def _verify_log(registry: Any, full: bool) -> Any:
    """A full or an incremental verify; the code before issue 14 knew only the full one."""
    if "full" in inspect.signature(registry.verify_log).parameters:
        return registry.verify_log(full=full)
    return registry.verify_log()


def _incremental(url: str, folder: Path, args: dict[str, Any]) -> dict[str, Any]:
    """A full verify records where it got to; `fresh` new events later, the periodic check reads only those."""
    services = build(bench_settings(url, folder, fresh=False), inline_projections=False)
    registry = services.registry
    try:
        assert _verify_log(registry, full=True).ok
        added = _more_events(services, args["fresh"])
        start = time.perf_counter()
        report = _verify_log(registry, full=False)
        seconds = time.perf_counter() - start
        assert report.ok, report.as_dict()
        return {"events": report.events_checked, "added": added, "seconds": seconds}
    finally:
        services.close()


def _more_events(services: Any, events: int) -> int:
    """About `events` new events (three a parcel) by the bulk path, on squares south of the villages."""
    before = national.count(services, "landreg_events")
    squares = list(national._squares(events // 3))
    holder = {"id": "3174011501800001", "name": "Warga Baru", "kind": "citizen", "share": "1/1"}
    for start in range(0, len(squares), 1_000):
        part = squares[start:start + 1_000]
        entries = [{"village_code": national.VILLAGE, "geometry": square, "crs": national.TM3,
                    "survey": national._survey_document(), "right_type": "HM", "holders": [holder],
                    "ends_on": None, "source": national._deed(start + i)} for i, square in enumerate(part)]
        ids = [f"more-{start + i}" for i in range(len(part))]
        services.registry.register_parcels(entries, ids, actor=national.IMPORTER)
    return national.count(services, "landreg_events") - before


def _child(stage: Stage, url: str, folder: Path, args: dict[str, Any], out: Any) -> None:
    result = stage(url, folder, args)
    result["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put(result)


def in_child(stage: Stage, url: str, folder: Path, args: dict[str, Any]) -> dict[str, Any]:
    """Run one stage in a fresh process (spawned: no memory inherited) and return what it measured."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(stage, url, folder, args, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def run(url: str, folder: Path, parcels: int, activity: float, workers: int, fresh: int,
        report: Callable[[str], None] = print) -> tuple[dict[str, Any], list[Figure]]:
    """Every stage, then the peers on the same rows; (facts, figures)."""
    folder.mkdir(parents=True, exist_ok=True)
    facts: dict[str, Any] = {"parcels": parcels, "activity": activity, "workers": workers, "store": "postgresql"}
    national.generate(folder, parcels, activity, national.Run(facts=facts), report)
    fresh_database(url)
    stages: dict[str, Stage] = {"import": _import, "rebuild": _rebuild, "verify": _verify, "incremental": _incremental}
    args = {"year": activity > 0, "workers": workers, "fresh": fresh}
    for name, stage in stages.items():
        facts[name] = in_child(stage, url, folder, args)
        report(f"{name}: {facts[name]}")
    return facts, _figures(url, facts)


def _figures(url: str, facts: dict[str, Any]) -> list[Figure]:
    imported, rebuilt, verified, incremental = (facts[k] for k in ("import", "rebuild", "verify", "incremental"))
    services = build(bench_settings(url, Path("/tmp"), fresh=False), inline_projections=False)
    try:
        copied = peers.raw_copy(f"{url}_peer_copy", imported["parcels"],
                                rows=national.stored_rows(services))
    finally:
        services.close()
    copy_rate = next(m.value for m in copied if m.unit == "parcels/s")
    raw = peers.raw_read(url)[0].value
    hashed = peers.raw_sha256(url)[0].value
    return [
        Figure("bulk import (first registrations)", imported["parcels"] / imported["seconds"], copy_rate,
               "parcels/s", "raw COPY of the same event and footprint rows", ">= 3,000/s at 1M"),
        Figure("rebuild, every read model", rebuilt["events"] / rebuilt["seconds"], raw, "events/s",
               "raw sequential read", ">= 50,000/s, >= 0.25x raw"),
        Figure("audit verify, full", verified["events"] / verified["seconds"], raw, "events/s",
               "raw sequential read", ">= 125,000/s, >= 0.5x raw"),
        Figure("audit verify, full", verified["events"] / verified["seconds"], hashed, "events/s",
               "raw sha256 over the same rows", ""),
        Figure(f"audit verify, incremental ({incremental['added']:,} new events)", incremental["seconds"] * 1000,
               float("nan"), "ms", "", "< 1,000 ms for 10,000 events"),
    ]
