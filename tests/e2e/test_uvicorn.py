"""The real server path: uvicorn on a loopback port, spoken to over a socket with httpx2."""
from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI

from tests.e2e.calls import Headers, survey_body, title_body
from tests.support import serving


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The base URL of uvicorn serving the app on a free loopback port; stopped afterwards."""
    with serving(app) as url:
        yield url


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
