"""The read side: spatial queries equal a brute-force check, retired parcels keep their lineage,
an interrupted follower loses nothing and applies nothing twice."""
from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from shapely.geometry import Polygon, box, shape
from sqlalchemy import text

from api.bootstrap import Services
from projections import parcels as parcels_model
from spatial.geometry import to_geojson
from tests.geometries import grid_squares, square
from tests.integration.projections.tables import read_models
from tests.support import DEED, LAT, LON, OFFICER, SURVEY, SURVEYOR, VILLAGE, citizen


def test_parcel_row_shows_its_title_holders_and_encumbrances(services: Services) -> None:
    registry, queries = services.registry, services.queries
    nib = registry.submit_survey(VILLAGE, square(LON, LAT, 100), SURVEY, actor=SURVEYOR)["nib"]
    registry.register_title(nib, "HM", [citizen("budi", "1/2"), citizen("sari", "1/2")], None, DEED, actor=OFFICER)
    registry.register_mortgage(nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, actor=OFFICER)
    row = queries.parcel(nib)
    assert row is not None and row["title"]["edition"] == 1
    assert [h["id"] for h in row["title"]["holders"]] == ["budi", "sari"]
    assert row["title"]["mortgages"]["HT1"]["status"] == "active"
    assert [r["nib"] for r in queries.by_holder("sari").items] == [nib]
    certificate = queries.certificate(row["certificate_number"])
    assert certificate is not None and certificate["nib"] == nib
    stats = queries.village_stats(VILLAGE)
    assert [(s["right_type"], s["parcels"]) for s in stats] == [("HM", 1)]


def test_retired_parcels_leave_the_spatial_index_but_keep_their_lineage(services: Services) -> None:
    registry, queries = services.registry, services.queries
    nib = registry.submit_survey(VILLAGE, square(LON, LAT, 100), SURVEY, actor=SURVEYOR)["nib"]
    registry.register_title(nib, "HM", [citizen("budi")], None, DEED, actor=OFFICER)
    children = registry.subdivide(nib, [{"geometry": g} for g in grid_squares(LON, LAT, 50, 2)], DEED,
                                  actor=OFFICER)["children"]
    found = {r["nib"] for r in queries.in_bbox(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01).items}
    assert found == set(children)
    retired = queries.parcel(nib)
    assert retired is not None and retired["status"] == "retired" and retired["children"] == children
    assert all(queries.parcel(c)["parents"] == [nib] for c in children)
    assert {r["nib"] for r in queries.neighbours(nib).items} == set(children)
    assert [r["nib"] for r in queries.by_holder("budi").items] == children


def _random_polygon(rng: random.Random) -> dict[str, Any]:
    lon = LON + rng.uniform(-0.004, 0.004)
    lat = LAT + rng.uniform(-0.004, 0.004)
    size = rng.uniform(0.0002, 0.003)
    if rng.random() < 0.5:
        return to_geojson(box(lon, lat, lon + size, lat + size * rng.uniform(0.2, 1)))
    return to_geojson(Polygon([(lon, lat), (lon + size, lat + size / 3), (lon + size / 2, lat + size)]))


@pytest.fixture
def surveyed_grid(services: Services) -> dict[str, Any]:
    """36 parcels on a 6 x 6 grid of 60 m squares, some replaced by a square with a hole or a multipart parcel."""
    registry = services.registry
    footprints: dict[str, Any] = {}
    cells = grid_squares(LON, LAT, 60, 6)
    for index, cell in enumerate(cells):
        geometry = cell
        outline = shape(cell)
        if index % 7 == 3:
            geometry = to_geojson(Polygon(outline.exterior.coords, [outline.buffer(-0.0001).exterior.coords]))
        nib = registry.submit_survey(VILLAGE, geometry, SURVEY, actor=SURVEYOR)["nib"]
        footprints[nib] = shape(geometry)
    far = shape(square(LON + 0.01, LAT, 40)).union(shape(square(LON + 0.0106, LAT, 40)))
    nib = registry.submit_survey(VILLAGE, to_geojson(far), SURVEY, actor=SURVEYOR)["nib"]
    footprints[nib] = far
    return footprints


def test_box_and_shape_searches_equal_a_brute_force_check(services: Services, surveyed_grid: dict[str, Any]) -> None:
    rng = random.Random(11)
    for _ in range(40):
        minx, miny = LON + rng.uniform(-0.001, 0.011), LAT + rng.uniform(-0.001, 0.004)
        probe = box(minx, miny, minx + rng.uniform(0.00001, 0.003), miny + rng.uniform(0.00001, 0.003))
        expected = sorted(n for n, g in surveyed_grid.items() if g.intersects(probe))
        assert _all_pages(services, probe) == expected
    for _ in range(20):
        probe = shape(_random_polygon(rng))
        expected = sorted(n for n, g in surveyed_grid.items() if g.intersects(probe))
        assert _all_pages(services, probe) == expected


def _all_pages(services: Services, probe: Any) -> list[str]:
    """Every NIB a search returns, following the keyset cursor in pages of 5."""
    nibs: list[str] = []
    after = ""
    while True:
        page = services.queries.intersecting(probe, after=after, limit=5)
        nibs += [r["nib"] for r in page.items]
        if page.next_cursor is None:
            return nibs
        after = page.next_cursor


def test_follower_interrupted_mid_batch_loses_nothing_and_applies_nothing_twice(
    services: Services, monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry, projector = services.registry, services.projector
    registry.after_save = None  # read models follow asynchronously in this test
    for index, cell in enumerate(grid_squares(LON, LAT, 30, 4)):
        nib = registry.submit_survey(VILLAGE, cell, SURVEY, actor=SURVEYOR)["nib"]
        if index % 2:
            registry.register_title(nib, "HM", [citizen(f"h{index}")], None, DEED, actor=OFFICER)
    projector.batch_size = 5
    real_fold = parcels_model.fold_parcel
    calls = {"n": 0}

    def failing_fold(row: Any, event: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 13:
            raise RuntimeError("projection crashed mid-batch")
        return real_fold(row, event)

    monkeypatch.setattr(parcels_model, "fold_parcel", failing_fold)
    with pytest.raises(RuntimeError):
        projector.catch_up()
    monkeypatch.setattr(parcels_model, "fold_parcel", real_fold)
    stop = threading.Event()
    follower = threading.Thread(target=projector.follow, args=(stop, 0.05))
    follower.start()
    try:
        _wait_until(lambda: all(s.lag == 0 for s in projector.status()))
    finally:
        stop.set()
        follower.join(10)
    followed = read_models(services)
    for name in ("parcels", "certificates"):
        projector.rebuild(name)
    assert read_models(services) == followed


def _wait_until(condition: Any, seconds: float = 30.0) -> None:
    deadline = threading.Event()
    timer = threading.Timer(seconds, deadline.set)
    timer.start()
    try:
        while not condition():
            if deadline.wait(0.05):
                raise AssertionError("condition not reached in time")
    finally:
        timer.cancel()


def test_audit_checkpoints_pass_through_the_read_models(services: Services) -> None:
    from registry.domain.values import Actor

    services.registry.submit_survey(VILLAGE, square(LON, LAT, 30), SURVEY, actor=SURVEYOR)
    services.registry.make_checkpoint(actor=Actor("auditor-1", "auditor"))
    assert all(status.lag == 0 for status in services.projector.status())
    assert len(services.queries.in_village(VILLAGE).items) == 1


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite scans the holdings
def test_postgres_searches_holder_names_by_trigram_index_also_after_a_rebuild(services: Services) -> None:
    registry, queries = services.registry, services.queries
    nib = registry.submit_survey(VILLAGE, square(LON, LAT, 100), SURVEY, actor=SURVEYOR)["nib"]
    registry.register_title(nib, "HM", [citizen("budi", name="Budi Santoso")], None, DEED, actor=OFFICER)
    for rebuilt in (False, True):
        if rebuilt:
            services.projector.rebuild("parcels")
        with queries.engine.connect() as connection:
            # Left only bitmap scans (a table this small is scanned otherwise), the planner can
            # answer the name filter only from an index that serves LIKE '%...%'.
            for kind in ("seqscan", "indexscan", "indexonlyscan"):
                connection.execute(text(f"SET enable_{kind} = off"))
            plan = "\n".join(connection.execute(text(
                "EXPLAIN SELECT nib FROM landreg_holdings WHERE lower(holder_name) LIKE '%santo%'")).scalars())
        assert "landreg_holdings_name_trgm" in plan
        assert [r["nib"] for r in queries.by_holder_name("SANTO").items] == [nib]
