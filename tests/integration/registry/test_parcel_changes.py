"""Separation, merger and replays in the cases that once failed: parts drawn along the parent's
edges, parcels surveyed in TM-3, a replay after the dates in it have passed."""
from __future__ import annotations

from datetime import date

import pytest
from shapely.geometry import box

from registry.application.registry import Registry
from spatial.crs import transform
from spatial.geometry import to_geojson
from tests.support import DEED, OFFICER, SURVEY, SURVEYOR, VILLAGE, citizen

TM3 = 23834
X0, Y0 = 233_000.0, 814_000.0


def _rect(index: int, width: float = 40, height: float = 40) -> tuple[float, float, float, float]:
    return X0 + index * 100, Y0, X0 + index * 100 + width, Y0 + height


def _submit(registry: Registry, rect: tuple[float, ...], crs: str | None) -> str:
    shape = box(*rect)
    geometry = to_geojson(shape if crs else transform(shape, TM3, 4326))
    return str(registry.submit_survey(VILLAGE, geometry, SURVEY, crs=crs, actor=SURVEYOR)["nib"])


@pytest.mark.parametrize("crs", ["EPSG:23834", None])
@pytest.mark.parametrize("fraction", [0.5, 0.25, 0.8])
def test_separating_a_strip_keeps_the_rest_whole(registry: Registry, crs: str | None, fraction: float) -> None:
    west, south, east, north = _rect(0)
    nib = _submit(registry, (west, south, east, north), crs)
    registry.register_title(nib, "HM", [citizen("budi")], None, DEED, actor=OFFICER)
    strip = box(west, south, west + (east - west) * fraction, north)
    part = {"geometry": to_geojson(strip if crs else transform(strip, TM3, 4326)), "crs": crs}
    child = registry.separate(nib, part, DEED, actor=OFFICER)
    assert child["area_m2"] == pytest.approx(1600 * fraction, abs=0.02)
    assert float(registry.get_parcel(nib).area_m2) == pytest.approx(1600 * (1 - fraction), abs=0.02)
    parent_title, child_title = registry.title_on(nib), registry.title_on(child["nib"])
    assert parent_title is not None and parent_title.edition == 2
    assert child_title is not None and child_title.origin == "separation"


@pytest.mark.parametrize("crs", ["EPSG:23834", None])
def test_neighbours_surveyed_in_either_crs_merge(registry: Registry, crs: str | None) -> None:
    west, south, east, north = _rect(0)
    a = _submit(registry, (west, south, east, north), crs)
    b = _submit(registry, (east, south, east + 40, north), crs)
    merged = registry.merge([a, b], DEED, actor=OFFICER)
    assert merged["area_m2"] == pytest.approx(3200, abs=0.02)


def test_replay_after_the_term_has_passed_returns_the_first_result(registry: Registry) -> None:
    nib = _submit(registry, _rect(0), "EPSG:23834")
    first = registry.register_title(nib, "HGB", [citizen("budi")], "2026-06-02", DEED, actor=OFFICER,
                                    command_id="reg-1")
    registry.clock = lambda: date(2027, 1, 1)
    again = registry.register_title(nib, "HGB", [citizen("budi")], "2026-06-02", DEED, actor=OFFICER,
                                    command_id="reg-1")
    assert again == first


def test_boundary_correction_after_the_term_ended_leaves_the_title_alone(registry: Registry) -> None:
    west, south, east, north = _rect(0)
    nib = _submit(registry, (west, south, east, north), "EPSG:23834")
    registry.register_title(nib, "HGB", [citizen("budi")], "2026-07-01", DEED, actor=OFFICER)
    registry.clock = lambda: date(2026, 8, 1)
    geometry = to_geojson(box(west, south, east - 1, north))
    registry.correct_boundary(nib, geometry, SURVEY, crs="EPSG:23834", actor=SURVEYOR)
    title = registry.title_on(nib)
    assert title is not None and title.edition == 1
    assert float(registry.get_parcel(nib).area_m2) == pytest.approx(1560, abs=0.02)
