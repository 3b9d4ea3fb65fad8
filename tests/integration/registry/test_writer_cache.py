"""The writer's aggregate cache holds only committed state: a rolled-back command leaves no trace."""
from __future__ import annotations

from typing import Any

import pytest

from api.bootstrap import Services
from registry.domain.identifiers import parcel_id
from tests.geometries import grid_squares, square
from tests.support import LAT, LON, SURVEY, SURVEYOR, VILLAGE


def test_a_batch_rolled_back_leaves_the_cache_as_committed(services: Services) -> None:
    registry = services.registry
    nib = registry.submit_survey(VILLAGE, grid_squares(LON, LAT, 50, 1)[0], SURVEY, actor=SURVEYOR)["nib"]
    registry.get_parcel(nib)  # a query never fills the writer's cache
    corrected = square(LON, LAT, 40)
    with pytest.raises(RuntimeError), registry.batch():
        registry.correct_boundary(nib, corrected, SURVEY, actor=SURVEYOR)
        raise RuntimeError("the batch fails after the correction was saved")
    assert parcel_id(nib) not in registry.writer_cache
    assert registry.get_parcel(nib).version == 1
    # The next command loads the parcel as committed: version 1, so the correction is its event 2.
    registry.correct_boundary(nib, corrected, SURVEY, actor=SURVEYOR)
    assert registry.writer_cache.get(parcel_id(nib)).version == 2
    assert registry.get_parcel(nib).version == 2


def test_a_command_rolled_back_after_its_save_leaves_no_trace(services: Services, monkeypatch: Any) -> None:
    registry = services.registry
    nib = registry.submit_survey(VILLAGE, grid_squares(LON, LAT, 50, 1)[0], SURVEY, actor=SURVEYOR)["nib"]
    registry.correct_boundary(nib, square(LON, LAT, 45), SURVEY, actor=SURVEYOR)
    cached = registry.writer_cache.get(parcel_id(nib))
    assert parcel_id(nib) in registry.writer_cache and cached.version == 2  # kept once committed
    inline = registry.after_save

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the read models failed after the events were saved")

    monkeypatch.setattr(registry, "after_save", fail)
    with pytest.raises(RuntimeError):
        registry.correct_boundary(nib, square(LON, LAT, 40), SURVEY, actor=SURVEYOR)
    monkeypatch.setattr(registry, "after_save", inline)
    assert registry.writer_cache.get(parcel_id(nib)).version == 2
    assert registry.get_parcel(nib).version == 2
    registry.correct_boundary(nib, square(LON, LAT, 40), SURVEY, actor=SURVEYOR)
    assert registry.get_parcel(nib).version == 3
    row = services.queries.parcel(nib)
    assert row is not None and row["version"] == 3
