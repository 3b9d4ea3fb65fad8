"""The hardware's limits, with no library in the way: raw COPY into bare tables, and a raw
sequential read (and sha256) of an events table through a psycopg2 server-side cursor."""
from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from benchmarks.peers.common import (
    Measure,
    Stopwatch,
    connect,
    fresh_database,
    identifier,
    nib_of,
    rate,
    square,
)
from benchmarks.peers.plain_save import stored_surveys
from spatial.index_postgis import ewkb_hex


@dataclass(frozen=True)
class ParcelRows:
    """What a bulk import writes for one parcel: its events, and its footprint for the guard."""

    events: list[tuple[uuid.UUID | str, int, str, bytes]]  # originator_id, originator_version, topic, state
    nib: str
    wgs84: str  # WKB hex of the footprint, EPSG:4326 (plain WKB, no SRID)


RowMaker = Callable[[int], Iterable[ParcelRows]]

TABLES = """
CREATE TABLE copy_events (id bigserial PRIMARY KEY, originator_id uuid NOT NULL,
    originator_version integer NOT NULL, topic text NOT NULL, state bytea NOT NULL,
    UNIQUE (originator_id, originator_version));
CREATE TABLE copy_parcels (nib varchar(15) PRIMARY KEY, geom geometry(Geometry, 4326) NOT NULL);
CREATE INDEX copy_parcels_geom ON copy_parcels USING gist (geom);
"""


def synthetic_rows(parcels: int) -> Iterator[ParcelRows]:
    """A surveyed parcel's stored event (~1 KB, from the plain-save peer) and its 20 m footprint."""
    for start in range(0, parcels, 1_000):
        for index, event in enumerate(stored_surveys(min(1_000, parcels - start), start), start):
            events = [(event.originator_id, event.originator_version, event.topic, event.state)]
            yield ParcelRows(events, nib_of(index), square(index)[1])


def _buffers(chunk: list[ParcelRows]) -> tuple[io.StringIO, io.StringIO, int]:
    """COPY text-format buffers for a chunk of parcels, and how many event rows they hold."""
    events, footprints, count = io.StringIO(), io.StringIO(), 0
    for parcel in chunk:
        for originator_id, version, topic, state in parcel.events:
            events.write(f"{originator_id}\t{version}\t{topic}\t\\\\x{state.hex()}\n")
            count += 1
        footprints.write(f"{parcel.nib}\t{ewkb_hex(parcel.wgs84, 4326)}\n")
    events.seek(0)
    footprints.seek(0)
    return events, footprints, count


def raw_copy(url: str, parcels: int, rows: RowMaker = synthetic_rows, chunk: int = 10_000) -> list[Measure]:
    """Rows/s and parcels/s of a raw `COPY` (psycopg2 `copy_expert`, text format) into bare tables.

    Drops and creates the database (with PostGIS) and two tables: `copy_events` (bigserial id,
    uuid, integer version, text topic, bytea state; unique on id+version) and `copy_parcels`
    (geometry(Polygon, 4326) with a GiST index). The parcels from `rows(parcels)` are copied
    `chunk` parcels per transaction; only the COPY statements and commits are timed (turning
    rows into COPY text is not). Rows counts event rows plus footprint rows.
    """
    fresh_database(url, extensions=("postgis",))
    watch, events_written, parcels_written = Stopwatch(), 0, 0
    with connect(url) as raw:
        with raw.cursor() as cursor:
            cursor.execute(TABLES)
        raw.autocommit = False
        source = iter(rows(parcels))
        while part := list(islice(source, chunk)):
            events, footprints, count = _buffers(part)
            with watch, raw.cursor() as cursor:
                cursor.copy_expert("COPY copy_events (originator_id, originator_version, topic, state) "
                                   "FROM STDIN", events)
                cursor.copy_expert("COPY copy_parcels (nib, geom) FROM STDIN", footprints)
                raw.commit()
            events_written += count
            parcels_written += len(part)
    return [rate("raw COPY: rows", "rows/s", events_written + parcels_written, watch.seconds),
            rate("raw COPY: parcels", "parcels/s", parcels_written, watch.seconds)]


def _scan(url: str, table: str, per_row: Callable[[memoryview], object] | None) -> tuple[int, float]:
    """(rows, seconds) of one ordered read of `table` through a named cursor, 10,000 rows a fetch."""
    query = f"SELECT id, originator_id, originator_version, topic, state FROM {identifier(table)} ORDER BY id"
    watch, count = Stopwatch(), 0
    with connect(url) as raw:
        raw.autocommit = False  # a named (server-side) cursor lives in a transaction
        with watch, raw.cursor(name="peer_scan") as cursor:
            cursor.itersize = 10_000
            cursor.execute(query)
            if per_row is None:
                for _ in cursor:
                    count += 1
            else:
                for row in cursor:
                    per_row(row[4])
                    count += 1
        raw.rollback()
    return count, watch.seconds


def raw_read(url: str, table: str = "landreg_events") -> list[Measure]:
    """Events/s of one sequential read of an events table, in id order, nothing done per row.

    `SELECT id, originator_id, originator_version, topic, state FROM <table> ORDER BY id` through a
    psycopg2 server-side (named) cursor fetching 10,000 rows at a time: the floor of any rebuild.
    Reads only; the table must exist.
    """
    count, seconds = _scan(url, table, None)
    return [rate(f"raw sequential read of {table}", "events/s", count, seconds)]


def raw_sha256(url: str, table: str = "landreg_events") -> list[Measure]:
    """Events/s of the same read as `raw_read` plus `hashlib.sha256` over each row's state bytes
    (the floor of any audit verify). Reads only; the table must exist."""
    count, seconds = _scan(url, table, lambda state: hashlib.sha256(state).digest())
    return [rate(f"raw sha256 over {table}", "events/s", count, seconds)]
