"""Writing many rows at once: COPY on PostgreSQL (several times faster than batched INSERT for
rebuilds), executemany INSERT on SQLite."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session


def insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts keyed by column name) into `table` inside the session's transaction."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    columns = [c.name for c in table.columns]
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_value(row.get(name), name in json_columns) for name in columns])
    buffer.seek(0)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.copy_expert(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _csv_value(value: Any, is_json: bool) -> Any:
    if is_json:
        return "\\N" if value is None else orjson.dumps(value, default=str).decode()
    if value is None:
        return "\\N"
    if isinstance(value, Decimal):
        return str(value)
    return value
