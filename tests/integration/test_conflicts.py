"""Issue 17, part 4: a legacy stock with 2 % overlapping certificates lands whole; every conflict
is recorded on both parcels and reported exactly (checked against every pair by brute force in
shapely); dealings on them are refused until a boundary correction or a court's cancellation."""
from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import shapely
from sqlalchemy import text

from api import exporter, importer
from api.bootstrap import Services
from benchmarks import cadastre_conflicts
from projections import overlaps
from registry.domain import errors
from registry.domain.values import Actor
from spatial.crs import WGS84, tm3_zone, transform
from spatial.topology import exceeds, overlap
from tests.geometries import square
from tests.support import (
    COURT,
    DEED,
    LAT,
    LON,
    OFFICER,
    SURVEY,
    SURVEYOR,
    VILLAGE,
    assert_rejected,
    citizen,
)

IMPORTER = Actor("import", "system")
SALE = {"kind": "sale", "to": [citizen("sari")], "effective_at": "2026-05-01", "source": {**DEED, "date": "2026-05-01"}}


def active(services: Services) -> dict[str, tuple[Any, dict[str, str]]]:
    """Every active parcel: its EPSG:4326 shape and its recorded conflicts."""
    with services.queries.engine.connect() as connection:
        rows = connection.execute(text("SELECT nib, wgs84, conflicts FROM landreg_parcels WHERE status = 'active'"))
        return {nib: (shapely.from_wkb(bytes.fromhex(wkb)), _json(found)) for nib, wkb, found in rows}


def _json(value: Any) -> dict[str, str]:
    return (json.loads(value) if isinstance(value, str) else value) or {}


def brute_force(parcels: dict[str, tuple[Any, dict[str, str]]], services: Services) -> dict[tuple[str, str], float]:
    """Every pair of active parcels overlapping beyond the tolerance, each tested against each."""
    settings = services.settings
    found = {}
    for (a, (shape_a, _)), (b, (shape_b, _)) in itertools.combinations(sorted(parcels.items()), 2):
        zone = tm3_zone(shape_a.centroid.x)
        measured = overlap(transform(shape_a, WGS84, zone), transform(shape_b, WGS84, zone))
        if exceeds(measured, settings.overlap_tolerance_m2, settings.overlap_tolerance_fraction):
            found[(a, b)] = measured.area_m2
    return found


def report(services: Services, **area: str) -> list[overlaps.Pair]:
    settings = services.settings
    with services.queries.engine.connect() as connection:
        pages = overlaps.pairs(connection, *overlaps.area_range(**area), settings.overlap_tolerance_m2,
                               settings.overlap_tolerance_fraction, page=97)
        return [pair for page, _ in pages for pair in page]


def test_a_stock_with_2_percent_overlaps_lands_whole_and_every_conflict_is_recorded_and_reported(
    services: Services, tmp_path: Path,
) -> None:
    lines = list(cadastre_conflicts.generate(600, overlapping=0.02, seed=3))
    path = tmp_path / "stock.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert (got := importer.run(services.registry, path, IMPORTER, batch=150)).rejected == []
    assert got.accepted == len(lines) > 600
    parcels = active(services)
    assert len(parcels) == len(lines)  # all land: none refused, none lost
    expected = brute_force(parcels, services)
    assert len(expected) >= len(lines) - 600  # each extra certificate meets at least the one it copies
    pairs = report(services, province=lines[0]["args"]["village_code"][:2])
    assert {(p.nib_a, p.nib_b) for p in pairs} == set(expected)
    for pair in pairs:
        assert pair.overlap_m2 == pytest.approx(expected[(pair.nib_a, pair.nib_b)], abs=0.01)
        assert pair.geometry.area > 0
    recorded = {tuple(sorted((nib, other))) for nib, (_, found) in parcels.items() for other in found}
    assert recorded == set(expected)  # on both parcels of every pair
    assert any(p.duplicate == "same_number" for p in pairs) and any(p.duplicate is None for p in pairs)

    stuck = min(n for n, (_, found) in parcels.items() if found)
    assert_rejected(services.registry, errors.InConflict,
                    lambda: services.registry.transfer_ownership(stuck, **SALE, actor=OFFICER))
    out = tmp_path / "overlaps.gpkg"
    exporter.write_overlaps(out, "gpkg", pairs)
    assert pyogrio.read_info(out)["features"] == len(pairs)
    assert services.registry.verify_log().ok  # conflicts on stored parcels are chained and sealed like any event


def legacy(services: Services, geometry: dict[str, Any], number: str, line: int = 1) -> str:
    entry = {"village_code": VILLAGE, "geometry": geometry, "survey": SURVEY, "right_type": "HM",
             "holders": [citizen("budi")], "ends_on": None, "source": {**DEED, "number": number}}
    [outcome] = services.registry.register_parcels([entry], [f"line-{number}-{line}"], actor=IMPORTER)
    assert not isinstance(outcome, errors.RegistryError), outcome
    return str(outcome["nib"])


def test_a_boundary_correction_that_removes_the_overlap_unfreezes_both_parcels(services: Services) -> None:
    registry = services.registry
    first = legacy(services, square(LON, LAT, 40), "M-1")
    second = legacy(services, square(LON + 0.0002, LAT, 40), "M-2")  # about 18 m to the east: half overlaps
    assert registry.get_parcel(first).open_conflicts.keys() == {second}
    assert set(registry.get_parcel(second).open_conflicts) == {first}
    assert_rejected(registry, errors.InConflict, lambda: registry.register_mortgage(
        first, {"id": "bank-1", "name": "Bank"}, "1000000.00", DEED, actor=OFFICER))
    assert_rejected(registry, errors.OverlapError, lambda: registry.correct_boundary(  # still overlapping: refused
        second, square(LON + 0.0003, LAT, 40), SURVEY, actor=SURVEYOR))
    registry.correct_boundary(second, square(LON + 0.0005, LAT, 40), SURVEY, actor=SURVEYOR)
    assert registry.get_parcel(first).open_conflicts == {} == registry.get_parcel(second).open_conflicts
    registry.transfer_ownership(first, **SALE, actor=OFFICER)
    assert report(services, village=VILLAGE) == []


def test_a_court_cancelling_one_certificate_retires_its_parcel_and_unfreezes_the_other(services: Services) -> None:
    registry = services.registry
    kept = legacy(services, square(LON, LAT, 40), "M-7")
    duplicate = legacy(services, square(LON, LAT, 40), "M-7", line=2)  # the same certificate registered twice
    [pair] = report(services, village=VILLAGE)
    assert pair.duplicate == "same_number" and pair.same_parcel
    assert_rejected(registry, errors.InvalidInput, lambda: registry.cancel_right(duplicate, "duplicate", DEED,
                                                                                 actor=OFFICER))
    registry.cancel_right(duplicate, "sertipikat ganda", COURT, actor=OFFICER)
    assert registry.get_parcel(duplicate).status == "retired"
    assert registry.get_parcel(kept).open_conflicts == {}
    registry.transfer_ownership(kept, **SALE, actor=OFFICER)
    assert report(services, village=VILLAGE) == []
    with pytest.raises(errors.OverlapError):  # outside the legacy path, an overlap is still refused
        registry.submit_survey(VILLAGE, square(LON, LAT, 40), SURVEY, actor=SURVEYOR)
