"""A rebuild from position 0 equals, row for row, the read models kept up to date inline, after a
seeded history of 2,000 commands that produces every event type."""
from __future__ import annotations

from api.bootstrap import Services
from benchmarks.workload import run_workload
from tests.integration.projections.tables import read_models


def test_rebuild_equals_the_inline_read_models_after_2000_commands(services: Services) -> None:
    report = run_workload(services.registry, 2_000, seed=7)
    assert report.total_accepted > 1_500
    inline = read_models(services)
    assert len(inline["landreg_parcels"]) == len(report.nibs)
    for name in services.projector.models:
        services.projector.rebuild(name)
    assert read_models(services) == inline
    assert all(status.lag == 0 for status in services.projector.status())
