"""Where read models live: their tracking positions, and swapping a rebuilt table in for the live one."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, MetaData, String, Table, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

SHADOW = "_rebuild"  # suffix of the tables a rebuild fills while the live ones keep serving

positions = Table(
    "landreg_projection_positions", MetaData(),
    Column("name", String(32), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


def position(session: Session | Connection, name: str) -> int:
    """How far into the log the read model has applied events (0: nothing yet)."""
    found = session.execute(select(positions.c.position).where(positions.c.name == name)).scalar()
    return int(found or 0)


def all_positions(session: Session | Connection) -> dict[str, int]:
    """Every read model's position, in one query (a model not listed has applied nothing)."""
    return {name: int(at) for name, at in session.execute(select(positions.c.name, positions.c.position))}


def advance(session: Session, name: str, to: int) -> None:
    advance_all(session, {name: to})


def advance_all(session: Session, reached: dict[str, int]) -> None:
    """Record the positions the read models reached, all in one statement."""
    if not reached:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(positions).values([{"name": n, "position": p} for n, p in reached.items()])
    session.execute(statement.on_conflict_do_update(index_elements=["name"],
                                                    set_={"position": statement.excluded.position}))


def drop(connection: Connection, name: str) -> None:
    connection.execute(text(f"DROP TABLE IF EXISTS {name}"))


def swap(connection: Connection, live: str, shadow: str) -> None:
    """Replace table `live` by `shadow`, indexes renamed to match, inside the caller's transaction.
    Views on the live table (ours, or any a user made) are put back on the new one."""
    views = dependent_views(connection, live) if connection.dialect.name == "postgresql" else []
    for view in reversed(views):
        connection.execute(text(f"DROP {view.kind} IF EXISTS {view.name}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {live}"))
    connection.execute(text(f"ALTER TABLE {shadow} RENAME TO {live}"))
    for view in views:
        view.restore(connection)
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


# Every view depending on a table, directly or through other views, with the depth of its deepest
# path: a view is made again only after every view it reads.
_DEPENDENTS = """
WITH RECURSIVE dependent(view, depth) AS (
    SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
    WHERE d.refobjid = to_regclass(:table) AND r.ev_class <> d.refobjid
    UNION
    SELECT r.ev_class, dependent.depth + 1 FROM dependent
    JOIN pg_depend d ON d.refobjid = dependent.view JOIN pg_rewrite r ON r.oid = d.objid
    WHERE r.ev_class <> dependent.view
)
SELECT c.oid::regclass::text AS name, c.relkind, pg_get_viewdef(c.oid) AS definition,
       pg_get_userbyid(c.relowner) AS owner,
       format('COMMENT ON %s %s IS %L', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END,
              c.oid::regclass, obj_description(c.oid, 'pg_class')) AS comment,
       coalesce((SELECT array_agg(format('GRANT %s ON %s TO %s', a.privilege_type, c.oid::regclass,
                                         CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                              ELSE quote_ident(pg_get_userbyid(a.grantee)) END))
                 FROM aclexplode(c.relacl) a WHERE a.grantee <> c.relowner), '{}') AS grants,
       coalesce((SELECT array_agg(indexdef) FROM pg_indexes i
                 WHERE i.schemaname = n.nspname AND i.tablename = c.relname), '{}') AS indexes,
       max(dependent.depth) AS depth
FROM dependent JOIN pg_class c ON c.oid = dependent.view JOIN pg_namespace n ON n.oid = c.relnamespace
GROUP BY c.oid, n.nspname
ORDER BY depth, name
"""


@dataclass(frozen=True)
class View:
    """A view (or materialized view) as PostgreSQL describes it, enough to make it again."""

    name: str
    materialized: bool
    definition: str
    owner: str
    comment: str | None  # the COMMENT statement, if the view has a comment
    grants: list[str]
    indexes: list[str]

    @property
    def kind(self) -> str:
        return "MATERIALIZED VIEW" if self.materialized else "VIEW"

    def restore(self, connection: Connection) -> None:
        """Make the view again on the tables now named in its definition, with owner, grants, comment."""
        connection.execute(text(f"CREATE {self.kind} {self.name} AS {self.definition.rstrip().rstrip(';')}"))
        connection.execute(text(f'ALTER {self.kind} {self.name} OWNER TO "{self.owner}"'))
        for statement in [*self.grants, *self.indexes, *([self.comment] if self.comment else [])]:
            connection.execute(text(statement))


def dependent_views(connection: Connection, table: str) -> list[View]:
    """The views on `table`, in an order they can be made again (PostgreSQL)."""
    rows = connection.execute(text(_DEPENDENTS), {"table": table}).mappings().all()
    return [View(r["name"], r["relkind"] == "m", r["definition"], r["owner"], r["comment"], list(r["grants"]),
                 list(r["indexes"])) for r in rows]
