"""`landreg serve` for production, run as a real process on a loopback port (SQLite): behind a
proxy's root path the docs and the edge follow it, forwarded client addresses from a trusted proxy
are the ones rate-limited, and two workers share one rate limit. (Their logs: tests/e2e/test_logs.py.)"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from tests.support import landreg_serve


@pytest.fixture
def backend() -> str:
    """SQLite only: serving does not depend on the store."""
    return "sqlite"


def test_behind_a_proxy_root_path_and_forwarded_addresses_are_honoured(tmp_path: Path) -> None:
    with landreg_serve(tmp_path, "--root-path", "/landreg", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1",
                       public_rate_per_minute="1", public_rate_burst="1") as (client, _):
        docs = client.get("/docs").text
        assert "/landreg/openapi.json" in docs and "/landreg/docs-assets/swagger-ui-bundle.js" in docs
        assert client.get("/openapi.json").json()["servers"] == [{"url": "/landreg"}]

        def check(address: str) -> httpx2.Response:
            return client.get("/v1/public/certificates/31740101100001", headers={"X-Forwarded-For": address})

        first = check("203.0.113.7")
        assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
        assert check("203.0.113.7").status_code == 429  # the same client behind the proxy
        assert check("203.0.113.8").status_code == 200  # another client behind the same proxy


def test_the_workers_share_one_public_rate_limit(tmp_path: Path) -> None:
    """Rounds of concurrent requests, each on a connection of its own, until both workers have
    answered some: the burst is the client's in all, not per worker."""
    def ask(_: int) -> int:
        with httpx2.Client(base_url=base, timeout=10) as alone:
            return alone.get("/v1/public/certificates/31740101100001").status_code

    with landreg_serve(tmp_path, "--workers", "2", log_format="json", public_rate_per_minute="1",
                       public_rate_burst="4") as (client, lines):
        base, statuses = str(client.base_url), list[int]()
        log = tmp_path / "serve.log"
        deadline = time.monotonic() + 60
        while log.read_text().count("Application startup complete") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # both workers listening
        with ThreadPoolExecutor(8) as pool:
            for _ in range(20):
                statuses += pool.map(ask, range(16))
                if len(_public_pids(log.read_text().splitlines())) == 2:
                    break
    assert len(_public_pids(lines)) == 2, "every request reached one worker: the test proves nothing"
    assert statuses.count(200) == 4 and set(statuses) == {200, 429}, statuses


def _public_pids(lines: list[str]) -> set[int]:
    records = [json.loads(line) for line in lines if line.startswith("{")]
    return {r["pid"] for r in records if r.get("route", "").startswith("/v1/public/")}
