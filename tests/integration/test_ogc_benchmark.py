"""The OGC benchmark runner (benchmarks/ogc_side.py) at a tiny size: it seeds, serves, checks that the raw
PostGIS query answers the same parcels as /ogc items, and returns every figure. Timings are never asserted."""
from __future__ import annotations

import pytest
import sqlalchemy

from benchmarks import ogc_side
from tests.conftest import POSTGRES_URL, require_postgres

pytestmark = pytest.mark.postgres


def test_the_runner_measures_both_requests_against_both_peers_on_the_same_parcels() -> None:
    require_postgres()
    test_url = sqlalchemy.make_url(POSTGRES_URL)
    url = test_url.set(database=f"{test_url.database}_ogc_bench").render_as_string(hide_password=False)
    facts, figures = ogc_side.run(url, 400, report=lambda _: None, samples=20)
    assert facts["parcels"] == 400 and facts["events"] > 400
    assert facts["parcels_per_box"] > 4  # a ~100 m box over 20 m parcels (fewer at the grid's edge)
    names = {(f.name, f.peer_name) for f in figures}
    assert len(names) == len(figures) == 8  # 2 requests x p50/p99 x 2 peers
    assert all(f.ours > 0 and f.peer > 0 for f in figures)
