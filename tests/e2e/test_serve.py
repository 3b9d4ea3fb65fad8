"""`landreg serve` for production, run as a real process on a loopback port (SQLite): behind a
proxy's root path the docs and the edge follow it, forwarded client addresses from a trusted proxy
are the ones rate-limited. (--workers is tested with the logs, tests/e2e/test_logs.py.)"""
from __future__ import annotations

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
