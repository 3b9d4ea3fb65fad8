"""A rebuild from position 0 equals, row for row, the read models kept up to date inline, after a
seeded history of 2,000 commands that produces every event type."""
from __future__ import annotations

from sqlalchemy import text

from api.bootstrap import Services
from tests.integration.projections.tables import read_models
from tests.workload import run_workload


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


def test_one_pass_rebuild_of_every_model_equals_the_inline_ones_with_every_index_back(services: Services) -> None:
    """The one-pass rebuild (the CLI's default) gives the same rows; the indexes it builds after the
    load are all there again under their live names (PostgreSQL), and the planner has statistics."""
    run_workload(services.registry, 600, seed=3)
    inline, indexes = read_models(services), _indexes(services)
    assert services.projector.rebuild_all() > 0
    assert read_models(services) == inline
    assert _indexes(services) == indexes
    assert all(status.lag == 0 for status in services.projector.status())
    if services.settings.store == "postgresql":
        with services.registry.engine.connect() as connection:
            analysed = connection.execute(text(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'landreg_holdings' "
                "AND last_analyze IS NOT NULL")).scalar_one()
        assert analysed == 1


def _indexes(services: Services) -> list[tuple[str, str]]:
    """Every index of the read side's tables with its definition."""
    with services.registry.engine.connect() as connection:
        if services.settings.store == "postgresql":
            rows = connection.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'landreg%' "
                                           "AND tablename <> 'landreg_events'"))
        else:
            rows = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
        # SQLite writes a renamed table's name quoted into the index's SQL: the same index.
        return sorted((str(name), str(definition).replace('"', "")) for name, definition in rows)
