"""`landreg serve` for production, run as a real process on a loopback port (SQLite): behind a
proxy's root path the docs and the edge follow it, forwarded client addresses from a trusted proxy
are the ones rate-limited, and --workers starts that many processes."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

LANDREG = Path(sys.prefix) / "bin" / "landreg"
WAIT_S = 60  # bounds the waiting for start and stop; asserts no speed


@pytest.fixture
def backend() -> str:
    """SQLite only: serving does not depend on the store."""
    return "sqlite"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def landreg_serve(folder: Path, *options: str, **settings: str) -> Iterator[tuple[httpx2.Client, list[str]]]:
    """`landreg serve OPTIONS` in `folder` with LANDREG_* `settings`: a client for it once /health
    answers, and (after it stopped) the lines it wrote to stderr."""
    if not LANDREG.exists():
        pytest.skip(f"needs {LANDREG} (the project's venv)")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANDREG_")}
    env.update({f"LANDREG_{name.upper()}": value for name, value in settings.items()})
    log = folder / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen([LANDREG, "serve", "--port", str(port), *options], cwd=folder, env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)
    lines: list[str] = []
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + WAIT_S
            while not _answers(client) and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.1)
            assert process.poll() is None, log.read_text()
            yield client, lines
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(WAIT_S)
        lines += log.read_text().splitlines()


def _answers(client: httpx2.Client) -> bool:
    try:
        return client.get("/health").status_code == 200
    except httpx2.TransportError:
        return False


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


def test_workers_start_that_many_processes(tmp_path: Path) -> None:
    with landreg_serve(tmp_path, "--workers", "2") as (client, lines):
        assert client.get("/health").json()["status"] == "ok"
    started = [line for line in lines if "Started server process" in line]
    assert len(started) >= 2, lines  # the workers (and the supervisor on some uvicorn versions)
    assert any("2 worker(s)" in line for line in lines), lines
