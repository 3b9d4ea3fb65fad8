"""HTTP throughput: NIB reads and survey submissions against a real `landreg serve` on loopback.

    python -m benchmarks http --seconds 20

Starts the service in its own process on a fresh database, creates tokens, surveys the parcels
to read, then drives it from threads with keep-alive connections. /health is measured too: the
floor of the framework and server without any registry work.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from shapely.geometry import box

from spatial.crs import transform
from spatial.geometry import to_geojson

TM3, X0, Y0 = 23834, 233_000.0, 814_000.0
SURVEY = {"document_number": "GU-BENCH", "document_sha256": "f" * 64, "surveyed_on": "2025-01-02"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _square(index: int) -> dict[str, Any]:
    """A 20 m square in its own cell of a 1,000-wide grid: surveys never overlap."""
    x, y = X0 + (index % 1000) * 25, Y0 + (index // 1000) * 25
    return to_geojson(transform(box(x, y, x + 20, y + 20), TM3, 4326))


class Server:
    """`landreg serve` in a child process on a free port."""

    def __init__(self, url: str, workdir: Path, workers: int = 1, settings: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.workers = workers
        self.env = {**os.environ, "LANDREG_DATABASE_URL": url, **(settings or {})}
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def token(self, role: str) -> str:
        landreg = [sys.executable, "-m", "api.cli"]
        done = subprocess.run([*landreg, "tokens", "create", "--role", role, "--name", f"bench-{role}"],
                              env=self.env, cwd=self.workdir, capture_output=True, text=True, check=True)
        return done.stdout.strip().splitlines()[-1]

    def __enter__(self) -> Self:
        command = [sys.executable, "-m", "api.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)]
        self.process = subprocess.Popen(command, env=self.env, cwd=self.workdir, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        for _ in range(600):  # a loaded machine takes its time to import and build the services
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=1).request("GET", "/health")
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("landreg serve did not start")

    def __exit__(self, *_: object) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:  # a worker that never shut down: do not leave it serving
            self.process.kill()
            self.process.wait(10)


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except OSError:
        return False


def drive(port: int, seconds: float, threads: int,
          request: Callable[[int, int], tuple[str, str, bytes | None, dict[str, str]]],
          ) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) of `threads` keep-alive clients for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        count = 0
        while time.perf_counter() < stop:
            method, path, body, headers = request(number, count)
            start = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append((time.perf_counter() - start) * 1000)
            errors[0] += response.status >= 400
            count += 1

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / (time.perf_counter() - began), cuts[49], cuts[98], errors[0]


def run(url: str, workdir: Path, seconds: float = 20, threads: int = 8, parcels: int = 2_000,
        report: Callable[[str], None] = print, workers: int = 1) -> list[tuple[str, float, float, float, int]]:
    """Rows (name, requests/s, p50 ms, p99 ms, errors) for health, NIB reads and surveys."""
    with Server(url, workdir, workers) as server:
        surveyor = {"Authorization": f"Bearer {server.token('surveyor')}", "Content-Type": "application/json"}
        officer = {"Authorization": f"Bearer {server.token('officer')}"}
        setup = http.client.HTTPConnection("127.0.0.1", server.port)
        nibs = []
        for _ in range(600):  # every worker process has built its services before the first survey
            if _answers(server.port):
                break
            time.sleep(0.1)
        for index in range(parcels):
            body = json.dumps({"village_code": "31740101", "geometry": _square(index), "survey": SURVEY})
            setup.request("POST", "/v1/parcels", body=body, headers=surveyor)
            nibs.append(json.loads(setup.getresponse().read())["nib"])
        report(f"surveyed {parcels:,} parcels to read")
        counter = [parcels]
        lock = threading.Lock()

        def next_square() -> bytes:
            with lock:
                counter[0] += 1
                index = counter[0]
            return json.dumps({"village_code": "31740101", "geometry": _square(index), "survey": SURVEY}).encode()

        rows = []
        plans: list[tuple[str, Callable[[int, int], tuple[str, str, bytes | None, dict[str, str]]]]] = [
            ("GET /health", lambda n, i: ("GET", "/health", None, {})),
            ("GET /v1/parcels/{nib}", lambda n, i: ("GET", f"/v1/parcels/{nibs[(n * 7919 + i) % len(nibs)]}", None,
                                                    officer)),
            ("POST /v1/parcels (survey)", lambda n, i: ("POST", "/v1/parcels", next_square(), surveyor)),
        ]
        for name, plan in plans:
            rate, p50, p99, errors = drive(server.port, seconds, threads, plan)
            rows.append((name, rate, p50, p99, errors))
            report(f"{name}: {rate:,.0f} requests/s")
    return rows
