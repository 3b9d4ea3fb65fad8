"""A small synthetic village so a first run shows something: surveys, titles and their histories.

Every command carries a fixed command id, so running the demo again on the same database
changes nothing (invariant 12) and prints the same village.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any

from shapely.geometry import box

from registry.application.registry import Registry
from registry.domain.errors import RegistryError
from registry.domain.values import Actor
from spatial.crs import WGS84, tm3_zone, transform
from spatial.geometry import to_geojson

VILLAGE = "32730101"  # a kelurahan code in Kota Bandung (synthetic parcels)
ORIGIN = (107.6090, -6.9140)  # south-west corner of the demo block, in degrees
SIZE_M, COLUMNS, ROWS = 40.0, 6, 5
SURVEYOR = Actor("demo-surveyor", "surveyor")
OFFICER = Actor("demo-officer", "officer")
NAMES = ["Asep Sunandar", "Siti Rahmawati", "Dedi Kurniawan", "Rina Marlina", "Ujang Saepudin",
         "Euis Komariah", "Budi Santoso", "Nining Suryani", "Agus Salim", "Lilis Suryani"]


def _document(kind: str, number: str, day: str) -> dict[str, str]:
    return {"kind": kind, "number": number, "date": day, "sha256": hashlib.sha256(number.encode()).hexdigest()}


def _survey(number: str) -> dict[str, str]:
    return {"document_number": number, "document_sha256": hashlib.sha256(number.encode()).hexdigest(),
            "surveyed_on": "2024-03-11"}


def _cells() -> Iterator[tuple[int, dict[str, Any]]]:
    """The block's parcels as squares in the TM-3 zone, sent to the registry in EPSG:4326."""
    zone = tm3_zone(ORIGIN[0])
    x0, y0 = transform(box(*ORIGIN, *ORIGIN), WGS84, zone).bounds[:2]
    for row in range(ROWS):
        for column in range(COLUMNS):
            cell = box(x0 + column * SIZE_M, y0 + row * SIZE_M, x0 + (column + 1) * SIZE_M, y0 + (row + 1) * SIZE_M)
            yield row * COLUMNS + column, to_geojson(transform(cell, zone, WGS84))


def _holder(index: int) -> dict[str, str]:
    return {"id": f"3273{index:012d}", "name": NAMES[(index + index // 100 * 5) % len(NAMES)], "kind": "citizen",
            "share": "1/1"}


def steps(registry: Registry) -> list[tuple[str, Callable[[], Any]]]:
    """The demo as named steps, so the CLI can show progress."""
    nibs: dict[int, str] = {}
    plan: list[tuple[str, Callable[[], Any]]] = []
    for index, geometry in _cells():
        def survey(index: int = index, geometry: dict[str, Any] = geometry) -> None:
            result = registry.submit_survey(VILLAGE, geometry, _survey(f"GU-{index:03d}/2024"), actor=SURVEYOR,
                                            command_id=f"demo-survey-{index}")
            nibs[index] = result["nib"]
        plan.append((f"survey parcel {index + 1}", survey))
    def title(i: int) -> None:
        # The procedure before a first title: a 30-day announcement that ended before the decree.
        right = "HM" if i % 5 else "HGB"
        registry.announce(nibs[i], "sporadic", "2024-02-01", right, [_holder(i)],
                          _document("decree", f"PENGUMUMAN-{i:03d}/2024", "2024-02-01"), actor=OFFICER,
                          command_id=f"demo-announcement-{i}")
        registry.register_title(
            nibs[i], "HM" if i % 5 else "HGB", [_holder(i)], None if i % 5 else "2054-03-31",
            _document("decree", f"SK-{i:03d}/2024", "2024-04-02"), actor=OFFICER, command_id=f"demo-title-{i}")

    def transfer(i: int) -> None:
        registry.transfer_ownership(
            nibs[i], "sale", [_holder(100 + i)], "2024-09-17", _document("deed", f"AJB-{i:03d}/2024", "2024-09-17"),
            actor=OFFICER, command_id=f"demo-transfer-{i}")

    def mortgage(i: int) -> None:
        registry.register_mortgage(
            nibs[i], {"id": "bjb", "name": "Bank BJB"}, "350000000.00",
            _document("deed", f"APHT-{i}/2025", "2025-01-08"), actor=OFFICER, command_id=f"demo-mortgage-{i}")

    plan += [(f"register title {i + 1}", partial(title, i)) for i in range(COLUMNS * ROWS - 4)]
    plan += [(f"transfer {i}", partial(transfer, i)) for i in range(0, 12, 3)]
    plan += [(f"mortgage {i}", partial(mortgage, i)) for i in range(1, 10, 4)]
    wakaf = COLUMNS * ROWS - 4  # the first parcel left untitled above: a mosque's land
    nazhir = {"id": "nazhir-3273-01", "name": "Nazhir Masjid Al-Ikhlas", "kind": "nazhir", "share": "1/1"}
    def register_wakaf() -> None:
        registry.announce(nibs[wakaf], "sporadic", "2024-03-01", "WAKAF", [nazhir],
                          _document("decree", "PENGUMUMAN-WAKAF/2024", "2024-03-01"), actor=OFFICER,
                          command_id="demo-announcement-wakaf")
        registry.register_title(nibs[wakaf], "WAKAF", [nazhir], None, _document("decree", "AIW-01/2024", "2024-05-06"),
                                actor=OFFICER, command_id="demo-wakaf")

    plan.append(("register wakaf", register_wakaf))

    def announce(index: int, days_ago: int) -> None:  # untitled parcels in the procedure before a title
        started = (registry.clock() - timedelta(days=days_ago)).isoformat()
        registry.announce(nibs[index], "sporadic", started, "HM", [_holder(index)],
                          _document("decree", f"PENGUMUMAN-{index:03d}", started), actor=OFFICER,
                          command_id=f"demo-announcement-{index}")

    plan += _city_block(registry, nibs, COLUMNS * ROWS - 1)
    plan.append(("announcement ended yesterday", partial(announce, wakaf + 1, 31)))
    plan.append(("announcement running", partial(announce, wakaf + 2, 5)))
    plan.append(("court seizure", lambda: registry.place_block(
        nibs[7], "sita", "Pengadilan Negeri Bandung", None, _document("court_order", "PN-BDG-44/2025", "2025-02-03"),
        actor=OFFICER, command_id="demo-block-7")))
    return plan


CITY = {"id": "pemkot-bandung", "name": "Pemerintah Kota Bandung", "kind": "government", "share": "1/1"}
DEVELOPER = {"id": "pt-griya-bandung", "name": "PT Griya Bandung Asri", "kind": "legal_entity", "share": "1/1"}
UNITS = [("A-0101", "1", _holder(201)), ("A-0102", "1", {"id": "C1234567", "name": "Kenji Watanabe",
                                                          "kind": "foreigner", "share": "1/1"}),
         ("A-0201", "2", _holder(202)), ("A-0202", "2", _holder(203))]


def _city_block(registry: Registry, nibs: dict[int, str], index: int) -> list[tuple[str, Callable[[], Any]]]:
    """The city's HPL, an HGB on it (the holder's agreement) and a building of four strata units
    on that HGB, one of them held by a foreigner (PP 18/2021 art. 71)."""
    titles: dict[str, str] = {}

    def hpl() -> None:
        registry.announce(nibs[index], "sporadic", "2024-03-01", "HPL", [CITY],
                          _document("decree", "PENGUMUMAN-HPL/2024", "2024-03-01"), actor=OFFICER,
                          command_id="demo-announcement-hpl")
        titles["HPL"] = registry.register_title(
            nibs[index], "HPL", [CITY], None, _document("decree", "SK-HPL-01/2024", "2024-04-15"), actor=OFFICER,
            command_id="demo-hpl")["certificate_number"]

    def hgb() -> None:
        titles["HGB"] = registry.register_secondary_title(
            nibs[index], "HGB", [DEVELOPER], "2054-05-31", _document("hpl_agreement", "PERJ-HPL-07/2024", "2024-06-03"),
            on_title=titles["HPL"], actor=OFFICER, command_id="demo-hgb-on-hpl")["certificate_number"]

    def unit(unit_id: str, floor: str, holder: dict[str, str]) -> None:
        registry.register_secondary_title(
            nibs[index], "HMSRS", [holder], None, _document("deed", f"AKTA-PEMISAHAN-{unit_id}/2024", "2024-11-20"),
            on_title=titles["HGB"], unit={"id": unit_id, "floor": floor, "common_share": "1/4"}, actor=OFFICER,
            command_id=f"demo-unit-{unit_id}")

    return [("register the city's HPL", hpl), ("grant an HGB on the HPL", hgb),
            *((f"strata unit {u}", partial(unit, u, f, h)) for u, f, h in UNITS)]


def run(registry: Registry, advance: Callable[[str], None] = lambda _: None) -> list[str]:
    """Run every step; returns the NIBs of the village. A refused step is reported, not fatal."""
    for name, step in steps(registry):
        try:
            step()
        except RegistryError as error:
            advance(f"{name}: refused: {error}")
            continue
        advance(name)
    return [f"{VILLAGE}{n:05d}" for n in range(1, COLUMNS * ROWS + 1)]
