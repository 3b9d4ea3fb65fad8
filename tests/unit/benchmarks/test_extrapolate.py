"""The extrapolation is arithmetic on a run's measured unit costs, nothing more."""
from __future__ import annotations

import json
from pathlib import Path

from benchmarks import extrapolate
from benchmarks.extrapolate import lines, markdown


def test_unit_costs_are_scaled_to_126_million_parcels_and_a_billion_events(tmp_path: Path) -> None:
    run = {
        "parcels": 1_000, "events": 4_000, "parcels_now": 1_000, "machine": "x86_64, 2 cores", "date": "2026-11-28",
        "table_bytes": {"landreg_events": 4_000_000}, "index_bytes": {"landreg_events": 1_000_000,
                                                                     "landreg_footprints": 100_000},
        "read_side_bytes_per_parcel": 3_000.0,
        "figures": [
            {"name": "bulk import (first registrations)", "unit": "parcels/s", "ours": 1_000.0},
            {"name": "bulk import (first registrations)", "unit": "events/s", "ours": 4_000.0},
            {"name": "rebuild parcels", "unit": "events/s", "ours": 10_000.0},
            {"name": "rebuild certificates", "unit": "events/s", "ours": 20_000.0},
            {"name": "audit verify (chains + checkpoint)", "unit": "events/s", "ours": 50_000.0},
        ],
    }
    path = tmp_path / "run.json"
    path.write_text(json.dumps(run))

    table = {quantity.strip(): national for quantity, _, national in lines(path)}

    assert table["events table with its indexes"] == "1,000 GB"  # 1,000 B an event x 10^9
    assert table["of which indexes (id, aggregate+version, topic)"] == "250 GB"
    assert table["read side (parcels, certificates, holdings, footprints, commands)"] == "378 GB"
    assert table["of which indexes (B-tree, GiST, trigram)"] == "13 GB"  # 100 B a parcel
    assert table["of which the footprints' GiST index"] == "12.6 GB"
    assert table["bulk import of the stock (one process)"] == "35.0 h"  # 126M / 1,000 a second
    assert table["rebuild `parcels` (one process)"] == "27.8 h"
    assert table["audit verify of the whole log (one process)"] == "5.6 h"
    assert "| quantity | measured unit cost | national scale |" in markdown(path)


def test_a_run_without_an_audit_figure_leaves_that_row_out(tmp_path: Path) -> None:
    run = {"parcels": 10, "events": 30, "parcels_now": 10, "machine": "x86_64, 2 cores", "date": "2026-11-28",
           "table_bytes": {"landreg_events": 30_000}, "read_side_bytes_per_parcel": 3_000.0,
           "figures": [{"name": "bulk import (first registrations)", "unit": "parcels/s", "ours": 1_000.0},
                       {"name": "rebuild parcels", "unit": "events/s", "ours": 10_000.0},
                       {"name": "rebuild certificates", "unit": "events/s", "ours": 20_000.0}]}
    path = tmp_path / "year.json"
    path.write_text(json.dumps(run))

    quantities = [quantity for quantity, _, _ in lines(path)]

    assert "bulk import of the stock (one process)" in quantities
    assert not any("audit" in quantity for quantity in quantities)


def test_hotpaths_hours_scale_the_import_by_its_measured_efficiency(tmp_path: Path) -> None:
    def run(name: str, rate: float) -> Path:
        figures = [{"name": "bulk import (first registrations)", "ours": rate, "unit": "parcels/s"},
                   {"name": "rebuild, every read model", "ours": 100_000.0, "unit": "events/s"},
                   {"name": "audit verify, full", "ours": 200_000.0, "unit": "events/s"}]
        path = tmp_path / name
        path.write_text(json.dumps({"figures": figures}))
        return path

    table = extrapolate.hotpaths_markdown(run("two.json", 3_500.0), run("one.json", 2_000.0))
    import_row = next(line for line in table.splitlines() if line.startswith("| import"))
    # one process: 126M / 2,000 = 17.5 h; efficiency 3,500 / 2,000 / 2 = 0.875; 2 cores: 10.0 h
    assert import_row.split(" | ")[2:4] == ["17.5 h", "10.0 h"]
    assert "| 2.8 h | 2.8 h |" in table and "0.88" in table  # the rebuild: 10^9 events at 100k/s, one process
