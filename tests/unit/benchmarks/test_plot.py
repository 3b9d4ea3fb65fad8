"""The scale plot: result files of a few sizes become one PNG, whatever figures they hold."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("matplotlib")

from benchmarks import plot


def result_file(folder: Path, parcels: int, figures: list[tuple[str, float, float, str]]) -> Path:
    run: dict[str, Any] = {
        "parcels": parcels, "events": parcels * 3, "store": "sqlite", "machine": "2 cores, x86_64",
        "date": "2026-11-28", "figures": [{"name": name, "ours": ours, "peer": peer, "unit": unit,
                                           "peer_name": "raw", "target": ""} for name, ours, peer, unit in figures]}
    path = folder / f"run-{parcels}.json"
    path.write_text(json.dumps(run))
    return path


def test_two_result_files_make_a_png(tmp_path: Path) -> None:
    figures = [("bulk import", 1_000.0, 50_000.0, "parcels/s"), ("bulk import, events", 3_000.0, 150_000.0, "events/s"),
               ("rebuild parcels", 10_000.0, 280_000.0, "events/s"), ("survey command", 130.0, 860.0, "commands/s"),
               ("NIB lookup p50", 0.015, 0.006, "ms"), ("NIB lookup p99", 0.07, 0.009, "ms")]
    files = [result_file(tmp_path, 300, figures), result_file(tmp_path, 3_000, figures[:3])]
    out = tmp_path / "charts" / "scale.png"
    plot.plot(files, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_a_series_is_the_first_figure_of_its_prefix_and_unit_in_each_run(tmp_path: Path) -> None:
    files = [result_file(tmp_path, 1_000, [("audit verify", 30.0, 80.0, "events/s"),
                                           ("audit verify", 30.0, 100.0, "events/s")]),
             result_file(tmp_path, 100, [("bulk import, events", 9.0, 9.0, "events/s")])]
    runs = plot.load(files)
    assert [run["parcels"] for run in runs] == [100, 1_000]
    assert plot.series(runs, "audit verify", "events/s") == [plot.Series("audit verify", [(1_000, 30.0, 80.0)])]
    assert plot.series(runs, "bulk import", "parcels/s") == []
