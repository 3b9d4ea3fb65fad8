"""Peer of the command figures that most teams would build instead: rows updated in place.

A GeoAlchemy2 table `parcels` (geometry with a GiST index, the holder in columns) and an
`audit_log` row per change, in one transaction per command, SQLAlchemy Core with psycopg2.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy
from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    func,
    select,
    update,
)

from benchmarks.peers.common import (
    Measure,
    Stopwatch,
    fresh_database,
    rate,
    sqlalchemy_url,
    survey_fields,
    title_fields,
    transfer_fields,
)

metadata = MetaData()
parcels = Table(
    "parcels", metadata,
    Column("nib", String(15), primary_key=True),
    Column("village_code", String(10), nullable=False),
    Column("area_m2", Numeric(16, 2), nullable=False),
    Column("geom", Geometry("POLYGON", srid=4326, spatial_index=True), nullable=False),  # GiST
    Column("certificate_number", String(16), unique=True),
    Column("right_type", String(8)),
    Column("holder_id", String(64), index=True),
    Column("holder_name", String(200)),
    Column("share", String(40)),
    Column("edition", Integer),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
audit_log = Table(
    "audit_log", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("command", String(32), nullable=False),
    Column("nib", String(15), nullable=False, index=True),
    Column("actor", JSON, nullable=False),
    Column("change", JSON, nullable=False),  # the command's fields, as the event would hold them
)

Command = Callable[[Connection, dict[str, Any]], None]


def survey(connection: Connection, fields: dict[str, Any]) -> None:
    """Insert the parcel with its geometry, and its audit row."""
    shape = fields["shape"]
    connection.execute(parcels.insert().values(
        nib=fields["nib"], village_code=fields["village_code"], area_m2=shape["area_m2"],
        geom=func.ST_GeomFromWKB(func.decode(shape["wgs84"], "hex"), 4326)))
    _audit(connection, "survey", fields["nib"], fields)


def register_title(connection: Connection, fields: dict[str, Any]) -> None:
    """Lock and read the parcel's row, write the title's right and holder into it, add an audit row."""
    _current(connection, fields["nib"])
    holder = fields["holders"][0]
    connection.execute(update(parcels).where(parcels.c.nib == fields["nib"]).values(
        certificate_number=fields["certificate_number"], right_type=fields["right_type"],
        holder_id=holder["id"], holder_name=holder["name"], share=holder["share"], edition=1,
        updated_at=func.now()))
    _audit(connection, "register_title", fields["nib"], fields)


def transfer(connection: Connection, fields: dict[str, Any]) -> None:
    """Lock and read the row, overwrite the holder in place (the old one survives only in the audit)."""
    _current(connection, fields["nib"])
    holder = fields["holders"][0]
    connection.execute(update(parcels).where(parcels.c.nib == fields["nib"]).values(
        holder_id=holder["id"], holder_name=holder["name"], share=holder["share"],
        edition=fields["edition"], updated_at=func.now()))
    _audit(connection, "transfer", fields["nib"], fields)


def _current(connection: Connection, nib: str) -> Any:
    """The parcel's row, locked for this transaction: what a command checks its rules against."""
    row = connection.execute(select(parcels.c.nib, parcels.c.holder_id, parcels.c.edition)
                             .where(parcels.c.nib == nib).with_for_update()).first()
    if row is None:
        raise LookupError(f"no parcel {nib}")
    return row


def _audit(connection: Connection, command: str, nib: str, fields: dict[str, Any]) -> None:
    connection.execute(audit_log.insert().values(command=command, nib=nib, actor=fields["actor"], change=fields))


def crud(url: str, commands: int) -> list[Measure]:
    """Commands/s of a CRUD design: survey (insert parcel + audit row), title (update + audit),
    transfer (update + audit), each command one transaction, one after another on one thread.

    Drops and creates the database (with PostGIS) and the two tables. Field values are made
    untimed; the timed part is `engine.begin()`, the statements and the commit.
    """
    fresh_database(url, extensions=("postgis",))
    engine = sqlalchemy.create_engine(sqlalchemy_url(url))
    try:
        metadata.create_all(engine)
        transfers = []
        for index in range(commands):  # a transfer changes a titled parcel: keep its NIB with it
            transfers.append({**transfer_fields(index), "nib": title_fields(index)["nib"]})
        runs: list[tuple[str, Command, list[dict[str, Any]]]] = [
            ("survey", survey, [survey_fields(i) for i in range(commands)]),
            ("title", register_title, [title_fields(i) for i in range(commands)]),
            ("transfer", transfer, transfers),
        ]
        return [_time(engine, name, command, payloads) for name, command, payloads in runs]
    finally:
        engine.dispose()


def _time(engine: sqlalchemy.Engine, name: str, command: Command, payloads: list[dict[str, Any]]) -> Measure:
    watch = Stopwatch()
    with watch:
        for fields in payloads:
            with engine.begin() as connection:
                command(connection, fields)
    return rate(f"CRUD + audit_log: {name}", "commands/s", len(payloads), watch.seconds)
