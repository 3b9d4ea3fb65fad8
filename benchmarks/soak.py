"""A soak over HTTP: `landreg serve` on PostgreSQL under a mixed load for minutes on end (70% NIB
reads, 20% a survey and its title, 10% transfers), with errors, latencies per kind and the
server's memory sampled every 10 s.

    python -m benchmarks soak --minutes 30 --clients 32
"""
from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.http_load import SURVEY, Server, _square

DEED = {"kind": "deed", "number": "AJB-SOAK", "date": "2025-02-01", "sha256": "d" * 64}
SAMPLE_S = 10.0


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (the worker processes), from /proc."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


class Client:
    """One keep-alive client: each step it draws a read, a survey with its title, or a transfer."""

    def __init__(self, port: int, surveyor: dict[str, str], officer: dict[str, str], seed: int,
                 squares: Callable[[], int]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.surveyor, self.officer = surveyor, officer
        self.rng = random.Random(seed)
        self.squares = squares
        self.titled: list[str] = []

    def call(self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]) -> tuple[int, Any]:
        self.connection.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read() or b"null")

    def step(self, nibs: list[str]) -> list[tuple[str, float, bool]]:
        """(kind, ms, failed) of what this step sent."""
        draw = self.rng.random()
        if draw < 0.7 or (draw >= 0.9 and not self.titled):
            return [self._timed("read", "GET", f"/v1/parcels/{self.rng.choice(nibs)}", None, self.officer)]
        if draw < 0.9:
            body = {"village_code": "31740101", "geometry": _square(self.squares()), "survey": SURVEY}
            survey = self._timed("survey", "POST", "/v1/parcels", body, self.surveyor)
            holder = {"id": f"31{self.rng.randrange(10**14):014d}", "name": "Warga Soak", "kind": "citizen",
                      "share": "1/1"}
            title = self._timed("title", "POST", f"/v1/parcels/{self.last}/title",
                                {"right_type": "HM", "holders": [holder], "ends_on": None, "source": DEED},
                                self.officer)
            self.titled.append(self.last)
            return [survey, title]
        nib = self.rng.choice(self.titled)
        buyer = {"id": f"32{self.rng.randrange(10**14):014d}", "name": "Pembeli Soak", "kind": "citizen",
                 "share": "1/1"}
        return [self._timed("transfer", "POST", f"/v1/parcels/{nib}/transfers",
                            {"kind": "sale", "to": [buyer], "effective_at": "2025-03-01", "source": DEED},
                            self.officer)]

    def _timed(self, kind: str, method: str, path: str, body: dict[str, Any] | None,
               headers: dict[str, str]) -> tuple[str, float, bool]:
        start = time.perf_counter()
        status, answer = self.call(method, path, body, {**headers, "Content-Type": "application/json"})
        if kind == "survey" and status == 201:
            self.last = answer["nib"]
        return kind, (time.perf_counter() - start) * 1000, status >= 400



def run(url: str, workdir: Path, minutes: float, clients: int, workers: int,
        report: Callable[[str], None] = print) -> dict[str, Any]:
    """The soak's figures: counts, errors and p50/p99 per kind, and the server's memory samples."""
    # Titles straight after their survey, as a migration period registers them (no announcement).
    with Server(url, workdir, workers, {"LANDREG_FIRST_REGISTRATION_ANNOUNCEMENT": "off"}) as server:
        assert server.process is not None
        surveyor = {"Authorization": f"Bearer {server.token('surveyor')}"}
        officer = {"Authorization": f"Bearer {server.token('officer')}"}
        lock, counter = threading.Lock(), [0]

        def next_square() -> int:
            with lock:
                counter[0] += 1
                return counter[0]

        seeding = Client(server.port, surveyor, officer, 0, next_square)
        nibs = [seeding.call("POST", "/v1/parcels", {"village_code": "31740101", "geometry": _square(next_square()),
                                                     "survey": SURVEY},
                             {**surveyor, "Content-Type": "application/json"})[1]["nib"]
                for _ in range(200)]
        report(f"seeded {len(nibs)} parcels to read; soaking {minutes} min with {clients} clients")
        results: list[tuple[str, float, bool]] = []
        memory: list[tuple[float, int]] = []
        stop = time.monotonic() + minutes * 60

        def client(number: int) -> None:
            mine = Client(server.port, surveyor, officer, number + 1, next_square)
            while time.monotonic() < stop:
                steps = mine.step(nibs)
                with lock:
                    results.extend(steps)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        while time.monotonic() < stop:
            memory.append((time.monotonic() - began, rss_bytes(server.process.pid)))
            report(f"{memory[-1][0]:5.0f} s: {len(results):,} requests, server {memory[-1][1] / 2**20:,.0f} MB")
            time.sleep(min(SAMPLE_S, max(0.0, stop - time.monotonic())))
        for thread in threads:
            thread.join()
        memory.append((time.monotonic() - began, rss_bytes(server.process.pid)))
    return summary(results, memory, time.monotonic() - began)


def summary(results: list[tuple[str, float, bool]], memory: list[tuple[float, int]], seconds: float) -> dict[str, Any]:
    """Per kind: count, errors, p50 and p99 in ms; memory at start, after 5 minutes and at the end."""
    kinds: dict[str, Any] = {}
    for kind in sorted({r[0] for r in results}):
        took = sorted(r[1] for r in results if r[0] == kind)
        kinds[kind] = {"count": len(took), "errors": sum(1 for r in results if r[0] == kind and r[2]),
                       "p50_ms": took[len(took) // 2], "p99_ms": took[min(len(took) - 1, int(len(took) * 0.99))]}
    after_five = next((m for t, m in memory if t >= 300), None)
    return {"seconds": seconds, "requests": len(results), "errors": sum(1 for r in results if r[2]), "kinds": kinds,
            "memory_bytes": {"first": memory[0][1], "after_5_min": after_five, "last": memory[-1][1]},
            "memory_samples": memory}
