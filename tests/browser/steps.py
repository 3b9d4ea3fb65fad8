"""Steps a land officer takes on the page, shared by the browser tests; screenshots go to screenshots/."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

SCREENSHOTS = Path(__file__).parent / "screenshots"


def playwright_expect() -> Any:
    """Playwright's `expect`; without the package the module is skipped (failed under LANDREG_REQUIRE_BROWSER)."""
    try:
        from playwright.sync_api import expect
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[dev]')"
        if os.environ.get("LANDREG_REQUIRE_BROWSER", "") not in ("", "0"):
            pytest.fail(f"LANDREG_REQUIRE_BROWSER is set but {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}", allow_module_level=True)
    return expect


def token(app: FastAPI, role: str) -> str:
    return str(app.state.tokens.create(f"{role}-browser", role))


def sign_in(page: Any, bearer: str, accepted: bool = True) -> None:
    """Sign in on the page as it opens, in Bahasa Indonesia (its default language)."""
    page.get_by_label("Token akses").fill(bearer)
    page.get_by_role("button", name="Masuk", exact=True).click()
    if accepted:
        page.wait_for_selector("#signed-in:not([hidden])")


def search(page: Any, text: str) -> None:
    page.get_by_label("NIB, sertipikat, identitas atau nama pemegang, atau desa").fill(text)
    page.get_by_role("button", name="Cari", exact=True).click()


def map_view(page: Any) -> dict[str, float]:
    """The map's centre (Web Mercator metres) and ground metres a pixel, read from OpenLayers."""
    return dict(page.evaluate("""() => { const view = landreg.map.map.getView(); const [x, y] = view.getCenter();
        return { x, y, resolution: landreg.map.groundResolution() }; }"""))


def drawn(page: Any, layer: str) -> list[dict[str, Any]]:
    """The parcels drawn on a layer of the map: NIB and what they look like (status, right, flag)."""
    return list(page.evaluate("""(layer) => landreg.map.layers[layer].getSource().getFeatures()
        .map((f) => ({ nib: String(f.getId()), ...f.get("look"), past: Boolean(f.getStyle()) }))""", layer))


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
