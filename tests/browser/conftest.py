"""Fixtures of the browser tests: the service under uvicorn on SQLite, headless Debian Chromium at 1366x768.

Without /usr/bin/chromium (or the playwright package) the tests are skipped with the reason;
LANDREG_REQUIRE_BROWSER=1 (set by .ci/run) turns that skip into a failure.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from api.app import create_app
from api.bootstrap import Services
from tests.support import serving

CHROMIUM = Path(os.environ.get("LANDREG_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("LANDREG_REQUIRE_BROWSER", "") not in ("", "0")
VIEWPORT = {"width": 1366, "height": 768}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"LANDREG_REQUIRE_BROWSER is set but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture
def backend() -> str:
    """The browser tests run on SQLite only: the page does not depend on the store."""
    return "sqlite"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright, one for the whole run."""
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app(services: Services) -> FastAPI:
    return create_app(services=services)


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The base URL of uvicorn serving the app (API and page) on a free loopback port."""
    with serving(app) as url:
        yield url


@pytest.fixture
def page(chromium: Any, served: str) -> Iterator[Any]:
    """A fresh tab (own session storage) at 1366x768 on the land office page; page errors fail the test."""
    context = chromium.new_context(viewport=VIEWPORT, base_url=served)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto("/")
    tab.wait_for_selector("body[data-ready=true]")
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
