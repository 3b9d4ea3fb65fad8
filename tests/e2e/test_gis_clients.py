"""Real GIS clients against the app served on a loopback port, on every backend: OWSLib's OGC API
Features client and GDAL's OAPIF driver (through pyogrio) read `parcels` with a bbox, page through
all of it, and fetch one parcel, with the bearer token of an officer."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from fastapi import FastAPI

from api.bootstrap import Services
from tests.gdal_child import in_child
from tests.gis_village import Village, mapped_village
from tests.rfc7946 import assert_rfc7946
from tests.support import LAT, LON, serving

owslib_features = pytest.importorskip("owslib.ogcapi.features")
FIRST_FOUR = (LON - 0.0001, LAT - 0.0001, LON + 0.0031, LAT + 0.0001)  # the first four parcels of the row


class Recorder:
    """ASGI wrapper that remembers the path and query of every HTTP request."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.requests: list[tuple[str, dict[str, list[str]]]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests.append((scope["path"], parse_qs(scope["query_string"].decode())))
        await self.app(scope, receive, send)

    def items_queries(self) -> list[dict[str, list[str]]]:
        return [query for path, query in self.requests if path.endswith("/items")]


@pytest.fixture
def village(services: Services) -> Village:
    return mapped_village(services.registry)


@pytest.fixture
def recorder(app: FastAPI) -> Recorder:
    return Recorder(app)


@pytest.fixture
def served(recorder: Recorder, village: Village) -> Iterator[str]:
    with serving(recorder) as url:
        yield url


@pytest.fixture
def token(app: FastAPI) -> str:
    return str(app.state.tokens.create("qgis-user", "officer"))


@pytest.fixture
def owslib(monkeypatch: pytest.MonkeyPatch) -> Any:
    """OWSLib's Features class, its module-wide request headers kept to this test."""
    import owslib.ogcapi

    monkeypatch.setattr(owslib.ogcapi, "REQUEST_HEADERS", dict(owslib.ogcapi.REQUEST_HEADERS))
    return owslib_features.Features


def cursor_of(page: dict[str, Any]) -> str | None:
    following = [link["href"] for link in page["links"] if link["rel"] == "next"]
    return parse_qs(urlsplit(following[0]).query)["cursor"][0] if following else None


def test_owslib_reads_a_bbox_pages_through_everything_and_fetches_one(
        served: str, token: str, village: Village, owslib: Any) -> None:
    api = owslib(f"{served}/ogc", headers={"Authorization": f"Bearer {token}"})
    assert api.feature_collections() == ["parcels"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in api.conformance()["conformsTo"]
    boxed = api.collection_items("parcels", bbox=list(FIRST_FOUR), limit=10)
    assert [f["id"] for f in boxed["features"]] == village.active[:4]
    seen, cursor = [], ""
    while cursor is not None:
        page = api.collection_items("parcels", limit=4, cursor=cursor)
        assert_rfc7946(page)
        seen += [f["id"] for f in page["features"]]
        cursor = cursor_of(page)
    assert seen == village.active
    one = api.collection_item("parcels", village.titled)
    assert one["id"] == village.titled and one["properties"]["holders"] == "Budi Santoso (1/2); Sari Dewi (1/2)"


def test_gdal_reads_the_layer_through_every_page_with_the_bearer_token(
        served: str, token: str, village: Village, services: Services, recorder: Recorder) -> None:
    read = in_child(served, token, PAGE_SIZE="4")
    assert read["layers"] == ["parcels"] and "CRS84" in read["crs"]
    assert [row["nib"] for row in read["rows"]] == village.active
    assert sum(1 for query in recorder.items_queries() if "cursor" in query) >= 3  # 15 parcels, 4 a page
    titled = next(row for row in read["rows"] if row["nib"] == village.titled)
    assert titled["holders"] == "Budi Santoso (1/2); Sari Dewi (1/2)" and titled["right_type"] == "HM"
    stored = shapely.from_wkb(services.queries.parcel(village.titled)["wgs84"])  # type: ignore[index]
    drawn = shapely.from_wkb(read["wkb"][read["rows"].index(titled)])
    assert shapely.hausdorff_distance(drawn, stored) <= 1e-7  # rounded to 7 decimals, nothing more


def test_gdal_reads_a_bbox_and_one_parcel(served: str, token: str, village: Village, recorder: Recorder) -> None:
    boxed = in_child(served, token, bbox=FIRST_FOUR)
    assert [row["nib"] for row in boxed["rows"]] == village.active[:4]
    assert any("bbox" in query for query in recorder.items_queries())  # the box went to the server
    one = in_child(served, token, where=f"nib = '{village.with_hole}'")
    assert [row["nib"] for row in one["rows"]] == [village.with_hole]
    assert len(shapely.from_wkb(one["wkb"][0]).interiors) == 1
