"""Every GeoJSON the /v1 API answers is RFC 7946 (application/geo+json, 7 decimals, right-hand
rings, bbox); listings page by `links` as well as `next_cursor`, clamp `limit`, and a village
listing takes a `status`."""
from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.e2e.calls import Headers, assert_problem
from tests.geometries import square
from tests.gis_village import BUDI, Village, mapped_village
from tests.rfc7946 import assert_geojson_response
from tests.support import LAT, LON, VILLAGE


@pytest.fixture
def village(services: Services) -> Village:
    return mapped_village(services.registry)


def test_every_geojson_answer_passes_the_rfc_7946_check(client: TestClient, officer: Headers,
                                                        services: Services, village: Village) -> None:
    number = services.queries.parcel(village.titled)["title"]["certificate_number"]  # type: ignore[index]
    surveyed = services.queries.parcel(village.with_hole)["position"]  # type: ignore[index]
    box = f"{LON - 0.001},{LAT - 0.001},{LON + 0.02},{LAT + 0.02}"
    for path in (f"/v1/parcels/{village.with_hole}", f"/v1/parcels/{village.with_hole}?version={surveyed}",
                 f"/v1/parcels/{village.titled}?as_of=2100-01-01", f"/v1/certificates/{number}",
                 f"/v1/parcels?holder={BUDI['id']}", "/v1/parcels?holder_name=budi",
                 f"/v1/parcels?village={VILLAGE}", f"/v1/parcels?bbox={box}"):
        assert_geojson_response(client.get(path, headers=officer))
    found = client.post("/v1/parcels/search", json={"geometry": square(LON, LAT, 300)}, headers=officer)
    assert len(assert_geojson_response(found)["features"]) >= 3


def test_listings_page_by_next_links_and_clamp_the_limit(client: TestClient, officer: Headers,
                                                         village: Village) -> None:
    seen: list[str] = []
    url: str | None = f"/v1/parcels?village={VILLAGE}&limit=6"
    while url:
        page = assert_geojson_response(client.get(url, headers=officer))
        seen += [f["id"] for f in page["features"]]
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        assert bool(following) == (page["next_cursor"] is not None)
        url = following[0] if following else None
    assert seen == village.active
    everything = assert_geojson_response(client.get(f"/v1/parcels?village={VILLAGE}&limit=1000000", headers=officer))
    assert [f["id"] for f in everything["features"]] == village.active


@pytest.mark.parametrize(("status", "expected"), [("active", "active"), ("retired", "retired"), ("all", "both")])
def test_a_village_listing_filters_by_status(client: TestClient, officer: Headers, village: Village,
                                             status: str, expected: str) -> None:
    page = assert_geojson_response(client.get(f"/v1/parcels?village={VILLAGE}&status={status}", headers=officer))
    nibs = [f["id"] for f in page["features"]]
    wanted = {"active": village.active, "retired": [village.retired],
              "both": sorted([*village.active, village.retired])}[expected]
    assert nibs == wanted


def test_a_village_listing_is_of_active_parcels_unless_asked(client: TestClient, officer: Headers,
                                                             village: Village) -> None:
    page: dict[str, Any] = client.get(f"/v1/parcels?village={VILLAGE}", headers=officer).json()
    assert {f["properties"]["status"] for f in page["features"]} == {"active"}
    assert_problem(client.get(f"/v1/parcels?village={VILLAGE}&status=gone", headers=officer), 422)
