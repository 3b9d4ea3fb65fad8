"""Issue 17 on the page: the History tab reads by legal date (slider and picker), an auditor's control
adds a recorded time, and overlapping legacy certificates are drawn in their own colour with a report."""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api import importer
from api.bootstrap import Services
from registry.domain.identifiers import make_nib
from registry.domain.values import Actor
from tests.browser.steps import drawn, playwright_expect, screenshot, search, sign_in, token
from tests.geometries import square
from tests.support import COURT, DEED, LAT, LON, OFFICER, SURVEY, VILLAGE, citizen

expect = playwright_expect()
IMPORTER = Actor("import", "system")
CONVERSION = {**DEED, "number": "HM-1997-0042", "date": "1997-03-04"}
SALE = {"kind": "sale", "to": [citizen("sari", name="Sari Wulandari")], "effective_at": "2010-06-20",
        "source": {**DEED, "number": "AJB-88/2010", "date": "2010-06-20"}}


def stock(tmp_path: Path, *lines: dict[str, Any]) -> Path:
    path = tmp_path / "stock.jsonl"
    path.write_text("".join(json.dumps({"command": "register_parcel", "args": line}) + "\n" for line in lines))
    return path


def legacy(geometry: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"village_code": VILLAGE, "geometry": geometry, "survey": SURVEY, "right_type": "HM",
            "holders": [citizen("budi", name="Budi Santoso")], "ends_on": None, "source": CONVERSION,
            "registered_on": "1997-03-04", **more}


def choose_legal_date(page: Any, day: str) -> None:
    page.locator("#asof-date").fill(day)
    page.locator("#asof-date").dispatch_event("change")


def test_a_legacy_title_reads_by_legal_date_and_an_annulled_sale_as_recorded_before(
    services: Services, app: FastAPI, page: Any, tmp_path: Path,
) -> None:
    report = importer.run(services.registry, stock(tmp_path, legacy(square(LON, LAT, 50), transfers=[SALE])),
                          IMPORTER)
    assert report.accepted == 1, report.rejected
    nib = make_nib(VILLAGE, 1)
    sign_in(page, token(app, "auditor"))
    search(page, nib)
    page.get_by_role("tab", name="Riwayat").click()
    holders = page.locator("#card-holders")
    expect(holders).to_contain_text("Sari Wulandari")

    choose_legal_date(page, "2000-01-01")  # a title registered in 1997, read in 2000: its first holder
    expect(page.locator("#card-asof")).to_contain_text("tanggal hukum 01-01-2000")
    expect(holders).to_contain_text("Budi Santoso")
    page.get_by_label("Tampilkan bidang per").focus()
    page.keyboard.press("End")  # the slider's last step: now
    expect(holders).to_contain_text("Sari Wulandari")
    page.keyboard.press("ArrowLeft")  # the sale's legal date
    expect(page.locator("#asof-date")).to_have_value("2010-06-20")
    expect(holders).to_contain_text("Sari Wulandari")

    recorded = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")  # after the import, before the annulment
    time.sleep(1.1)
    dealing = services.registry.title_on(nib).last_dealing_id  # type: ignore[union-attr]
    services.registry.annul_dealing(nib, dealing, "court_decision",
                                    {**COURT, "number": "PN-JKT-12/2026", "date": "2026-05-01"}, actor=OFFICER)
    page.get_by_role("button", name="Sekarang").click()
    search(page, nib)
    page.get_by_role("tab", name="Riwayat").click()
    expect(holders).to_contain_text("Budi Santoso")  # void: as if the sale never was
    choose_legal_date(page, "2015-01-01")
    expect(holders).to_contain_text("Budi Santoso")
    expect(page.locator("#timeline li.after")).to_have_count(1)  # the annulment lies after 2015

    page.locator("#asof-auditor summary").click()
    page.locator("#asof-recorded").fill(recorded)  # before the annulment was recorded: the sale stands
    page.locator("#asof-recorded").dispatch_event("change")
    expect(page.locator("#card-asof")).to_contain_text("seperti tercatat per")
    expect(holders).to_contain_text("Sari Wulandari")
    screenshot(page, "11-legal-date-and-recorded-time")


def test_overlapping_legacy_certificates_are_drawn_in_their_colour_and_reported(
    services: Services, app: FastAPI, page: Any, tmp_path: Path,
) -> None:
    lines = [legacy(square(LON, LAT, 50)), legacy(square(LON + 0.0002, LAT, 50)),  # ~22 m shift: they overlap
             legacy(square(LON + 0.003, LAT, 50))]
    assert importer.run(services.registry, stock(tmp_path, *lines), IMPORTER).accepted == 3
    sign_in(page, token(app, "officer"))
    search(page, VILLAGE)
    expect(page.locator("#map")).to_have_attribute("data-draw-count", "3")
    flags = {f["nib"]: f["flag"] for f in drawn(page, "parcels")}
    assert flags == {make_nib(VILLAGE, 1): "conflict", make_nib(VILLAGE, 2): "conflict", make_nib(VILLAGE, 3): "plain"}
    expect(page.locator('[data-legend="conflict"]')).to_contain_text("(2)")

    page.get_by_role("tab", name="Tumpang tindih").click()
    expect(page.locator("#overlaps-village")).to_have_value(VILLAGE)
    page.get_by_role("button", name="Tampilkan laporan").click()
    pairs = page.locator("#overlaps-list li")
    expect(pairs).to_have_count(1)
    expect(pairs.first).to_contain_text(f"{make_nib(VILLAGE, 1)} × {make_nib(VILLAGE, 2)}")
    expect(page.locator("#overlaps-summary")).to_contain_text("1 pasang")
    assert len(drawn(page, "overlaps")) == 1
    screenshot(page, "12-overlap-report")
    pairs.first.get_by_role("button").click()
    expect(page.locator("#card-nib")).to_have_text(make_nib(VILLAGE, 1))
