"""The land office page in headless Chromium: sign in, find a parcel, see it drawn, go back in time, audit."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api import demo
from api.bootstrap import Services
from tests.browser.steps import (
    drawn,
    map_view,
    playwright_expect,
    screenshot,
    search,
    sign_in,
    token,
)
from tests.geometries import grid_squares
from tests.support import DEED, LAT, LON, OFFICER, titled

expect = playwright_expect()

SOLD = f"{demo.VILLAGE}00001"  # the demo's first parcel: titled to Asep Sunandar, sold to Euis Komariah
FIRST_HOLDER, BUYER = "Asep Sunandar", "Euis Komariah"


def test_officer_finds_a_parcel_on_the_map_and_sees_its_holders_before_the_sale(
        services: Services, app: FastAPI, page: Any) -> None:
    demo.run(services.registry)
    expect(page.locator("#token-help")).to_contain_text("landreg tokens create")  # how to get a token
    sign_in(page, token(app, "officer"))
    expect(page.locator("#who")).to_contain_text("Masuk")
    screenshot(page, "01-signed-in")

    search(page, SOLD)
    # it and the 24 parcels within 150 m of it (neighbours come from /ogc/collections/parcels/items?bbox=)
    expect(page.locator("#map")).to_have_attribute("data-draw-count", "25")
    assert [f["nib"] for f in drawn(page, "selected")] == [SOLD]
    card = page.locator("#card")
    expect(card).to_contain_text(BUYER)
    expect(page.locator("#card-facts")).to_contain_text("1.600 m²")
    expect(page.locator("#card-facts")).to_contain_text("HGB")
    expect(page.locator("#card-announcement")).to_contain_text("sporadik")  # announced before its title
    screenshot(page, "02-parcel-on-map")

    page.get_by_role("tab", name="Riwayat").click()
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(5)  # survey, announcement, title (parcel and title), sale
    expect(timeline.nth(1)).to_contain_text("Pengumuman")
    expect(timeline.last).to_contain_text("peralihan")
    expect(timeline.last).to_contain_text("AJB-000/2024")
    expect(timeline.last).to_contain_text("17-09-2024")  # dates as dd-mm-yyyy
    expect(timeline.last).to_contain_text("demo-officer")
    screenshot(page, "03-history")

    page.get_by_label("Tampilkan bidang per").focus()
    page.keyboard.press("ArrowLeft")  # after the sale: still the buyer
    page.keyboard.press("ArrowLeft")  # before the sale: the first holder
    expect(page.locator("#card-asof")).to_be_visible()
    expect(page.locator("#card-holders")).to_contain_text(FIRST_HOLDER)
    expect(page.locator("#card-holders")).not_to_contain_text(BUYER)
    expect(page.locator('#card-facts dd[data-fact="edition"]')).to_have_text("1")
    assert drawn(page, "selected")[0]["past"]
    screenshot(page, "04-as-of-before-the-sale")

    page.get_by_role("button", name="Sekarang").click()
    expect(page.locator("#card-holders")).to_contain_text(BUYER)
    expect(page.locator("#card-asof")).to_be_hidden()


def test_auditor_sees_the_log_verified_ok(services: Services, app: FastAPI, page: Any) -> None:
    demo.run(services.registry)
    sign_in(page, token(app, "auditor"))
    page.get_by_role("tab", name="Audit").click()
    page.get_by_role("button", name="Verifikasi log").click()
    verdict = page.locator("#audit-verdict")
    expect(verdict).to_contain_text("ok")
    expect(verdict).to_have_class("verdict ok")
    expect(verdict).to_contain_text("mata rantai rusak pertama")
    expect(verdict).to_contain_text("tidak ada")
    screenshot(page, "05-audit-ok")


def test_officer_is_told_plainly_that_the_audit_needs_an_auditor(app: FastAPI, page: Any) -> None:
    sign_in(page, token(app, "officer"))
    page.get_by_role("tab", name="Audit").click()
    page.get_by_role("button", name="Verifikasi log").click()
    verdict = page.locator("#audit-verdict")
    expect(verdict).to_contain_text("tidak boleh memverifikasi log audit")
    expect(verdict).to_contain_text("HTTP 403")
    expect(verdict).to_contain_text("needs auditor")


def test_api_refusals_are_shown_with_their_detail(app: FastAPI, page: Any) -> None:
    sign_in(page, "not-a-token", accepted=False)
    problem = page.locator("#problem")
    expect(problem).to_contain_text("HTTP 401")
    expect(page.locator("#signin-form")).to_be_visible()

    sign_in(page, token(app, "officer"))
    search(page, f"{demo.VILLAGE}99999")
    expect(problem).to_contain_text("HTTP 404")
    expect(problem).to_contain_text(f"no parcel with NIB {demo.VILLAGE}99999")


def test_village_map_pans_and_zooms_from_the_keyboard_and_sign_out_forgets_the_token(
        services: Services, app: FastAPI, page: Any) -> None:
    demo.run(services.registry)
    sign_in(page, token(app, "officer"))
    search(page, demo.VILLAGE)
    expect(page.locator("#map")).to_have_attribute("data-draw-count", "30")
    expect(page.locator("#results li")).to_have_count(30)
    before = map_view(page)
    page.locator("#map").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(400)  # OpenLayers animates a keyboard pan
    panned = map_view(page)
    page.keyboard.press("+")
    page.wait_for_timeout(400)
    zoomed = map_view(page)
    assert panned["x"] < before["x"] and panned["y"] == before["y"]  # the view moved west
    assert zoomed["resolution"] < panned["resolution"]  # zoomed in: fewer metres a pixel
    expect(page.locator(".ol-scale-line-inner")).to_contain_text("m")

    page.locator("#results button").nth(7).click()  # parcel 8 carries a court seizure (sita)
    expect(page.locator("#card-blocks")).to_contain_text("sita")
    page.locator("#results button").nth(1).click()  # parcel 2 carries a mortgage of rank 1
    expect(page.locator("#card-mortgages")).to_contain_text("Bank BJB")

    page.get_by_role("button", name="Keluar").click()
    expect(page.locator("#signin-form")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0


def test_clicking_a_parcel_on_the_map_opens_it(services: Services, app: FastAPI, page: Any) -> None:
    demo.run(services.registry)
    sign_in(page, token(app, "officer"))
    search(page, demo.VILLAGE)
    expect(page.locator("#map")).to_have_attribute("data-draw-count", "30")
    target = f"{demo.VILLAGE}00012"
    x, y = page.evaluate("(nib) => landreg.map.pixelOf(nib)", target)
    page.locator("#map").click(position={"x": x, "y": y})
    expect(page.locator("#card-nib")).to_have_text(target)


def test_a_subdivided_parcel_is_drawn_dashed_with_its_children_listed(
        services: Services, app: FastAPI, page: Any) -> None:
    parent = titled(services.registry)
    parts = [{"geometry": g} for g in grid_squares(LON, LAT, 50, 2)]
    children = services.registry.subdivide(parent, parts, DEED, actor=OFFICER)["children"]
    sign_in(page, token(app, "officer"))
    search(page, parent)
    expect(page.locator('#card-facts dd[data-fact="status"]')).to_contain_text("tidak aktif")
    lineage = page.locator("#card-lineage")
    for child in children:
        expect(lineage.get_by_role("button", name=child)).to_be_visible()
    assert [(f["nib"], f["status"]) for f in drawn(page, "selected")] == [(parent, "retired")]
    assert sorted((f["nib"], f["status"]) for f in drawn(page, "lineage")) == [(c, "active") for c in sorted(children)]
    screenshot(page, "07-subdivided-parcel-and-its-children")

    lineage.get_by_role("button", name=children[0]).click()
    expect(page.locator("#card-nib")).to_have_text(children[0])
    expect(page.locator("#card-lineage").get_by_role("button", name=parent)).to_be_visible()
    assert [(f["nib"], f["status"]) for f in drawn(page, "lineage")] == [(parent, "retired")]


def test_search_by_part_of_a_holder_name_lists_their_parcels(services: Services, app: FastAPI, page: Any) -> None:
    demo.run(services.registry)
    sign_in(page, token(app, "officer"))
    search(page, "komariah")
    expect(page.locator("#results-summary")).to_contain_text("untuk nama pemegang komariah")
    expect(page.locator("#results")).to_contain_text(BUYER)
