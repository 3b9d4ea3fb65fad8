"""PostGIS only: `landreg_gis_parcels`, the active parcels as a view a GIS opens, its geometry
typed MultiPolygon in EPSG:4326 so that it is registered in geometry_columns.

The columns are those of the OGC API's `parcels` (api/features.py gis_properties), read from the
parcels table's title JSON; the geometry is the footprint (the overlap guard keeps one per active
parcel), with an index on the typed expression so a GIS's box query (`geom && box`) uses it.

The view and its index are made by the first schema revision (registry/persistence/migrations/
baseline/postgresql.sql); a change to them is a new revision. A rebuild's swap keeps every view on
the swapped table (projections/tables.py).
"""
from __future__ import annotations

VIEW = "landreg_gis_parcels"
