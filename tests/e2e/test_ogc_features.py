"""OGC API - Features at /ogc on every backend: the documents a client reads first, the `parcels`
items with limit, bbox and keyset paging, one feature by NIB, refusals, and RFC 7946 throughout."""
from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.e2e.calls import Headers, assert_problem
from tests.gis_village import Village, mapped_village
from tests.rfc7946 import assert_geojson_response
from tests.support import LAT, LON

ITEMS = "/ogc/collections/parcels/items"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"


@pytest.fixture
def village(services: Services) -> Village:
    return mapped_village(services.registry)


def link(document: dict[str, Any], rel: str) -> dict[str, str] | None:
    return next((item for item in document["links"] if item["rel"] == rel), None)


def all_pages(client: TestClient, headers: Headers, url: str) -> list[dict[str, Any]]:
    """Every page from `url` on, following `next` links; each page checked against RFC 7946."""
    pages = []
    while url:
        pages.append(assert_geojson_response(client.get(url, headers=headers)))
        following = link(pages[-1], "next")
        url = following["href"] if following else ""
        assert len(pages) < 100, "the next links never end"
    return pages


def test_landing_page_conformance_and_collection_lead_a_client_to_the_items(
        client: TestClient, officer: Headers) -> None:
    landing = client.get("/ogc", headers=officer)
    assert landing.status_code == 200 and landing.headers["content-type"] == "application/json"
    rels = {item["rel"]: item for item in landing.json()["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= rels.keys()
    assert client.get(rels["service-desc"]["href"]).json()["paths"]
    conformance = client.get(rels["conformance"]["href"], headers=officer).json()
    assert {CORE, GEOJSON} <= set(conformance["conformsTo"])
    collections = client.get(rels["data"]["href"], headers=officer).json()
    assert [c["id"] for c in collections["collections"]] == ["parcels"]
    parcels = client.get("/ogc/collections/parcels", headers=officer).json()
    assert parcels["itemType"] == "feature"
    assert parcels["extent"]["spatial"]["crs"].endswith("/CRS84")
    items = link(parcels, "items")
    assert items is not None and items["type"] == "application/geo+json" and items["href"].endswith(ITEMS)
    assert client.get("/ogc/", headers=officer).json() == landing.json()


def test_paging_by_next_links_returns_every_active_parcel_once(
        client: TestClient, officer: Headers, village: Village) -> None:
    pages = all_pages(client, officer, f"{ITEMS}?limit=4")
    assert [p["numberReturned"] for p in pages] == [4, 4, 4, 3]
    assert all(p["numberMatched"] == len(village.active) for p in pages)
    assert [f["id"] for p in pages for f in p["features"]] == village.active
    assert village.retired not in [f["id"] for p in pages for f in p["features"]]
    assert all(link(p, "self") and link(p, "collection") for p in pages)


def test_features_carry_flat_properties_a_gis_table_shows(
        client: TestClient, officer: Headers, village: Village) -> None:
    shown = {f["id"]: f["properties"] for f in client.get(ITEMS, headers=officer).json()["features"]}
    titled = shown[village.titled]
    assert titled["holders"] == "Budi Santoso (1/2); Sari Dewi (1/2)"
    assert (titled["right_type"], titled["edition"], titled["status"]) == ("HM", 1, "active")
    assert len(titled["certificate_number"]) == 14 and titled["village_code"] == village.titled[:8]
    assert abs(titled["area_m2"] - 2_500) < 0.01
    assert (titled["has_mortgage"], titled["is_blocked"]) == (False, False)
    burdened = shown[village.mortgaged_and_blocked]
    assert (burdened["has_mortgage"], burdened["is_blocked"]) == (True, True)
    for properties in shown.values():
        assert all(value is None or isinstance(value, str | int | float | bool) for value in properties.values())
    untitled = shown[village.with_hole]
    assert untitled["right_type"] is None and untitled["holders"] is None


def test_a_parcel_surveyed_clockwise_is_served_by_the_right_hand_rule(
        client: TestClient, officer: Headers, village: Village) -> None:
    feature = assert_geojson_response(client.get(f"{ITEMS}/{village.with_hole}", headers=officer))
    assert len(feature["geometry"]["coordinates"]) == 2  # the exterior and its hole, both checked


def test_bbox_selects_the_parcels_it_meets_and_pages_too(
        client: TestClient, officer: Headers, village: Village) -> None:
    # The first four parcels of the row (0.001 degrees apart, 50 m wide), nothing north of it.
    box = f"{LON - 0.0001},{LAT - 0.0001},{LON + 0.0031},{LAT + 0.0001}"
    pages = all_pages(client, officer, f"{ITEMS}?bbox={box}&limit=3")
    assert [f["id"] for p in pages for f in p["features"]] == village.active[:4]
    assert "numberMatched" not in pages[0] and pages[0]["numberReturned"] == 3
    assert all("bbox=" in link(p, "self")["href"] for p in pages)  # type: ignore[index]
    with_heights = client.get(ITEMS,
                              params={"bbox": f"{LON - 0.0001},{LAT - 0.0001},0,{LON + 0.0031},{LAT + 0.0001},9"},
                              headers=officer)
    assert [f["id"] for f in assert_geojson_response(with_heights)["features"]] == village.active[:4]
    elsewhere = assert_geojson_response(client.get(ITEMS, params={"bbox": "120,-5,121,-4"}, headers=officer))
    assert elsewhere["features"] == [] and elsewhere["numberReturned"] == 0 and link(elsewhere, "next") is None


def test_a_limit_above_the_maximum_is_clamped_not_refused(
        client: TestClient, officer: Headers, village: Village) -> None:
    page = assert_geojson_response(client.get(ITEMS, params={"limit": 10**9}, headers=officer))
    assert page["numberReturned"] == len(village.active) and link(page, "next") is None


def test_one_feature_by_its_nib_and_a_retired_one_is_not_in_the_collection(
        client: TestClient, officer: Headers, village: Village) -> None:
    answer = client.get(f"{ITEMS}/{village.titled}", headers=officer)
    feature = assert_geojson_response(answer)
    assert feature["id"] == village.titled and feature["properties"]["nib"] == village.titled
    assert link(feature, "collection") is not None and answer.headers["etag"]
    assert_problem(client.get(f"{ITEMS}/{village.retired}", headers=officer), 404)
    assert_problem(client.get(f"{ITEMS}/0000000000000", headers=officer), 404)


@pytest.mark.parametrize("query", ["limit=0", "limit=ten", "bbox=1,2,3", "bbox=0,0,1,nan", "bbox=0,10,1,5",
                                   "bbox=0,0,200,1", "colour=red", "f=html", "bbox-crs=EPSG:4326"])
def test_unfit_parameters_are_refused_with_400(client: TestClient, officer: Headers, village: Village,
                                               query: str) -> None:
    assert_problem(client.get(f"{ITEMS}?{query}", headers=officer), 400, "invalid_parameter")


def test_datetime_is_refused_with_where_to_read_by_legal_date(client: TestClient, officer: Headers,
                                                             village: Village) -> None:
    body = assert_problem(client.get(f"{ITEMS}?datetime=2000-01-01", headers=officer), 400, "invalid_parameter")
    assert "effective_on=" in body["detail"]


def test_the_ogc_api_takes_the_same_tokens_and_roles_as_other_reads(
        client: TestClient, surveyor: Headers, auditor: Headers, village: Village) -> None:
    for path in ("/ogc", "/ogc/collections", ITEMS, f"{ITEMS}/{village.titled}"):
        assert_problem(client.get(path), 401)
        assert_problem(client.get(path, headers=surveyor), 403)
        assert client.get(path, headers=auditor).status_code == 200
    assert_problem(client.get("/ogc/collections/villages", headers=auditor), 404)
