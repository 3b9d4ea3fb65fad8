"""Reading whole read-model tables, to compare an inline-maintained one with a rebuilt one."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text

from api.bootstrap import Services

ORDER = {
    "landreg_parcels": "nib", "landreg_holdings": "holder_id, nib", "landreg_village_stats": "village_code, right_type",
    "landreg_certificates": "certificate_number", "landreg_footprints": "nib",
}


def read_models(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read-model table (the position column left out: it says when, not what)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with services.registry.engine.connect() as connection:
        for table, order in ORDER.items():
            columns = [c for c in _columns(connection, table) if c not in ("position", "geom", "wkb")]
            query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
            tables[table] = [tuple(_comparable(v) for v in row) for row in connection.execute(text(query))]
    return tables


def _columns(connection: Any, table: str) -> list[str]:
    from sqlalchemy import inspect

    return [c["name"] for c in inspect(connection).get_columns(table)]


def _comparable(value: Any) -> Any:
    return str(value) if isinstance(value, (dict, list)) else value
