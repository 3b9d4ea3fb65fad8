"""A synthetic cadastre written straight into the event log, for read-side benchmarks.

Builds real domain events (Parcel and Title aggregates, the registry's own mapper) for a grid of
square parcels, and appends them in large batches, bypassing commands and their guard: this
measures what reads and rebuilds cost, not how fast commands are. The footprints go where the guard
would place them (the write side's table), so a seeded store answers spatial reads. Seeded and sized.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.application.registry import Registry
from registry.domain.identifiers import make_certificate_number, make_nib
from registry.domain.parcel import Parcel, Shape
from registry.domain.provenance import Provenance
from registry.domain.title import Title
from registry.domain.values import Actor
from spatial.crs import WGS84, transform
from spatial.geometry import to_wkb_hex

TM3 = 23834  # parcels lie in TM-3 zone 48.2, around Jakarta
ORIGIN = (233_000.0, 814_000.0)
CELL_M = 20.0
PER_VILLAGE = 10_000  # a village is a 100 x 100 block of cells
ACTOR = Actor("bench", "officer")
TODAY = date(2026, 1, 1)  # the legal day the synthetic history is checked against
SOURCE = {"kind": "deed", "number": "BENCH-1", "date": "2025-01-01", "sha256": "e" * 64}


def villages(count: int) -> Iterator[str]:
    """Village codes 3174 (Jakarta Selatan) district 01..99, village 01..99."""
    for index in range(count):
        yield f"3174{index // 99 + 1:02d}{index % 99 + 1:02d}"


def _squares(village_index: int, count: int) -> list[tuple[str, str, Decimal]]:
    """(TM-3 WKB hex, WGS 84 WKB hex, area) of the village's first `count` cells."""
    side = int(PER_VILLAGE ** 0.5)
    x0 = ORIGIN[0] + (village_index % 50) * side * CELL_M
    y0 = ORIGIN[1] + (village_index // 50) * side * CELL_M
    cells = [shapely.box(x0 + (i % side) * CELL_M, y0 + (i // side) * CELL_M,
                         x0 + (i % side + 1) * CELL_M, y0 + (i // side + 1) * CELL_M) for i in range(count)]
    metric = np.array(cells)
    wgs84 = transform(shapely.geometrycollections(metric), TM3, WGS84).geoms
    area = Decimal(f"{CELL_M * CELL_M:.2f}")
    return [(to_wkb_hex(m), to_wkb_hex(w), area) for m, w in zip(cells, wgs84)]


def parcel_events(village: str, serial: int, shape: tuple[str, str, Decimal], rng: random.Random) -> list[object]:
    """The events of one parcel: surveyed, titled, and sometimes transferred or mortgaged."""
    provenance = Provenance(ACTOR, SOURCE, "2025-01-01", f"bench-{village}-{serial}")
    nib = make_nib(village, serial)
    parcel = Parcel.create(Parcel.Surveyed, nib, village, Shape.of(shape[0], TM3, shape[1], TM3, shape[2]),
                           provenance)
    number = make_certificate_number(village, "1", serial)
    holder = {"id": f"31{rng.randrange(10**14):014d}", "name": "Warga", "kind": "citizen", "share": "1/1"}
    title = Title.register(number, nib, "HM", [holder], None, shape[2], provenance)
    parcel.record_title(number, provenance)
    if rng.random() < 0.3:
        buyer = {**holder, "id": f"32{rng.randrange(10**14):014d}"}
        title.transfer("sale", [buyer], {}, TODAY, provenance)
    if rng.random() < 0.2:
        title.register_mortgage({"id": "bank", "name": "Bank"}, Decimal("100000000.00"), None, TODAY, provenance)
    return [*parcel.collect_events(), *title.collect_events()]


def seed(registry: Registry, parcels: int, rng_seed: int = 1, batch: int = 5_000,
         progress: Callable[[int], None] = lambda _: None) -> int:
    """Append the events of `parcels` parcels; returns the number of events written."""
    rng = random.Random(rng_seed)
    written, pending = 0, []
    for village_index, village in enumerate(villages((parcels + PER_VILLAGE - 1) // PER_VILLAGE)):
        count = min(PER_VILLAGE, parcels - village_index * PER_VILLAGE)
        for serial, shape in enumerate(_squares(village_index, count), start=1):
            pending += parcel_events(village, serial, shape, rng)
            if len(pending) >= batch:
                written += _append(registry, pending)
                pending = []
                progress(written)
    written += _append(registry, pending)
    progress(written)
    return written


def _append(registry: Registry, events: list[object]) -> int:
    if not events:
        return 0
    rows = [registry.mapper.to_stored_event(e) for e in events]  # type: ignore[arg-type]
    dialect = registry.engine.dialect.name
    ids = [r.originator_id if dialect == "postgresql" else uuid.UUID(str(r.originator_id)).bytes for r in rows]
    placed = [(e.nib, e.village_code, e.shape["wgs84"]) for e in events if isinstance(e, Parcel.Surveyed)]
    with Session(registry.engine) as connection, connection.begin():
        registry.footprints.add_many(connection, placed)
        connection.execute(
            text("INSERT INTO landreg_events (originator_id, originator_version, topic, state) "
                 "VALUES (:originator_id, :originator_version, :topic, :state)"),
            [{"originator_id": i, "originator_version": r.originator_version, "topic": r.topic, "state": r.state}
             for i, r in zip(ids, rows)],
        )
    return len(rows)
