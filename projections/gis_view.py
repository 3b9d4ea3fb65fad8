"""PostGIS only: `landreg_gis_parcels`, the active parcels as a view a GIS opens, its geometry
typed MultiPolygon in EPSG:4326 so that it is registered in geometry_columns.

The columns are those of the OGC API's `parcels` (api/features.py gis_properties), read from the
parcels table's title JSON; the geometry is the footprint (the overlap guard keeps one per active
parcel), with an index on the typed expression so a GIS's box query (`geom && box`) uses it.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from registry.persistence.store import FOOTPRINTS_TABLE

VIEW = "landreg_gis_parcels"
GEOMETRY = "ST_Multi({column})::geometry(MultiPolygon, 4326)"
_LIVE = "p.title IS NOT NULL AND p.title->>'status' = 'active'"


def _active(member: str) -> str:
    return f"EXISTS (SELECT 1 FROM json_each(p.title->'{member}') AS item WHERE item.value->>'status' = 'active')"


DEFINITION = f"""
CREATE OR REPLACE VIEW {VIEW} AS
SELECT p.nib, p.village_code, p.area_m2::double precision AS area_m2, p.status,
       CASE WHEN {_LIVE} THEN p.title->>'right_type' END AS right_type,
       CASE WHEN {_LIVE} THEN p.title->>'certificate_number' END AS certificate_number,
       CASE WHEN {_LIVE} THEN (p.title->>'edition')::integer END AS edition,
       CASE WHEN {_LIVE} THEN (SELECT string_agg((h.value->>'name') || ' (' || (h.value->>'share') || ')', '; '
                                                 ORDER BY h.ordinality)
                               FROM json_array_elements(p.title->'holders') WITH ORDINALITY AS h(value, ordinality))
       END AS holders,
       ({_LIVE} AND {_active('mortgages')}) AS has_mortgage,
       ({_LIVE} AND {_active('blocks')}) AS is_blocked,
       {GEOMETRY.format(column='f.geom')} AS geom
FROM landreg_parcels p JOIN {FOOTPRINTS_TABLE} f ON f.nib = p.nib
WHERE p.status = 'active'
"""


def create_index(connection: Connection) -> None:
    """The index on the view's geometry expression, on the write side's footprints table."""
    table = FOOTPRINTS_TABLE
    if not _exists(connection, f"{table}_multi"):
        connection.execute(text(f"CREATE INDEX IF NOT EXISTS {table}_multi ON {table} "
                                f"USING gist (({GEOMETRY.format(column='geom')}))"))


def create(connection: Connection) -> None:
    """Make the index and the view on the live tables where missing (every start-up asks; DDL
    takes locks, so nothing is done when they are there)."""
    create_index(connection)
    if not _exists(connection, VIEW):
        connection.execute(text(DEFINITION))


def _exists(connection: Connection, name: str) -> bool:
    return connection.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar() is not None
