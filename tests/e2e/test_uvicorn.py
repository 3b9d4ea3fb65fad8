"""The real server path: uvicorn on a loopback port, spoken to over a socket with httpx2."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx2
import pytest
import uvicorn
from fastapi import FastAPI

from tests.e2e.calls import Headers, survey_body, title_body

STARTUP_WAIT_S = 30  # a bound on waiting, not an assertion about speed


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The base URL of uvicorn serving the app on a free loopback port; stopped afterwards."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-e2e", daemon=True)
    thread.start()
    waited = 0.0
    while not server.started and thread.is_alive() and waited < STARTUP_WAIT_S:
        time.sleep(0.02)
        waited += 0.02
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STARTUP_WAIT_S)
        assert not thread.is_alive(), "uvicorn did not stop"


def test_survey_title_and_read_back_through_a_real_server(served: str, surveyor: Headers, officer: Headers,
                                                          auditor: Headers) -> None:
    with httpx2.Client(base_url=served, timeout=30) as http:
        assert http.get("/health").json()["status"] == "ok"
        surveyed = http.post("/v1/parcels", json=survey_body(), headers=surveyor)
        assert surveyed.status_code == 201, surveyed.text
        nib = surveyed.json()["nib"]
        assert surveyed.headers["location"] == f"/v1/parcels/{nib}"

        titled = http.post(f"/v1/parcels/{nib}/title", json=title_body(), headers=officer)
        assert titled.status_code == 201, titled.text

        shown = http.get(surveyed.headers["location"], headers=auditor)
        assert shown.status_code == 200, shown.text
        assert shown.json()["id"] == nib
        assert shown.json()["properties"]["title"]["certificate_number"] == titled.json()["certificate_number"]
        assert shown.headers["etag"] == f'"{titled.json()["version"]}"'

        refused = http.post("/v1/parcels", content=b"{", headers={**surveyor, "Content-Type": "text/plain"})
        assert refused.status_code == 415
        assert refused.headers["content-type"].startswith("application/problem+json")
