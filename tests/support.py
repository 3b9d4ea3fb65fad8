"""Shared test data: actors, documents, holders, a reading of everything the store holds, and the
service served on a loopback port (in a thread, or as a real `landreg serve` process)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
import sqlalchemy
from sqlalchemy import text

from registry.application.registry import Registry
from registry.domain import errors
from registry.domain.values import Actor
from tests.geometries import square

SURVEYOR = Actor("surveyor-1", "surveyor")
OFFICER = Actor("officer-1", "officer")
VILLAGE = "31740101"  # Kelurahan in Jakarta Selatan
LON, LAT = 106.80, -6.20

SURVEY = {"document_number": "GU-0001/2025", "document_sha256": "a" * 64, "surveyed_on": "2025-01-02"}
DEED = {"kind": "deed", "number": "AJB-17/2025", "date": "2025-02-01", "sha256": "b" * 64}
CONSENT = {"kind": "consent", "number": "BRI-SP-9/2025", "date": "2025-02-15", "sha256": "d" * 64}
COURT = {"kind": "court_order", "number": "PN-JKT-9/2025", "date": "2025-03-01", "sha256": "c" * 64}


def citizen(holder_id: str, share: str = "1/1", name: str | None = None) -> dict[str, str]:
    return {"id": holder_id, "name": name or f"Holder {holder_id}", "kind": "citizen", "share": share}


def foreigner(holder_id: str, share: str = "1/1") -> dict[str, str]:
    return {"id": holder_id, "name": f"Foreigner {holder_id}", "kind": "foreigner", "share": share}


def company(holder_id: str, share: str = "1/1") -> dict[str, str]:
    return {"id": holder_id, "name": f"PT {holder_id}", "kind": "legal_entity", "share": share}


def survey(registry: Registry, size_m: float = 100, lon: float = LON, lat: float = LAT) -> str:
    """Survey a square parcel and return its NIB."""
    return str(registry.submit_survey(VILLAGE, square(lon, lat, size_m), SURVEY, actor=SURVEYOR)["nib"])


def titled(registry: Registry, right_type: str = "HM", holders: list[dict[str, str]] | None = None,
           ends_on: str | None = None, **where: Any) -> str:
    """Survey a parcel, register a title on it, and return the NIB."""
    nib = survey(registry, **where)
    registry.register_title(nib, right_type, holders or [citizen("budi")], ends_on, DEED, actor=OFFICER)
    return nib


def store_state(registry: Registry) -> dict[str, Any]:
    """Everything a rejected command must leave untouched: events, snapshots, guard, serials, commands."""
    with registry.engine.connect() as connection:
        def rows(query: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in connection.execute(text(query)).all()]

        return {
            "events": rows("SELECT id, originator_version, topic FROM landreg_events ORDER BY id"),
            "snapshots": rows("SELECT originator_id, originator_version FROM landreg_snapshots ORDER BY 1, 2"),
            "footprints": rows("SELECT nib FROM landreg_footprints ORDER BY nib"),
            "counters": rows("SELECT scope, key, value FROM landreg_counters ORDER BY 1, 2"),
            "commands": rows("SELECT command_id FROM landreg_commands ORDER BY 1"),
        }


def assert_rejected(registry: Registry, error: type[errors.RegistryError], call: Callable[[], Any]) -> Any:
    """Run `call`, expect `error`, and prove the store is exactly as it was."""
    before = store_state(registry)
    with pytest.raises(error) as caught:
        call()
    assert store_state(registry) == before
    return caught.value


def event_count(registry: Registry) -> int:
    with registry.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM landreg_events")).scalar_one())


def table_names(registry: Registry) -> list[str]:
    return sqlalchemy.inspect(registry.engine).get_table_names()


def survey_in_another_process(settings: Any, geometry: dict[str, Any], start: Any) -> str:
    """Run in a child process: open the registry with `settings`, wait for the start signal, survey.

    Returns 'accepted', or the name of the error class that refused the survey.
    """
    from datetime import date

    from registry.domain.errors import RegistryError

    registry = Registry(settings, clock=lambda: date(2026, 6, 1))
    start.wait()
    try:
        registry.submit_survey(VILLAGE, geometry, SURVEY, actor=SURVEYOR)
        return "accepted"
    except RegistryError as error:
        return type(error).__name__
    finally:
        registry.close()
        registry.engine.dispose()


@contextmanager
def serving(app: Any, wait_s: float = 30) -> Iterator[str]:
    """uvicorn serving `app` on a free loopback port in a thread: yields the base URL, then stops it.
    `wait_s` bounds the waiting; it is not an assertion about speed."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + wait_s
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(wait_s)
        assert not thread.is_alive(), "uvicorn did not stop"


LANDREG = Path(sys.prefix) / "bin" / "landreg"
WAIT_S = 60  # bounds the waiting for start and stop; asserts no speed


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
