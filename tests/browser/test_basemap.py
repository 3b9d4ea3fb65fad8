"""The optional basemap (LANDREG_BASEMAP_URL): tiles come from the configured XYZ server, allowed by the page's
content policy, and can be switched off; an unreachable basemap leaves the parcels on the map and says so."""
from __future__ import annotations

import struct
import urllib.request
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api import demo
from api.app import create_app
from api.bootstrap import Services
from tests.browser.steps import playwright_expect, screenshot, search, sign_in, token
from tests.support import free_port, serving

expect = playwright_expect()


def png(rgb: tuple[int, int, int]) -> bytes:
    """A one-pixel PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(rgb)))
            + chunk(b"IEND", b""))


@pytest.fixture
def tiles() -> Iterator[tuple[str, list[str]]]:
    """A tile server on loopback: its URL and the tile paths it was asked for."""
    asked: list[str] = []

    def tile(request: Request) -> Response:
        asked.append(request.url.path)
        return Response(png((200, 230, 200)), media_type="image/png")

    with serving(Starlette(routes=[Route("/tiles/{z}/{x}/{y}.png", tile)])) as url:
        yield url, asked


@pytest.fixture
def basemap(request: pytest.FixtureRequest, tiles: tuple[str, list[str]]) -> str:
    """The basemap URL of the test: the tile server above, or a port where nothing answers."""
    base = tiles[0] if request.param == "served" else f"http://127.0.0.1:{free_port()}"
    return f"{base}/tiles/{{z}}/{{x}}/{{y}}.png"


@pytest.fixture
def app(services: Services, basemap: str) -> FastAPI:
    services.settings.basemap_url = basemap
    services.settings.basemap_attribution = "Ortofoto desa (uji)"
    return create_app(services=services)


@pytest.mark.parametrize("basemap", ["served"], indirect=True)
def test_the_basemap_is_drawn_under_the_parcels_and_can_be_switched_off(
        services: Services, app: FastAPI, page: Any, served: str, tiles: tuple[str, list[str]], basemap: str) -> None:
    with urllib.request.urlopen(f"{served}/") as answer:
        policy = answer.headers["Content-Security-Policy"]
    assert f"img-src 'self' data: blob: {tiles[0]};" in policy  # the tiles' origin, and only for images
    demo.run(services.registry)
    sign_in(page, token(app, "officer"))
    search(page, demo.VILLAGE)
    expect(page.locator("#map")).to_have_attribute("data-draw-count", "30")
    expect(page.locator("#basemap-control")).to_be_visible()
    expect(page.locator(".ol-attribution")).to_contain_text("Ortofoto desa (uji)")
    expect(page.locator("#basemap-status")).to_be_hidden()
    assert tiles[1], "no tile was asked for"
    assert all(path.count("/") == 4 for path in tiles[1])  # /tiles/z/x/y.png
    screenshot(page, "15-basemap")
    page.get_by_label("Peta dasar").uncheck()
    assert page.evaluate("() => landreg.map.basemap.getVisible()") is False


@pytest.mark.parametrize("basemap", ["unreachable"], indirect=True)
def test_an_unreachable_basemap_leaves_the_parcels_and_says_so(services: Services, app: FastAPI, page: Any) -> None:
    demo.run(services.registry)
    sign_in(page, token(app, "officer"))
    search(page, demo.VILLAGE)
    expect(page.locator("#map")).to_have_attribute("data-draw-count", "30")
    expect(page.locator("#basemap-status")).to_contain_text("Peta dasar tidak dapat dimuat")
    expect(page.locator("#results li")).to_have_count(30)
