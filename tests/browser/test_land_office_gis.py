"""The land office page as a land officer's GIS: a fresh card per search, the blocked banner and the legend,
the measuring tool, the Surat Ukur sketch (checked against pyproj), the language switch, an 800 px screen."""
from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from pyproj import Transformer

from api import demo
from api.bootstrap import Services
from spatial.geometry import from_wkb_hex
from tests.browser.conftest import VIEWPORT
from tests.browser.steps import (
    SCREENSHOTS,
    drawn,
    playwright_expect,
    screenshot,
    search,
    sign_in,
    token,
)

expect = playwright_expect()

SOLD = f"{demo.VILLAGE}00001"     # HGB, sold to Euis Komariah
MORTGAGED = f"{demo.VILLAGE}00002"  # mortgaged to Bank BJB for Rp 350.000.000
SEIZED = f"{demo.VILLAGE}00008"   # a court seizure (sita)


@pytest.fixture
def officer(services: Services, app: FastAPI, page: Any) -> Any:
    """The page signed in as an officer on the demo village."""
    demo.run(services.registry)
    sign_in(page, token(app, "officer"))
    return page


def open_parcel(page: Any, nib: str) -> None:
    search(page, nib)
    expect(page.locator("#card-nib")).to_have_text(nib)
    expect(page.locator("#timeline li").first).to_be_visible()


def test_a_new_search_takes_the_previous_parcel_off_the_screen(officer: Any) -> None:
    open_parcel(officer, SEIZED)
    expect(officer.locator("#card-alerts")).to_contain_text("sita")
    search(officer, "komariah")
    expect(officer.locator("#results-summary")).to_contain_text("komariah")
    expect(officer.locator("#card")).to_be_hidden()
    expect(officer.locator("#timeline li")).to_have_count(0)
    expect(officer.locator("#sketch")).to_be_hidden()
    assert drawn(officer, "selected") == []
    screenshot(officer, "08-search-after-a-parcel-was-open")
    search(officer, f"{demo.VILLAGE}99999")  # a refused search leaves no parcel behind either
    expect(officer.locator("#problem")).to_contain_text("HTTP 404")
    expect(officer.locator("#card")).to_be_hidden()


def test_blocks_and_mortgages_show_as_a_banner_and_on_the_map_with_a_legend(officer: Any) -> None:
    open_parcel(officer, SEIZED)
    banner = officer.locator("#card-alerts .alert.blocked")
    expect(banner).to_contain_text("DIBLOKIR: sita atas permintaan Pengadilan Negeri Bandung")
    looks = {f["nib"]: f for f in drawn(officer, "parcels")}
    assert looks[SEIZED]["flag"] == "blocked"
    assert looks[MORTGAGED]["flag"] == "mortgaged" and looks[MORTGAGED]["right"] == "HM"
    assert looks[SOLD]["right"] == "HGB"
    legend = officer.locator("#map-legend")
    blocked = sum(f["flag"] == "blocked" for f in looks.values())
    expect(legend.locator('[data-legend="blocked"]')).to_contain_text(f"({blocked})")
    expect(legend.locator('[data-legend="right-HGB"]')).to_contain_text("hak guna bangunan")
    expect(legend.locator('[data-legend="retired"]')).to_contain_text("(0)")
    screenshot(officer, "09-blocked-banner-and-legend")

    open_parcel(officer, MORTGAGED)
    expect(officer.locator("#card-alerts .alert.blocked")).to_have_count(0)
    expect(officer.locator("#card-alerts .alert.mortgaged")).to_contain_text("Bank BJB, Rp 350.000.000")
    expect(officer.locator("#card-mortgages")).to_contain_text("Rp 350.000.000")


def corners(page: Any, nib: str) -> list[tuple[float, float]]:
    """The screen pixels of the parcel's exterior ring (without the closing point)."""
    return [tuple(p) for p in page.evaluate("""(nib) => {
        const feature = landreg.map.layers.selected.getSource().getFeatureById(nib);
        return feature.getGeometry().getCoordinates()[0].slice(0, -1)
            .map((c) => landreg.map.map.getPixelFromCoordinate(c)); }""",
        nib)]


def test_the_measuring_tool_measures_a_side_and_the_area_of_a_parcel(officer: Any) -> None:
    open_parcel(officer, SOLD)  # a 40 m x 40 m square in its TM-3 zone
    officer.get_by_role("button", name="Perbesar").click()
    officer.wait_for_timeout(500)
    mapped = officer.locator("#map")
    first, second, *rest = corners(officer, SOLD)
    officer.get_by_role("button", name="Ukur jarak").click()
    expect(officer.get_by_role("button", name="Ukur jarak")).to_have_attribute("aria-pressed", "true")
    mapped.click(position={"x": first[0], "y": first[1]})
    mapped.dblclick(position={"x": second[0], "y": second[1]})
    result = officer.locator("#measure-result")
    expect(result).to_have_attribute("data-done", "true")
    assert float(result.get_attribute("data-metres")) == pytest.approx(40, abs=0.3)
    expect(result).to_contain_text(re.compile(r"Jarak: (39|40),\d\d m"))
    expect(officer.locator("#card-nib")).to_have_text(SOLD)  # measuring clicks do not open parcels

    officer.get_by_role("button", name="Ukur luas").click()
    for x, y in (first, second, rest[0]):
        mapped.click(position={"x": x, "y": y})
    mapped.dblclick(position={"x": rest[1][0], "y": rest[1][1]})
    expect(result).to_contain_text("Luas:")
    assert float(result.get_attribute("data-metres")) == pytest.approx(1600, rel=0.01)
    screenshot(officer, "10-measuring-an-area")
    officer.get_by_role("button", name="Hapus ukuran").click()
    expect(result).to_be_empty()


def test_the_surat_ukur_sketch_gives_tm3_corners_sides_area_and_prints_alone(
        officer: Any, services: Services) -> None:
    open_parcel(officer, SOLD)
    officer.get_by_role("tab", name="Surat Ukur").click()
    sketch = officer.locator("#sketch")
    expect(sketch).to_contain_text(SOLD)
    expect(sketch).to_contain_text("1.600 m²")
    expect(sketch).to_contain_text("TM-3 48.2 (EPSG:23834)")
    expect(sketch).to_have_attribute("data-scale", "500")
    expect(sketch.locator(".north")).to_have_count(1)
    rows = officer.locator("#sketch-corners tr:has(td)")
    expect(rows).to_have_count(4)
    ring = services.queries.parcel(SOLD)
    assert ring is not None
    lonlats = list(from_wkb_hex(ring["wgs84"]).exterior.coords)[:-1]
    to_tm3 = Transformer.from_crs(4326, 23834, always_xy=True)
    shown = [tuple(float(v) for v in rows.nth(i).locator("td").all_inner_texts()[1:]) for i in range(4)]
    expected = [to_tm3.transform(lon, lat) for lon, lat in lonlats]
    for (x, y) in shown:  # the same corners as pyproj, to the centimetre (in the ring's order, any start)
        assert min(abs(x - ex) + abs(y - ey) for ex, ey in expected) < 0.02
    sides = officer.locator("#sketch-sides tr:has(td)")
    expect(sides).to_have_count(4)
    for i in range(4):
        expect(sides.nth(i).locator("td").nth(1)).to_have_text(re.compile(r"^(39,99|40,00|40,01)$"))
    screenshot(officer, "11-surat-ukur")

    officer.emulate_media(media="print")
    expect(officer.locator("#sketch")).to_be_visible()
    expect(officer.locator("#search-form")).to_be_hidden()
    expect(officer.locator("#map")).to_be_hidden()
    officer.screenshot(path=str(SCREENSHOTS / "12-surat-ukur-printed.png"), full_page=True)
    officer.emulate_media(media="screen")


def test_the_page_speaks_indonesian_first_and_english_on_request(officer: Any) -> None:
    open_parcel(officer, MORTGAGED)
    expect(officer.get_by_role("button", name="Keluar")).to_be_visible()
    expect(officer.locator("html")).to_have_attribute("lang", "id")
    officer.get_by_role("button", name="English").click()
    expect(officer.locator("html")).to_have_attribute("lang", "en")
    expect(officer.get_by_role("button", name="Sign out")).to_be_visible()
    expect(officer.locator("#card-facts")).to_contain_text("Area1,600 m²")
    expect(officer.locator("#card-alerts")).to_contain_text(
        "Mortgaged (hak tanggungan) rank 1: Bank BJB, Rp 350,000,000")
    expect(officer.locator('[data-legend="right-HM"]')).to_contain_text("right of ownership")
    expect(officer.locator("#timeline li").first).to_contain_text(re.compile(r"effective 11-03-2024"))
    expect(officer.locator("#results")).to_contain_text("active · Siti Rahmawati")  # what scripts wrote, too
    expect(officer.locator("#map-status")).to_contain_text("parcels drawn")
    screenshot(officer, "13-in-english")
    officer.reload()
    officer.wait_for_selector("body[data-ready=true]")
    expect(officer.get_by_role("button", name="Sign out")).to_be_visible()  # the choice is remembered
    officer.get_by_role("button", name="Bahasa Indonesia").click()
    expect(officer.get_by_role("button", name="Keluar")).to_be_visible()


def test_the_page_works_on_an_800_pixel_screen(officer: Any) -> None:
    officer.set_viewport_size({"width": 800, "height": 900})
    open_parcel(officer, SOLD)
    width = officer.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 800, f"the page is {width} px wide on an 800 px screen"
    box = officer.locator("#map").bounding_box()
    assert box is not None and box["width"] > 700 and box["height"] >= 400
    expect(officer.locator("#card")).to_be_visible()
    screenshot(officer, "14-at-800-pixels")
    officer.set_viewport_size(VIEWPORT)
