"""What observing costs: the same HTTP reads with metrics, access log and read log, and without.

    python -m benchmarks observe --seconds 15 --store sqlite

One store of `parcels` titled parcels; two apps on it, served in turn by uvicorn in this process
(so CPU and memory are measured alike for both): landreg as it runs, and its peer, the same app
without the observation middleware (request id, metrics, access log) and with a read log that
records nothing. Each drives parcel reads by NIB and holder searches (both write read-log rows)
from keep-alive client threads; rounds alternate and the best of each is kept. CPU is this
process's (server and clients) per 1,000 requests; memory is the resident set after each run.
"""
from __future__ import annotations

import logging
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build
from api.deps import Disclosure
from api.observe import Observe
from api.readlog import Reader, ReadLog
from benchmarks.http_load import _square, drive
from benchmarks.read_side import Figure, bench_settings
from registry.domain.values import Actor

SURVEY = {"document_number": "GU-OBS", "document_sha256": "e" * 64, "surveyed_on": "2025-01-02"}
DEED = {"kind": "deed", "number": "AJB-OBS", "date": "2025-02-01", "sha256": "d" * 64}
Plan = Callable[[int, int], tuple[str, str, bytes | None, dict[str, str]]]


class SilentReadLog(ReadLog):
    """The peer's read log: takes every read and records nothing."""

    def record(self, reader: Reader, access: str, value: Any) -> int:
        return 0


def run(url: str, folder: Path, seconds: float, threads: int, parcels: int, rounds: int,
        report: Callable[[str], None] = print) -> tuple[dict[str, Any], list[Figure]]:
    """Facts and figures (ours = observed, peer = not) of parcel reads and holder searches."""
    services = _filled(url, folder, parcels, report)
    logging.getLogger("landreg.access").disabled = True  # the line is made (its cost counted), not printed
    try:
        observed, bare = _app(services, observe=True), _app(services, observe=False)
        token = observed.state.tokens.create("bench-officer", "officer")
        officer = {"Authorization": f"Bearer {token}", "X-Purpose": "benchmark"}
        plans: dict[str, Plan] = {
            "GET /v1/parcels/{nib}": lambda n, i: ("GET", f"/v1/parcels/{_nib(n, i, parcels)}", None, officer),
            "GET /v1/parcels?holder=": lambda n, i: ("GET", f"/v1/parcels?holder=nik-{(n * 31 + i) % parcels}",
                                                     None, officer),
        }
        best: dict[tuple[str, bool], dict[str, float]] = {}
        for _, observe in [(r, o) for r in range(rounds) for o in (False, True)]:
            with _served(observed if observe else bare) as port, _timed() as spent:
                for name, plan in plans.items():
                    figures = _measure(port, seconds, threads, plan)
                    kept = best.setdefault((name, observe), figures)
                    if figures["requests/s"] > kept["requests/s"]:
                        best[(name, observe)] = figures
                    figures["observing us per request"] = sum(spent.values()) / (figures["requests/s"] * seconds) * 1e6
                    spent.clear()
                    report(f"{'observed' if observe else 'bare'} {name}: {figures['requests/s']:,.0f} requests/s")
        written = observed.state.read_log.written + observed.state.read_log.flush()
        steady = _in_process(observed, bare, plans, rounds, report)
    finally:
        services.close()
    facts: dict[str, Any] = {"parcels": parcels, "threads": threads, "seconds": seconds, "rounds": rounds,
                             "read_log_rows_written": written, "load_average_at_end": os.getloadavg()[0]}
    for name in plans:  # timed where it runs: steadier than the rates on a shared machine
        observing = best[(name, True)]["observing us per request"]
        facts[f"{name}: us per request in the observing code (metrics, access log, read log)"] = observing
        facts[f"{name}: the observing code, % of the unobserved p50"] = observing / best[(name, False)]["p50 ms"] / 10
    return facts, _figures(best, plans, rounds) + steady


def _in_process(observed: FastAPI, bare: FastAPI, plans: dict[str, Plan], rounds: int,
                report: Callable[[str], None], requests: int = 1000) -> list[Figure]:
    """CPU ms per request of one client calling the app in this process (no sockets, no other
    threads competing): steadier than rates on a shared machine."""
    best: dict[tuple[str, bool], float] = {}
    for _, observe in [(r, o) for r in range(rounds) for o in (False, True)]:
        client = TestClient(observed if observe else bare)  # no lifespan: the services outlive it
        for name, plan in plans.items():
            began = time.process_time()
            for count in range(requests):
                method, path, _, headers = plan(0, count)
                assert client.request(method, path, headers=headers).status_code == 200
            spent = (time.process_time() - began) / requests * 1000
            best[(name, observe)] = min(spent, best.get((name, observe), spent))
        report(f"in process, {'observed' if observe else 'bare'}: {best[(name, observe)]:.3f} ms per request")
    return [Figure(f"{name}: CPU ms per request, one client in process", best[(name, True)], best[(name, False)],
                   "ms", f"the same without metrics, access log, read log (best of {rounds})", "within 10 %")
            for name in plans]


def _figures(best: dict[tuple[str, bool], dict[str, float]], plans: dict[str, Plan], rounds: int) -> list[Figure]:
    units = {"requests/s": "requests/s", "p50 ms": "ms", "p99 ms": "ms", "cpu s per 1000 requests": "s",
             "rss MB": "MB"}
    return [Figure(f"{name}: {measure}", best[(name, True)][measure], best[(name, False)][measure], unit,
                   f"the same without metrics, access log, read log (best of {rounds})", "within 10 %")
            for name in plans for measure, unit in units.items()]


def _filled(url: str, folder: Path, parcels: int, report: Callable[[str], None]) -> Services:
    services = build(bench_settings(url, folder))
    officer, surveyor = Actor("bench-officer", "officer"), Actor("bench-surveyor", "surveyor")
    for index in range(parcels):
        nib = services.registry.submit_survey("31740101", _square(index), SURVEY, actor=surveyor)["nib"]
        holders = [{"id": f"nik-{index}", "name": f"Holder {index}", "kind": "citizen", "share": "1/1"}]
        services.registry.register_title(nib, "HM", holders, None, DEED, actor=officer)
    report(f"{parcels:,} titled parcels")
    return services


def _nib(client: int, count: int, parcels: int) -> str:
    return f"31740101{(client * 7919 + count) % parcels + 1:05d}"


def _app(services: Services, observe: bool) -> FastAPI:
    app = create_app(services=services)
    if not observe:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not Observe]
        app.state.read_log = SilentReadLog(services.registry.engine, 0)
    return app


# The code observing adds, timed where it runs (its share of a request, steadier than rates here).
_OBSERVING = [(Observe, "_record"), (Disclosure, "__call__"), (ReadLog, "flush")]


@contextmanager
def _timed() -> Iterator[dict[str, float]]:
    """CPU seconds spent in the observing code while the block runs, per function."""
    spent: dict[str, float] = {}
    originals = [(owner, name, getattr(owner, name)) for owner, name in _OBSERVING]

    def timing(key: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.thread_time()  # CPU of the calling thread: the flush's waits on the store are no cost
            try:
                return function(*args, **kwargs)
            finally:
                spent[key] = spent.get(key, 0.0) + time.thread_time() - began
        return timed

    for owner, name, function in originals:
        setattr(owner, name, timing(f"{owner.__name__}.{name}", function))
    try:
        yield spent
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)


@contextmanager
def _served(app: FastAPI) -> Iterator[int]:
    """uvicorn in a thread of this process, lifespan off (the services outlive each run)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield int(server.servers[0].sockets[0].getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(30)


def _measure(port: int, seconds: float, threads: int, plan: Plan) -> dict[str, float]:
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    began = cpu.ru_utime + cpu.ru_stime
    rate, p50, p99, errors = drive(port, seconds, threads, plan)
    if errors:
        raise RuntimeError(f"{errors} requests failed")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    spent = cpu.ru_utime + cpu.ru_stime - began
    return {"requests/s": rate, "p50 ms": p50, "p99 ms": p99,
            "cpu s per 1000 requests": spent / (rate * seconds) * 1000, "rss MB": _rss_mb()}


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
