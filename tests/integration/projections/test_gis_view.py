"""PostGIS: the view landreg_gis_parcels a GIS opens (typed geometry registered in geometry_columns,
the OGC API's columns), kept across rebuilds, and rebuilds that keep users' views and never leave
half-built tables behind."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import text

from api import features
from api.bootstrap import Services
from projections.gis_view import VIEW
from tests.gis_village import Village, mapped_village

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def village(services: Services) -> Village:
    return mapped_village(services.registry)


def rows(services: Services, query: str) -> list[dict[str, Any]]:
    with services.registry.engine.connect() as connection:
        return [dict(r) for r in connection.execute(text(query)).mappings()]


def shadows(services: Services) -> list[str]:
    return [n for n in sqlalchemy.inspect(services.registry.engine).get_table_names() if n.endswith("_rebuild")]


def test_the_view_has_a_typed_geometry_registered_in_geometry_columns(services: Services, village: Village) -> None:
    registered = rows(services, "SELECT type, srid, coord_dimension FROM geometry_columns "
                                f"WHERE f_table_name = '{VIEW}'")
    assert registered == [{"type": "MULTIPOLYGON", "srid": 4326, "coord_dimension": 2}]


def test_the_view_shows_the_columns_of_the_ogc_api_for_every_active_parcel(services: Services,
                                                                          village: Village) -> None:
    shown = rows(services, f"SELECT *, ST_AsBinary(geom) AS wkb FROM {VIEW} ORDER BY nib")
    assert [r["nib"] for r in shown] == village.active
    for row in shown:
        parcel = services.queries.parcel(row["nib"])
        assert parcel is not None
        assert {k: v for k, v in row.items() if k not in ("geom", "wkb")} == features.gis_properties(parcel)


def test_a_box_query_on_the_view_uses_an_index(services: Services, village: Village) -> None:
    with services.registry.engine.connect() as connection:
        # On a table this small a whole scan is cheapest; without whole scans (of the table or of an
        # index) only an index that answers the box can find the rows, if there is one.
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            connection.execute(text(f"SET {setting} = off"))
        plan = "\n".join(r[0] for r in connection.execute(text(
            f"EXPLAIN SELECT nib FROM {VIEW} WHERE geom && ST_MakeEnvelope(106.79, -6.21, 106.81, -6.19, 4326)")))
    assert "landreg_footprints_multi" in plan, plan


USERS_VIEWS = ("DROP MATERIALIZED VIEW IF EXISTS my_holders", "DROP VIEW IF EXISTS my_big_parcels, my_parcels")


@pytest.fixture
def users_views(services: Services) -> Iterator[None]:
    """Views a user made on the read-model tables; dropped afterwards (the database is shared)."""
    yield
    with services.registry.engine.begin() as connection:
        for statement in USERS_VIEWS:
            connection.execute(text(statement))


def test_a_rebuild_keeps_the_view_and_the_views_users_made(services: Services, village: Village,
                                                          users_views: None) -> None:
    with services.registry.engine.begin() as connection:
        for statement in (
            *USERS_VIEWS,
            "CREATE VIEW my_parcels AS SELECT nib, area_m2 FROM landreg_parcels WHERE status = 'active'",
            "CREATE VIEW my_big_parcels AS SELECT nib FROM my_parcels WHERE area_m2 > 5000",
            "COMMENT ON VIEW my_big_parcels IS 'parcels over 5,000 m²'",
            ("CREATE MATERIALIZED VIEW my_holders AS SELECT holder_name, count(*) AS parcels FROM landreg_holdings "
             "GROUP BY holder_name"),
            "CREATE INDEX my_holders_name ON my_holders (holder_name)",
        ):
            connection.execute(text(statement))
    before = rows(services, f"SELECT nib, right_type, holders, ST_AsText(geom) AS shape FROM {VIEW} ORDER BY nib")
    for name in services.projector.models:
        services.projector.rebuild(name)
    assert rows(services,
                f"SELECT nib, right_type, holders, ST_AsText(geom) AS shape FROM {VIEW} ORDER BY nib") == before
    assert rows(services, "SELECT count(*) AS n FROM my_big_parcels") == [{"n": 1}]  # the one with a hole: 9,600 m²
    assert rows(services, "SELECT obj_description('my_big_parcels'::regclass, 'pg_class') AS c") == [
        {"c": "parcels over 5,000 m²"}]
    assert rows(services, "SELECT parcels FROM my_holders WHERE holder_name = 'Budi Santoso'") == [{"parcels": 1}]
    assert rows(services, "SELECT indexname FROM pg_indexes WHERE tablename = 'my_holders'") == [
        {"indexname": "my_holders_name"}]
    assert shadows(services) == []


def test_a_rebuild_that_fails_leaves_no_half_built_tables(services: Services, village: Village,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    model = services.projector.models["parcels"]

    def failing(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(model, "apply", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        services.projector.rebuild("parcels")
    assert shadows(services) == []
    assert len(rows(services, f"SELECT nib FROM {VIEW}")) == len(village.active)  # the live tables still serve
