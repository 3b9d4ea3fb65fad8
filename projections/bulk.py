"""Writing many rows at once: COPY on PostgreSQL (several times faster than batched INSERT for
rebuilds), executemany INSERT on SQLite; and replacing rows by key, in one upsert for the few
rows of a command or by DELETE and COPY for the many of a rebuild batch."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import JSON, ColumnElement, Table, any_, bindparam, delete, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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


# Up to this many rows one multi-row INSERT .. ON CONFLICT is one round trip and beats DELETE + COPY
# (two); beyond it COPY's speed wins (rebuild batches of thousands).
UPSERT_ROWS = 200


def replace(session: Session, table: Table, rows: list[dict[str, Any]], new: bool = False) -> None:
    """Write `rows` over the rows of `table` with the same primary key; `new`: none can exist yet."""
    if not rows:
        return
    if new:
        insert(session, table, rows)
    elif len(rows) <= UPSERT_ROWS:
        upsert(session, table, rows)
    else:
        keys = list(table.primary_key.columns)
        wanted = [tuple(row[c.name] for c in keys) for row in rows]
        session.execute(delete(table).where(tuple_(*keys).in_(wanted)))
        insert(session, table, rows)


def upsert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """One INSERT .. ON CONFLICT (primary key) DO UPDATE of every other column, for all the rows."""
    dialect = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect(table).values([fit(row) for row in rows])
    keys = [c.name for c in table.primary_key.columns]
    others = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    session.execute(statement.on_conflict_do_update(index_elements=keys, set_=others) if others
                    else statement.on_conflict_do_nothing(index_elements=keys))


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
