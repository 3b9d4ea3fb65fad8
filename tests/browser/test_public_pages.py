"""The public page (no sign-in) and the officers' complaints inbox in headless Chromium."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from api import demo
from api.bootstrap import Services
from tests.browser.steps import playwright_expect, screenshot, token

expect = playwright_expect()


def test_the_public_sees_a_villages_announcements_objects_and_complains(
        services: Services, page: Any) -> None:
    demo.run(services.registry)
    page.goto("/publik")
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_label("Kode desa/kelurahan (8 angka)").fill(demo.VILLAGE)
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.locator("#announcements li")).to_have_count(1)  # the demo's running announcement
    expect(page.locator("#public-map path.announced")).to_have_count(1)
    screenshot(page, "20-public-announcements")

    page.locator("#announcements li button").click()
    page.get_by_label("Nama").first.fill("<b>Andi</b>")
    page.get_by_label("Telepon atau e-mail (tidak ditampilkan)").fill("0812-555")
    page.get_by_label("Alasan keberatan").fill("<script>alert('x')</script> batas barat salah")
    page.get_by_role("button", name="Kirim").first.click()
    expect(page.locator("#objection-receipt")).to_contain_text("Diterima")

    page.get_by_label("Isi pengaduan").fill("<img src=x onerror=alert(1)> pelayanan lambat")
    page.locator("#complaint-name").fill("Sari")
    page.locator("#complaint-email").fill("sari@example.id")
    page.locator("#complaint-button").click()
    expect(page.locator("#complaint-receipt")).to_contain_text("PGD-")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Running announcements")).to_be_visible()
    screenshot(page, "21-public-complaint-filed-english")
    assert page.locator("img").count() == 0 and page.locator("#announcements b").count() == 0


def test_an_officer_answers_the_inbox_overdue_first(services: Services, app: FastAPI, page: Any) -> None:
    registry = services.registry
    today = registry.clock()
    registry.clock = lambda: today - timedelta(days=20)
    late = registry.file_complaint({"office": "Kantor Pertanahan"}, "service", "antrian <b>lama</b>",
                                   {"name": "Sari", "phone": "0812"})
    registry.clock = lambda: today
    fresh = registry.file_complaint({"nib": f"{demo.VILLAGE}00001"}, "data_error", "nama salah eja",
                                    {"name": "Budi", "email": "b@x.id"})
    page.goto("/pengaduan")
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_label("Token petugas (officer token)").fill(token(app, "officer"))
    page.get_by_role("button", name="Masuk").click()
    rows = page.locator("#inbox tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-number", late["complaint_number"])
    expect(rows.first).to_have_class("overdue")
    screenshot(page, "22-complaints-inbox")
    rows.nth(1).click()
    page.get_by_label("Jawaban").fill("sudah diperbaiki")
    page.get_by_role("button", name="Selesai (resolved)").click()
    expect(page.locator(f'#inbox tr[data-number="{fresh["complaint_number"]}"] td').nth(2)).to_have_text("resolved")
