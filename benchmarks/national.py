"""The national-scale run: a synthetic cadastre imported, rebuilt, queried and verified on
PostgreSQL, every figure beside its peer measured in the same run on the same data.

    python -m benchmarks national --parcels 100000          # or: make bench

Order: generate the cadastre (a stock of `parcels` first registrations and a year of activity)
as JSON lines; import the stock by the bulk path and the year by group-commit batches; time
single commands one client at a time and with many clients at once; rebuild every read model;
run the query set; sign a checkpoint and verify the whole log; read disk sizes and peak memory.
The peers run against a second database (`--peer-url`), never the one measured.
"""
from __future__ import annotations

import random
import resource
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import shapely
from sqlalchemy import text

from api import importer
from api.bootstrap import Services, build
from benchmarks import cadastre, peers
from benchmarks.audit_side import verify_figures
from benchmarks.read_side import (
    Figure,
    bench_settings,
    fresh_database,
    latencies,
    name_search_figures,
    query_figures,
    rebuild_figures,
)
from registry.domain.values import Actor

IMPORTER = Actor("bench-import", "system")
SURVEYOR, OFFICER = Actor("bench-surveyor", "surveyor"), Actor("bench-officer", "officer")
VILLAGE = "36710101"  # Kota Tangerang: the generator's regencies stop at 10, so this one is free
TM3 = "EPSG:23834"
CLIENTS = 16  # concurrent clients for the group-commit figures


@dataclass
class Run:
    """Everything one run measured: the table's figures and the facts around them."""

    figures: list[Figure] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def add(self, *figures: Figure) -> None:
        self.figures += figures


def run(url: str, peer_url: str, folder: Path, parcels: int, activity: float, commands: int,
        report: Callable[[str], None] = print, save: Callable[[Run], None] = lambda run: None,
        year_only: bool = False) -> Run:
    """`year_only`: the year at scale (import, rebuild, queries, disk, memory) without the
    command-path and audit rows or the raw COPY peer, which the 1M run measures. `save` is
    called after each stage with what has been measured so far."""
    result = Run(facts={"parcels": parcels, "activity": activity, "store": "postgresql"})
    started = time.perf_counter()
    stock, year = generate(folder, parcels, activity, result, report)
    fresh_database(url)
    services = build(bench_settings(url, folder))
    try:
        bulk_import(services, stock, year, None if year_only else peer_url, result, report)
        save(result)
        if not year_only:
            command_path(services, peer_url, commands, result, report)
            save(result)
        read_models(services, url, peer_url, result, report)
        save(result)
        result.add(*query_figures(services, parcels), *intersect_figures(services), *name_search_figures(services))
        if not year_only:
            result.add(*verify_figures(services, url, report))
        result.facts.update(disk(services))
    finally:
        services.close()
    result.facts["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.facts["wall_s"] = time.perf_counter() - started
    save(result)
    return result


def generate(folder: Path, parcels: int, activity: float, result: Run,
             report: Callable[[str], None]) -> tuple[Path, Path]:
    """The stock (register_parcel lines) and the year (everything else) as two files."""
    stock, year = folder / "stock.jsonl", folder / "year.jsonl"
    start = time.perf_counter()
    counts = {"stock": 0, "year": 0}
    with stock.open("wb") as stock_file, year.open("wb") as year_file:
        for command in cadastre.generate(parcels, seed=1, activity=activity):
            part = "stock" if command["command"] == "register_parcel" else "year"
            (stock_file if part == "stock" else year_file).write(orjson.dumps(command) + b"\n")
            counts[part] += 1
    seconds = time.perf_counter() - start
    report(f"generated {counts['stock']:,} stock and {counts['year']:,} year lines in {seconds:.0f} s")
    result.facts.update(generate_s=seconds, stock_lines=counts["stock"], year_lines=counts["year"],
                        file_bytes=stock.stat().st_size + year.stat().st_size)
    return stock, year


def bulk_import(services: Services, stock: Path, year: Path, peer_url: str | None, result: Run,
                report: Callable[[str], None]) -> None:
    """Row 3: the stock through the bulk path (every invariant, every read model), against a
    raw COPY of the very rows it wrote into bare tables (unless no peer_url); then the year in batches."""
    start = time.perf_counter()
    imported = importer.run(services.registry, stock, IMPORTER, batch=2_000)
    seconds = time.perf_counter() - start
    events = count(services, "landreg_events")
    report(f"stock: {imported.accepted:,} parcels, {events:,} events in {seconds:.0f} s "
           f"({len(imported.rejected)} refused)")
    result.facts.update(stock_import_s=seconds, stock_events=events, stock_refused=len(imported.rejected))
    if peer_url is not None:
        copied = peers.raw_copy(peers_url(peer_url, "copy"), imported.accepted, rows=stored_rows(services))
        by_parcel = next(m for m in copied if m.unit == "parcels/s")
        by_row = next(m for m in copied if m.unit == "rows/s")
        peer_parcels, peer_rows = by_parcel.value, by_row.value
    else:
        peer_parcels = peer_rows = float("nan")
    result.add(
        Figure("bulk import (first registrations)", imported.accepted / seconds, peer_parcels, "parcels/s",
               "raw COPY of the same event and footprint rows", ">= 8,000/s, >= 0.5x raw"),
        Figure("bulk import (first registrations)", events / seconds, peer_rows, "events/s",
               "raw COPY, rows/s", ""),
    )
    start = time.perf_counter()
    activity = importer.run(services.registry, year, IMPORTER, batch=500)
    year_seconds = time.perf_counter() - start
    report(f"year: {activity.accepted:,} commands in {year_seconds:.0f} s ({len(activity.rejected)} refused)")
    result.facts.update(year_import_s=year_seconds, year_commands=activity.accepted,
                        year_refused=len(activity.rejected), events=count(services, "landreg_events"))


def stored_rows(services: Services) -> Callable[[int], Iterator[peers.ParcelRows]]:
    """Our own stored events (three a parcel: surveyed, title recorded, right registered) and
    footprints, streamed back for the raw COPY peer."""
    def rows(parcels: int) -> Iterator[peers.ParcelRows]:
        raw: Any = services.registry.engine.raw_connection()
        try:
            events, footprints = raw.cursor("peer_events"), raw.cursor("peer_footprints")
            events.itersize = footprints.itersize = 10_000
            events.execute("SELECT originator_id, originator_version, topic, state FROM landreg_events "
                           "ORDER BY id LIMIT %s", (3 * parcels,))
            footprints.execute("SELECT nib, encode(ST_AsBinary(geom), 'hex') FROM landreg_footprints "
                               "ORDER BY nib LIMIT %s", (parcels,))
            for nib, wkb in footprints:
                three = [events.fetchone() for _ in range(3)]
                yield peers.ParcelRows([(r[0], r[1], r[2], bytes(r[3])) for r in three if r], nib, wkb)
        finally:
            raw.close()
    return rows


def command_path(services: Services, peer_url: str, commands: int, result: Run,
                 report: Callable[[str], None]) -> None:
    """Row 1: survey, title and transfer commands, one client and CLIENTS clients at once
    (group commit), against a plain eventsourcing save, a CRUD design and Message DB."""
    squares = list(_squares(2 * commands))
    ours: dict[str, float] = {}
    for clients in (1, CLIENTS):
        mine = squares[:commands] if clients == 1 else squares[commands:]
        for name, command in _commands(services, mine):
            ours[f"{name}/{clients}"] = _rate(command, commands, clients)
            report(f"{name} command, {clients} client(s): {ours[f'{name}/{clients}']:,.0f}/s")
    plain = {m.name.split()[-1]: m.value for m in peers.plain_save(peers_url(peer_url, "plain"), commands)}
    crud = {m.name.split()[-1]: m.value for m in peers.crud(peers_url(peer_url, "crud"), commands)}
    try:
        message_db = {m.name.split()[-1]: m.value for m in peers.message_db(peers_url(peer_url, "messagedb"), commands)}
    except peers.MessageDbUnavailable as error:
        report(f"Message DB peer skipped: {error}")
        message_db = {}
    for name in ("survey", "title", "transfer"):
        for clients in (1, CLIENTS):
            target = ">= 500/s, >= 0.7x plain save" if clients == CLIENTS else ""
            result.add(Figure(f"{name} command, {clients} client(s)", ours[f"{name}/{clients}"],
                              _find(plain, name), "commands/s", "plain eventsourcing save, 1 client", target))
        result.add(Figure(f"{name} command, {CLIENTS} clients", ours[f"{name}/{CLIENTS}"], _find(crud, name),
                          "commands/s", "CRUD: GeoAlchemy2 row in place + audit row, 1 client", ""))
        if message_db:
            result.add(Figure(f"{name} command, {CLIENTS} clients", ours[f"{name}/{CLIENTS}"], _find(message_db, name),
                              "commands/s", "Message DB write_message, 1 client", ""))
    for measure in peers.recorders(peers_url(peer_url, "recorders"), events=20_000, batch=1_000, singles=2_000):
        result.facts[measure.name] = measure.value
    recorded = {k: v for k, v in result.facts.items() if k.startswith("recorder ")}
    for kind in ("single events", "batches of 1,000"):
        chosen = next(v for k, v in recorded.items() if "sqlalchemy" in k and kind in k)
        core = next(v for k, v in recorded.items() if "psycopg 3" in k and kind in k)
        result.add(Figure(f"event-store recorder, {kind}", chosen, core, "events/s",
                          "eventsourcing.postgres + psycopg 3 (ours: eventsourcing-sqlalchemy + psycopg2)", ""))


def _commands(services: Services, squares: list[dict[str, Any]]) -> list[tuple[str, Callable[[int], None]]]:
    """Survey the squares, title each new parcel, then sell it: command number i works on square i."""
    registry = services.registry
    nibs: dict[int, str] = {}

    def survey(index: int) -> None:
        nibs[index] = registry.submit_survey(VILLAGE, squares[index], _survey_document(), TM3, actor=SURVEYOR)["nib"]

    def title(index: int) -> None:
        holder = {"id": f"11{index:014d}", "name": "Warga Bench", "kind": "citizen", "share": "1/1"}
        registry.register_title(nibs[index], "HM", [holder], None, _deed(index), actor=OFFICER)

    def transfer(index: int) -> None:
        buyer = {"id": f"12{index:014d}", "name": "Pembeli Bench", "kind": "citizen", "share": "1/1"}
        registry.transfer_ownership(nibs[index], "sale", [buyer], "2026-03-01", _deed(index), actor=OFFICER)

    return [("survey", survey), ("title", title), ("transfer", transfer)]


def read_models(services: Services, url: str, peer_url: str, result: Run, report: Callable[[str], None]) -> None:
    """Row 4: every read model rebuilt from the log, against a raw sequential read of the
    same table and the library's one-event-per-transaction projection runner."""
    events = count(services, "landreg_events")
    with services.registry.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    raw = peers.raw_read(url, "landreg_events")[0].value
    figures = rebuild_figures(services, events, raw)
    library = peers.library_projection_runner(peers_url(peer_url, "runner"), 20_000)[0].value
    for figure in list(figures):
        report(f"{figure.name}: {figure.ours:,.0f} events/s (raw read {raw:,.0f})")
        figures.append(Figure(figure.name, figure.ours, library, "events/s",
                              "the library's ProjectionRunner, one transaction an event", ">= 50x"))
    result.add(*figures)
    with services.registry.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def intersect_figures(services: Services, samples: int = 1_000) -> list[Figure]:
    """Intersect search: a 200 m x 8 m strip (a planned road) at a random angle, <= 100 results."""
    rng = random.Random(11)
    with services.registry.engine.connect() as connection:
        centres = list(connection.execute(text(
            "SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) FROM landreg_footprints "
            "TABLESAMPLE SYSTEM (5) LIMIT :n"), {"n": samples}))
    strips = [shapely.affinity.rotate(shapely.box(x - 0.0009, y - 0.000036, x + 0.0009, y + 0.000036),
                                      rng.uniform(0, 180)) for x, y in centres]
    raw = services.registry.engine.raw_connection()
    cursor = raw.cursor()

    def raw_search(strip: Any) -> Any:
        wkb = shapely.to_wkb(strip)
        cursor.execute("SELECT p.* FROM landreg_footprints f JOIN landreg_parcels p ON p.nib = f.nib "
                       "WHERE f.geom && ST_GeomFromWKB(%s, 4326) AND ST_Intersects(f.geom, ST_GeomFromWKB(%s, 4326)) "
                       "ORDER BY f.nib LIMIT 101", (wkb, wkb))
        return cursor.fetchall()

    ours = latencies(lambda strip: services.queries.intersecting(strip, limit=100), strips)
    peer = latencies(raw_search, strips)
    raw.close()
    return [Figure(f"intersect search {p}", o, r, "ms", "raw PostGIS, same search", "<= 1.5x raw")
            for p, o, r in zip(("p50", "p99"), ours, peer)]


def disk(services: Services) -> dict[str, Any]:
    """Bytes on disk of each table with its indexes, and per event / per parcel."""
    with services.registry.engine.connect() as connection:
        measured = list(connection.execute(text(
            "SELECT relname, pg_total_relation_size(oid), pg_indexes_size(oid) FROM pg_class WHERE relkind = 'r' "
            "AND relname LIKE 'landreg%' ORDER BY 2 DESC")))
    sizes = {name: int(size) for name, size, _ in measured}
    events, parcels = count(services, "landreg_events"), count(services, "landreg_parcels")
    read_side = sum(v for k, v in sizes.items() if k != "landreg_events")
    return {"table_bytes": sizes, "bytes_per_event": sizes["landreg_events"] / events,
            "read_side_bytes_per_parcel": read_side / parcels, "parcels_now": parcels,
            "total_bytes": sum(sizes.values()), "index_bytes": {name: int(i) for name, _, i in measured}}


def count(services: Services, table: str) -> int:
    with services.registry.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def peers_url(url: str, suffix: str) -> str:
    return f"{url}_{suffix}"


def _rate(command: Callable[[int], None], count: int, clients: int) -> float:
    start = time.perf_counter()
    if clients == 1:
        for index in range(count):
            command(index)
    else:
        lock, sent = threading.Lock(), iter(range(count))

        def client() -> None:
            while True:
                with lock:
                    index = next(sent, None)
                if index is None:
                    return
                command(index)

        with ThreadPoolExecutor(clients) as pool:
            for future in [pool.submit(client) for _ in range(clients)]:
                future.result()
    return count / (time.perf_counter() - start)


def _squares(count: int) -> Iterator[dict[str, Any]]:
    """20 m squares in TM-3 zone 48.2, in a strip of land south of the generated villages."""
    for index in range(count):
        x, y = 180_000.0 + (index % 2_000) * 20, 600_000.0 + (index // 2_000) * 20
        yield {"type": "Polygon", "coordinates": [[[x, y], [x + 20, y], [x + 20, y + 20], [x, y + 20], [x, y]]]}


def _survey_document() -> dict[str, str]:
    return {"document_number": "GU-BENCH", "document_sha256": "a" * 64, "surveyed_on": "2026-01-02"}


def _deed(index: int) -> dict[str, str]:
    return {"kind": "deed", "number": f"AJB-BENCH-{index}", "date": "2026-02-01", "sha256": "b" * 64}


def _find(measured: dict[str, float], name: str) -> float:
    return next((v for k, v in measured.items() if name in k), float("nan"))
