"""The read-side figures of the national run (rebuild throughput, query latency against the raw SQL
that answers the same question, in the same run on the same data) and what every runner shares:
`Figure`, the benchmark settings, the guarded fresh database, latency percentiles."""
from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import text

from api.bootstrap import Services
from projections.queries import BY_HOLDER_NAME
from registry.persistence.settings import Settings

BENCH_FOLDER = Path(tempfile.gettempdir()) / "landreg-bench-audit"  # keys and anchors of benchmark databases


@dataclass(frozen=True)
class Figure:
    """One row of the results table: our figure, its peer, and what the target is."""

    name: str
    ours: float
    peer: float
    unit: str
    peer_name: str
    target: str = ""

    @property
    def ratio(self) -> float:
        return self.ours / self.peer if self.peer else float("nan")


def fresh_database(url: str) -> None:
    """Drop and create the benchmark database, only one named as a benchmark's own (`*bench*`):
    never the service's or the tests' database, whatever `--url` says."""
    target = sqlalchemy.make_url(url)
    if "bench" not in (target.database or ""):
        raise SystemExit(f"the benchmarks drop and refill the database they are given; {target.database!r} is not "
                         "named as a benchmark's own: pass --url with a database whose name contains 'bench'")
    admin = sqlalchemy.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def bench_settings(url: str, folder: Path, fresh: bool = True) -> Settings:
    """Settings for a benchmark database, with its own audit key and anchor file in `folder`: a
    fresh database gets fresh ones (the key signs what is written; an old anchor is not its own).
    The synthetic year registers titles as a migration period would, without announcements."""
    settings = Settings(database_url=url, audit_key_file=folder / "audit_key.pem",
                        audit_anchor_file=folder / "audit_anchor.jsonl", first_registration_announcement="off")
    if fresh:
        settings.audit_key_file.unlink(missing_ok=True)
        settings.audit_anchor_file.unlink(missing_ok=True)
    return settings


def latencies(call: Callable[[Any], Any], arguments: list[Any]) -> tuple[float, float]:
    """(p50, p99) in milliseconds of `call` over the arguments, after a short warm-up."""
    for argument in arguments[:50]:
        call(argument)
    times = []
    for argument in arguments:
        start = time.perf_counter()
        call(argument)
        times.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(times, n=100)
    return cuts[49], cuts[98]


def rebuild_figures(services: Services, events: int, raw: float) -> list[Figure]:
    figures = []
    for name in services.projector.models:
        start = time.perf_counter()
        services.projector.rebuild(name)
        rate = events / (time.perf_counter() - start)
        figures.append(Figure(f"rebuild {name}", rate, raw, "events/s", "raw sequential read",
                              ">= 50,000/s, >= 0.3x raw"))
    return figures


def query_figures(services: Services, parcels: int, samples: int = 2_000) -> list[Figure]:
    raw = services.registry.engine.raw_connection()
    cursor = raw.cursor()
    queries = services.queries
    with services.registry.engine.connect() as connection:
        nibs = list(connection.execute(text("SELECT nib FROM landreg_parcels TABLESAMPLE SYSTEM (5) LIMIT :n"),
                                       {"n": samples}).scalars())
        holders = list(connection.execute(text("SELECT holder_id FROM landreg_holdings TABLESAMPLE SYSTEM (5) "
                                               "LIMIT :n"), {"n": samples}).scalars())
        boxes = list(connection.execute(text(
            "SELECT ST_XMin(geom), ST_YMin(geom) FROM landreg_footprints TABLESAMPLE SYSTEM (5) LIMIT :n"),
            {"n": samples}))
    windows = [(x, y, x + 0.0009, y + 0.0009) for x, y in boxes]  # about 100 m: ~25 parcels of 20 m

    def raw_nib(nib: str) -> Any:
        cursor.execute("SELECT * FROM landreg_parcels WHERE nib = %s", (nib,))
        return cursor.fetchone()

    def raw_holder(holder: str) -> Any:
        cursor.execute("SELECT p.* FROM landreg_holdings h JOIN landreg_parcels p ON p.nib = h.nib "
                       "WHERE h.holder_id = %s ORDER BY h.nib LIMIT 100", (holder,))
        return cursor.fetchall()

    def raw_bbox(window: tuple[float, ...]) -> Any:
        cursor.execute("SELECT p.* FROM landreg_footprints f JOIN landreg_parcels p ON p.nib = f.nib "
                       "WHERE f.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) "
                       "AND ST_Intersects(f.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326)) ORDER BY f.nib LIMIT 100",
                       (*window, *window))
        return cursor.fetchall()

    pairs: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], list[Any]]] = [
        ("NIB lookup", queries.parcel, raw_nib, nibs),
        ("holder lookup", lambda h: queries.by_holder(h), raw_holder, holders),
        ("bbox ~100 m (<= 100 results)", lambda w: queries.in_bbox(w[0], w[1], w[2], w[3], limit=100), raw_bbox,
         windows),
    ]
    figures = []
    for name, ours, peer, arguments in pairs:
        ours_p50, ours_p99 = latencies(ours, arguments)
        peer_p50, peer_p99 = latencies(peer, arguments)
        figures.append(Figure(f"{name} p50", ours_p50, peer_p50, "ms", "raw SQL, same lookup", "<= 1.5x raw"))
        figures.append(Figure(f"{name} p99", ours_p99, peer_p99, "ms", "raw SQL, same lookup",
                              "<= 1.5x raw" + ("; <= 1 ms" if name == "NIB lookup" else "")))
    raw.close()
    return figures


def name_search_figures(services: Services, samples: int = 500, scans: int = 5) -> list[Figure]:
    """Holder-name search (part of a name, any case; PostgreSQL): through the trigram index
    against the raw SQL of the same query, and against that SQL with the index dropped (in a
    transaction rolled back afterwards): what the search cost before the index."""
    with services.registry.engine.connect() as connection:
        names = list(connection.execute(text("SELECT holder_name FROM landreg_holdings TABLESAMPLE SYSTEM (5) "
                                              "LIMIT :n"), {"n": samples}).scalars())
    parts = [name.lower()[1:] for name in names]  # a real substring: not the name's start
    raw = services.registry.engine.raw_connection()
    cursor = raw.cursor()
    sql = BY_HOLDER_NAME.replace(":pattern", "%s").replace(":after", "''").replace(":limit", "101")

    def raw_search(part: str) -> Any:
        cursor.execute(sql, (f"%{part}%",))
        return cursor.fetchall()

    ours = latencies(lambda part: services.queries.by_holder_name(part), parts)
    peer = latencies(raw_search, parts)
    raw.commit()
    cursor.execute("DROP INDEX landreg_holdings_name_trgm")
    scanned = []
    for part in parts[:scans]:
        start = time.perf_counter()
        raw_search(part)
        scanned.append((time.perf_counter() - start) * 1000)
    raw.rollback()
    raw.close()
    return [
        *(Figure(f"holder name search {p}", o, r, "ms", "raw SQL, same search", "<= 1.5x raw")
          for p, o, r in zip(("p50", "p99"), ours, peer)),
        Figure("holder name search p50", ours[0], statistics.median(scanned), "ms",
               f"same SQL without the trigram index (median of {scans})", ""),
    ]
