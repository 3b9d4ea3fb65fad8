"""A rebuild from position 0 equals, row for row, the read models kept up to date inline, after a
seeded history of 2,000 commands that produces every event type."""
from __future__ import annotations

from sqlalchemy import text

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


def table_identity(services: Services, table: str) -> object:
    """What changes when a table is dropped and made again: its oid, or SQLite's root page."""
    query = (f"SELECT '{table}'::regclass::oid" if services.settings.store == "postgresql"
             else f"SELECT rootpage FROM sqlite_master WHERE name = '{table}'")
    with services.registry.engine.connect() as connection:
        return connection.execute(text(query)).scalar_one()


def test_a_rebuild_never_touches_the_write_sides_footprints(services: Services) -> None:
    run_workload(services.registry, 300, seed=3)
    before = (table_identity(services, "landreg_footprints"), read_models(services)["landreg_footprints"])
    assert before[1], "the workload placed no footprints"
    for name in services.projector.models:
        services.projector.rebuild(name)
    assert (table_identity(services, "landreg_footprints"), read_models(services)["landreg_footprints"]) == before
