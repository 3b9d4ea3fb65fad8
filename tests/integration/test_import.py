"""`landreg import`: each line lands whole or not at all, refusals are reported with the reason,
and importing the same file again writes nothing new."""
from __future__ import annotations

import json
from pathlib import Path

from api import importer
from registry.application import Registry
from registry.values import Actor
from tests.geometries import SELF_INTERSECTING, square
from tests.support import DEED, LAT, LON, VILLAGE, event_count

IMPORTER = Actor("import", "system")


def _surveys(folder: Path) -> Path:
    features = [{"type": "Feature", "geometry": square(LON + i * 0.001, LAT, 50), "properties": {
        "village_code": VILLAGE, "document_number": f"GU-{i}", "document_sha256": "a" * 64, "surveyed_on": "2025-01-02"}}
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
