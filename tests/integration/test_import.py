"""`landreg import`: each line lands whole or not at all, refusals are reported with the reason,
and importing the same file again writes nothing new."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api import importer
from registry.application.registry import Registry
from registry.domain.values import Actor
from tests.geometries import SELF_INTERSECTING, square
from tests.support import DEED, LAT, LON, VILLAGE, event_count

IMPORTER = Actor("import", "system")


def _surveys(folder: Path) -> Path:
    features = [{"type": "Feature", "geometry": square(LON + i * 0.001, LAT, 50), "properties": {
        "village_code": VILLAGE, "document_number": f"GU-{i}", "document_sha256": "a" * 64,
        "surveyed_on": "2025-01-02"}}
        for i in range(5)]
    features.insert(2, {"type": "Feature", "geometry": SELF_INTERSECTING, "properties": {
        "village_code": VILLAGE, "document_number": "GU-X", "document_sha256": "a" * 64, "surveyed_on": "2025-01-02"}})
    path = folder / "surveys.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_geojson_import_reports_the_bad_feature_and_lands_the_rest(registry: Registry, tmp_path: Path) -> None:
    report = importer.run(registry, _surveys(tmp_path), IMPORTER)
    assert report.accepted == 5
    assert [(r["line"], r["error"], r["field"]) for r in report.rejected] == [(3, "invalid_geometry", "geometry")]
    assert event_count(registry) == 5


def test_importing_the_same_file_again_writes_nothing(registry: Registry, tmp_path: Path) -> None:
    path = _surveys(tmp_path)
    importer.run(registry, path, IMPORTER)
    before = event_count(registry)
    importer.run(registry, path, IMPORTER)
    assert event_count(registry) == before


def test_json_lines_of_commands_with_unreadable_and_unknown_lines(registry: Registry, tmp_path: Path) -> None:
    surveyed = importer.run(registry, _surveys(tmp_path), IMPORTER)
    assert surveyed.accepted == 5
    title = {"command": "register_title", "args": {
        "nib": f"{VILLAGE}00001", "right_type": "HM", "ends_on": None, "source": DEED,
        "holders": [{"id": "budi", "name": "Budi", "kind": "citizen", "share": "1/1"}]}}
    lines = [json.dumps(title), "{broken", json.dumps({"command": "drop_everything", "args": {}})]
    path = tmp_path / "commands.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = importer.run(registry, path, IMPORTER)
    assert report.accepted == 1
    assert [r["line"] for r in report.rejected] == [2, 3]
    assert registry.title_on(f"{VILLAGE}00001") is not None


def _survey_lines(folder: Path, count: int) -> Path:
    lines = [json.dumps({"command": "submit_survey", "args": {
        "village_code": VILLAGE, "geometry": square(LON + i * 0.001, LAT, 50),
        "survey": {"document_number": f"GU-{i}", "document_sha256": "a" * 64, "surveyed_on": "2025-01-02"}}})
        for i in range(count)]
    path = folder / "surveys.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_import_cut_off_inside_a_batch_resumes_without_duplicates(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _survey_lines(tmp_path, 10)
    real = registry.submit_survey
    calls = iter(range(100))

    def crashing(*args: Any, **kwargs: Any) -> Any:
        if next(calls) == 4:  # the second line of the second batch: the process dies here
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(registry, "submit_survey", crashing)
    with pytest.raises(KeyboardInterrupt):
        importer.run(registry, path, IMPORTER, batch=3)
    assert event_count(registry) == 3  # the first batch committed; the second left nothing
    monkeypatch.setattr(registry, "submit_survey", real)
    done: list[int] = []
    report = importer.run(registry, path, IMPORTER, done.append, batch=3)
    assert (report.accepted, report.rejected, done) == (10, [], [3, 3, 3, 1])
    assert event_count(registry) == 10
    nibs = {registry.get_parcel(f"{VILLAGE}{n:05d}").nib for n in range(1, 11)}
    assert len(nibs) == 10  # the first three were replayed, not surveyed again
