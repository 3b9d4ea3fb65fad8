"""What every peer shares: the figure it returns, its database, and payloads shaped like ours.

The payloads copy the shape and size of the registry's stored events (registry/domain/parcel.py,
registry/domain/title.py) without importing the registry, so a peer measures only its own library.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Self

import psycopg2
import shapely
import sqlalchemy
from psycopg2.extensions import connection as Connection
from sqlalchemy import text

PROTECTED = ("postgres", "test", "template0", "template1", "landreg")  # never dropped or filled
TM3 = 23834  # TM-3 zone 48.2, as the seeded cadastre
CELL_M = 20.0
ACTOR = {"user_id": "bench", "role": "officer"}
SOURCE = {"kind": "deed", "number": "BENCH-1", "date": "2025-01-01", "sha256": "e" * 64}


@dataclass(frozen=True)
class Measure:
    """One measured figure of a peer: `n` operations at `value` `unit` (e.g. 812.0 "commands/s")."""

    name: str
    value: float
    unit: str
    n: int


def rate(name: str, unit: str, count: int, seconds: float) -> Measure:
    """A throughput figure: `count` operations over `seconds`.

    >>> rate("x", "rows/s", 10, 2.0)
    Measure(name='x', value=5.0, unit='rows/s', n=10)
    """
    return Measure(name, count / seconds if seconds > 0 else float("inf"), unit, count)


class Stopwatch:
    """Adds up the time spent inside `with watch:` blocks (work outside them is not measured)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> Self:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds += time.perf_counter() - self._start


def check_database_name(url: str) -> str:
    """The database named by `url`, refused if it is one that peers must never touch."""
    name = sqlalchemy.make_url(url).database or ""
    if not name or name in PROTECTED or name.startswith("landreg_test"):
        raise ValueError(f"peers will not drop or fill the database {name!r}: use one named landreg_peer_*")
    return name


def _admin(url: str) -> sqlalchemy.Engine:
    target = sqlalchemy.make_url(url).set(drivername="postgresql+psycopg2", database="postgres")
    return sqlalchemy.create_engine(target, isolation_level="AUTOCOMMIT")


def fresh_database(url: str, extensions: tuple[str, ...] = ()) -> None:
    """Drop and create the peer's database (refusing protected names), then its extensions."""
    name = check_database_name(url)
    admin = _admin(url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    with connect(url) as raw, raw.cursor() as cursor:
        for extension in extensions:
            cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")


def drop_database(url: str) -> None:
    """Drop the peer's database (refusing protected names) when the run is done with it."""
    name = check_database_name(url)
    admin = _admin(url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def ensure_database(url: str) -> None:
    """Create the peer's database if it is missing; keep it (and what it holds) otherwise."""
    name = check_database_name(url)
    admin = _admin(url)
    with admin.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if found is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def libpq_params(url: str) -> dict[str, Any]:
    """psycopg2.connect() keywords for a SQLAlchemy URL (any postgresql driver)."""
    parsed = sqlalchemy.make_url(url)
    params = {"host": parsed.host or "127.0.0.1", "port": parsed.port or 5432, "user": parsed.username,
              "password": parsed.password, "dbname": parsed.database}
    return {k: v for k, v in params.items() if v is not None}


def sqlalchemy_url(url: str) -> str:
    """The URL with the psycopg2 driver named, as eventsourcing-sqlalchemy is to use it."""
    parsed = sqlalchemy.make_url(url).set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def connect(url: str, **options: Any) -> Iterator[Connection]:
    """A psycopg2 connection in autocommit mode, closed on leaving."""
    raw = psycopg2.connect(**libpq_params(url), **options)
    raw.autocommit = True
    try:
        yield raw
    finally:
        raw.close()


def identifier(name: str) -> str:
    """A table name checked to be a plain SQL identifier (table names cannot be bound parameters)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain table name: {name!r}")
    return name


def square(index: int) -> tuple[str, str]:
    """(TM-3 WKB hex, WGS 84 WKB hex) of the `index`-th 20 m square of a grid, like a surveyed parcel."""
    column, row = index % 1000, index // 1000
    x, y = 233_000.0 + column * CELL_M, 814_000.0 + row * CELL_M
    lon, lat = 106.8 + column * 0.00018, -6.2 + row * 0.00018  # about 20 m: shape, not precision
    return (shapely.box(x, y, x + CELL_M, y + CELL_M).wkb_hex,
            shapely.box(lon, lat, lon + 0.00018, lat + 0.00018).wkb_hex)


def provenance(command_id: str) -> dict[str, Any]:
    """The fields every registry event records beside its own: who, on what document, when, its hash."""
    return {"actor": dict(ACTOR), "source": dict(SOURCE), "effective_at": "2025-01-01",
            "command_id": command_id, "hash": hashlib.sha256(command_id.encode()).hexdigest()}


def nib_of(index: int) -> str:
    """A 15-digit NIB, unique per index (village 3174010101 first, then counting on).

    >>> nib_of(7)
    '317401010100007'
    """
    return str(317401010100000 + index)


def survey_fields(index: int) -> dict[str, Any]:
    """The fields of a `Parcel.Surveyed` event (about 1 KB stored), for the `index`-th parcel."""
    tm3, wgs84 = square(index)
    shape = {"geometry": tm3, "epsg": TM3, "wgs84": wgs84, "tm3_epsg": TM3, "area_m2": "400.00"}
    return {"nib": nib_of(index), "village_code": "3174010101", "shape": shape,
            **provenance(f"peer-survey-{index}")}


def holder(index: int, buyer: bool = False) -> dict[str, str]:
    return {"id": f"{32 if buyer else 31}{index:014d}", "name": "Warga", "kind": "citizen", "share": "1/1"}


def title_fields(index: int) -> dict[str, Any]:
    """The fields of a `Title.RightRegistered` event (about 750 bytes stored)."""
    return {"certificate_number": str(3174010101100000 + index), "nib": nib_of(index), "right_type": "HM",
            "holders": [holder(index)], "ends_on": None, "area_m2": "400.00", "origin": "first_registration",
            "predecessors": [], "mortgages": [], **provenance(f"peer-title-{index}")}


def transfer_fields(index: int) -> dict[str, Any]:
    """The fields of a `Title.OwnershipTransferred` event (a sale to one new holder)."""
    return {"kind": "sale", "holders": [holder(index, buyer=True)], "edition": 2,
            **provenance(f"peer-transfer-{index}")}


PayloadMaker = Callable[[int], dict[str, Any]]
