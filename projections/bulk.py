"""Writing many rows at once: COPY on PostgreSQL (several times faster than batched INSERT for
rebuilds), executemany INSERT on SQLite."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import JSON, ColumnElement, Table, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

# What a read model cannot store although an old event may hold it (the edge refuses it today):
# NUL (PostgreSQL text) and lone surrogates (no UTF-8). Shown as U+FFFD; the log keeps the original.
_UNFIT = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def fit(value: Any) -> Any:
    """`value` with every unfit character in its strings replaced, so one odd event cannot stop a read model."""
    if isinstance(value, str):
        return _UNFIT.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {fit(k): fit(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fit(item) for item in value]
    return value


def among(session: Session, column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """`column` is one of `values`: `= ANY(array)` on PostgreSQL (one parameter, one plan, however
    many values; an IN list of 10,000 items is 10,000 parameters to send and parse), IN on SQLite."""
    listed = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, listed, type_=ARRAY(column.type)))
    return column.in_(listed)


def insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts keyed by column name) into `table` inside the session's transaction."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(table.insert(), [fit(row) for row in rows])
        return
    columns = [c.name for c in table.columns]
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    text = _csv(rows, columns, json_columns)
    if _UNFIT.search(text):  # one pass over the whole batch finds it; rare
        text = _csv([fit(row) for row in rows], columns, json_columns)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    copy = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    cursor.copy_expert(copy, io.StringIO(text))


def _csv(rows: list[dict[str, Any]], columns: list[str], json_columns: set[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_value(row.get(name), name in json_columns) for name in columns])
    return buffer.getvalue()


def _csv_value(value: Any, is_json: bool) -> Any:
    if is_json:
        if value is None:
            return "\\N"
        try:
            encoded = orjson.dumps(value, default=str).decode()
        except orjson.JSONEncodeError:  # a lone surrogate, which orjson refuses to encode
            return json.dumps(fit(value), default=str, ensure_ascii=False)
        return orjson.dumps(fit(value), default=str).decode() if "\\u0000" in encoded else encoded
    if value is None:
        return "\\N"
    if isinstance(value, Decimal):
        return str(value)
    return value
