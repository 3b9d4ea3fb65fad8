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
    page.get_by_label("Bearer token").fill(bearer)
    page.get_by_role("button", name="Sign in").click()
    if accepted:
        page.wait_for_selector("#signed-in:not([hidden])")


def search(page: Any, text: str) -> None:
    page.get_by_label("NIB, certificate, holder id or name, or village").fill(text)
    page.get_by_role("button", name="Search").click()


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
