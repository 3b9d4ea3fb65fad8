"""The SQLite-side benchmark at a tiny size: every figure has a positive value beside its peer.
SQLite only (it needs no PostgreSQL); timings are never asserted."""
from __future__ import annotations

from pathlib import Path

from benchmarks import sqlite_side


def test_every_figure_is_measured_beside_its_peer(tmp_path: Path) -> None:
    lines: list[str] = []
    figures = sqlite_side.run(tmp_path, 300, report=lines.append)
    names = [figure.name for figure in figures]
    assert names[:3] == ["bulk import", "bulk import, events", "survey command"]
    assert {"rebuild parcels", "rebuild certificates", "NIB lookup p50", "holder lookup p99",
            "bbox ~100 m (<= 100 results) p99"} <= set(names)
    for figure in figures:
        assert figure.ours > 0 and figure.peer > 0 and figure.peer_name, figure
    assert {figure.target for figure in figures if figure.unit == "ms"} == {"<= 1.5x raw"}
    assert lines and "300 parcels" in lines[0]
