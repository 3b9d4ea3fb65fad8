"""The API docs in headless Chromium with every other host blocked: Swagger UI and ReDoc load from
the service alone, list every operation, and Swagger UI's Authorize button takes a bearer token."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from tests.browser.conftest import VIEWPORT
from tests.browser.steps import playwright_expect, screenshot, token

expect = playwright_expect()


def operation_ids(app: FastAPI) -> set[str]:
    return {operation["operationId"] for methods in app.openapi()["paths"].values() for operation in methods.values()}


@pytest.fixture
def offline_tab(chromium: Any, served: str) -> Iterator[tuple[Any, list[str]]]:
    """A tab on the served app that may reach only the app's own origin; yields it and the
    addresses it tried to reach elsewhere (each refused)."""
    own = urlsplit(served).netloc
    elsewhere: list[str] = []

    def only_own(route: Any) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context = chromium.new_context(viewport=VIEWPORT, base_url=served)
    context.route("**/*", only_own)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab, elsewhere
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_swagger_ui_lists_every_operation_and_takes_a_token_offline(
        app: FastAPI, offline_tab: tuple[Any, list[str]]) -> None:
    tab, elsewhere = offline_tab
    tab.goto("/docs")
    expect(tab.locator(".opblock")).to_have_count(len(operation_ids(app)))
    shown = {block.split("-", 2)[2] for block in tab.locator(".opblock").evaluate_all("all => all.map(e => e.id)")}
    assert shown == operation_ids(app)
    expect(tab.get_by_text("Submit a survey (pengukuran)")).to_be_visible()
    tab.locator("button.authorize").first.click()
    tab.locator(".modal-ux input").fill(token(app, "auditor"))
    tab.locator(".modal-ux button.authorize").click()
    tab.locator(".modal-ux button.close-modal").click()

    verify = tab.locator("#operations-audit-audit_verify_v1_audit_verify_get")
    verify.locator(".opblock-summary").click()
    verify.get_by_role("button", name="Try it out").click()
    verify.get_by_role("button", name="Execute").click()
    answered = verify.locator(".live-responses-table tbody .response")
    expect(answered.locator(".response-col_status")).to_have_text("200")
    expect(answered).to_contain_text('"ok": true')
    screenshot(tab, "10-swagger-ui")
    assert elsewhere == []


def test_redoc_lists_every_operation_offline(app: FastAPI, offline_tab: tuple[Any, list[str]]) -> None:
    tab, elsewhere = offline_tab
    tab.goto("/redoc")
    # ReDoc renders the whole document before it shows anything: seconds on a busy 2-core machine.
    expect(tab.locator("[data-section-id^='tag/'] h2").first).to_be_visible(timeout=60_000)
    listed = tab.locator("li[role=menuitem][data-item-id*='/operation/']")
    expect(listed).to_have_count(len(operation_ids(app)))
    shown = {item.rsplit("/", 1)[1] for item in listed.evaluate_all("all => all.map(e => e.dataset.itemId)")}
    assert shown == operation_ids(app)
    expect(tab.get_by_role("heading", name="Transfer the right (peralihan hak)", exact=False)).to_be_visible()
    screenshot(tab, "11-redoc")
    assert elsewhere == []
