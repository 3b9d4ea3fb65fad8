"""Where read models live: their tracking positions, and swapping a rebuilt table in for the live one."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, MetaData, String, Table, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

SHADOW = "_rebuild"  # suffix of the tables a rebuild fills while the live ones keep serving

positions = Table(
    "landreg_projection_positions", MetaData(),
    Column("name", String(32), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


def create_positions(engine: Engine) -> None:
    positions.create(engine, checkfirst=True)


def position(session: Session | Connection, name: str) -> int:
    """How far into the log the read model has applied events (0: nothing yet)."""
    found = session.execute(select(positions.c.position).where(positions.c.name == name)).scalar()
    return int(found or 0)


def advance(session: Session, name: str, to: int) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(positions).values(name=name, position=to).on_conflict_do_update(
        index_elements=["name"], set_={"position": to},
    ))


def drop(connection: Connection, name: str) -> None:
    connection.execute(text(f"DROP TABLE IF EXISTS {name}"))


def swap(connection: Connection, live: str, shadow: str) -> None:
    """Replace table `live` by `shadow`, indexes renamed to match, inside the caller's transaction."""
    connection.execute(text(f"DROP TABLE IF EXISTS {live}"))
    connection.execute(text(f"ALTER TABLE {shadow} RENAME TO {live}"))
    if connection.dialect.name == "postgresql":
        names = connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": live},
        ).scalars().all()
        for index in names:
            if shadow in index:
                connection.execute(text(f'ALTER INDEX "{index}" RENAME TO "{index.replace(shadow, live)}"'))
        return
    rows = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"),
        {"t": live},
    ).all()
    for index, sql in rows:  # SQLite cannot rename an index: drop it and create it under the live name
        if shadow in index:
            connection.execute(text(f'DROP INDEX "{index}"'))
            connection.execute(text(sql.replace(shadow, live)))
