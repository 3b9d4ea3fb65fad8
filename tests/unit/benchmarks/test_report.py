"""A run's JSON becomes a markdown table with every figure, its peer and the ratio."""
from __future__ import annotations

import json
from pathlib import Path

from benchmarks.report import markdown


def test_every_figure_becomes_a_row_with_its_ratio(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"figures": [
        {"name": "NIB lookup p99", "ours": 0.1644, "peer": 0.1191, "unit": "ms", "ratio": 1.38,
         "peer_name": "raw SQL", "target": "<= 1.5x raw"},
        {"name": "bulk import", "ours": 1207.4, "peer": 17626.0, "unit": "parcels/s", "ratio": 0.0685,
         "peer_name": "raw COPY", "target": ">= 8,000/s"},
    ]}))

    table = markdown(path).splitlines()

    assert table[2] == "| NIB lookup p99 | 0.164 | 0.119 | ms | 1.38x | raw SQL | <= 1.5x raw |"
    assert table[3] == "| bulk import | 1,207 | 17,626 | parcels/s | 0.07x | raw COPY | >= 8,000/s |"
