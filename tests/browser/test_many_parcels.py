"""The page keeps working with 5,000 parcels in view: every shape is drawn and counted in the legend; the draw
time is printed."""
from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI

from api.bootstrap import Services
from benchmarks import cadastre
from tests.browser.steps import drawn, playwright_expect, screenshot, search, sign_in, token

expect = playwright_expect()

PARCELS = 5_000


def test_five_thousand_parcels_of_a_village_are_all_drawn(services: Services, app: FastAPI, page: Any) -> None:
    cadastre.load(services.registry, PARCELS, per_village=PARCELS)  # one village, by the import's bulk path
    services.projector.catch_up()
    village = cadastre.village_code(0)
    by_right = {row["right_type"]: row["parcels"] for row in services.queries.village_stats(village)}
    assert sum(by_right.values()) == PARCELS
    sign_in(page, token(app, "officer"))

    started = time.perf_counter()
    search(page, village)
    expect(page.locator("#map")).to_have_attribute("data-draw-count", str(PARCELS), timeout=60_000)
    total_s = time.perf_counter() - started
    assert len({f["nib"] for f in drawn(page, "parcels")}) == PARCELS
    for right, parcels in by_right.items():
        expect(page.locator(f'[data-legend="right-{right}"]')).to_contain_text(f"({parcels})")
    shown = page.locator("#map")
    print(f"\n5,000 parcels: built the OpenLayers features in {shown.get_attribute('data-draw-ms')} ms, "
          f"rendered after {shown.get_attribute('data-paint-ms')} ms; "
          f"search to drawn (5 API pages of 1,000 included) {total_s:.2f} s")
    screenshot(page, "06-five-thousand-parcels")
