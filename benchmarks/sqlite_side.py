"""SQLite-side benchmark: the embedded default beside plain SQLite peers, same data, same run.

    from benchmarks import sqlite_side
    figures = sqlite_side.run(Path("/tmp/bench"), 100_000)

In a fresh SQLite file under `folder`: imports a generated stock (benchmarks/cadastre.py,
`register_parcel` lines only) through `landreg import`'s code, sends single survey commands,
rebuilds every read model and times the queries; each figure stands beside plain sqlite3 (or a
plain eventsourcing Application) doing the same work on the same rows.
"""
from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import shapely

from api import importer
from api.bootstrap import Services, build
from benchmarks import cadastre
from benchmarks.peers.common import survey_fields
from benchmarks.peers.plain_save import PeerParcel, close, ledger
from benchmarks.read_side import Figure, latencies
from registry.domain.values import Actor
from registry.persistence.settings import Settings

LEGAL_DAY = date(2026, 6, 1)  # after every date the generator writes (see benchmarks/cadastre.py)
IMPORTER = Actor("import", "system")
SURVEYOR = Actor("bench-surveyor", "surveyor")
IMPORT_BATCH = 2_000
CHUNK = 10_000  # rows a transaction for the raw insert, rows a fetch for the raw read
COMMANDS = 300
SAMPLES = 1_000
TM3 = "EPSG:23834"
# The single surveys go to a village the generator never uses (its codes count 01..10 per
# level), 30 km west of its first village (cadastre_land.ORIGIN), so they never meet the stock.
SURVEY_VILLAGE = "31740101"
SURVEY_ORIGIN = (150_000.0, 700_000.0)
SURVEY_SIDE_M = 20.0
WINDOW_DEGREES = 0.0009  # about 100 m
QUERY_TARGET = "<= 1.5x raw"
RAW_BBOX = ("SELECT p.*, f.wkb FROM landreg_footprints_rtree r "
            "JOIN landreg_footprints f ON f.nib = printf('%013d', r.id) JOIN landreg_parcels p ON p.nib = f.nib "
            "WHERE r.minx <= :maxx AND r.maxx >= :minx AND r.miny <= :maxy AND r.maxy >= :miny ORDER BY f.nib")


def run(folder: Path, parcels: int, report: Callable[[str], None] = print) -> list[Figure]:
    """Import `parcels` parcels into a fresh `folder/landreg.db`, then measure against the peers."""
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "landreg.db"
    for path in (store, folder / "landreg.db-wal", folder / "landreg.db-shm", folder / "audit_checkpoints.jsonl"):
        path.unlink(missing_ok=True)
    settings = Settings(database_url=f"sqlite:///{store}", audit_key_file=folder / "audit_key.pem",
                        audit_anchor_file=folder / "audit_checkpoints.jsonl", first_registration_announcement="off")
    services = build(settings, clock=lambda: LEGAL_DAY)
    try:
        figures = import_figures(services, folder, parcels, report)
        figures += command_figures(services, folder, COMMANDS, report)
        figures += rebuild_figures(services, store, report)
        figures += query_figures(services, store)
    finally:
        services.close()
    return figures


def import_figures(services: Services, folder: Path, parcels: int, report: Callable[[str], None]) -> list[Figure]:
    """The stock through `importer.run` (bulk path), against raw executemany of the same rows."""
    path = folder / "stock.jsonl"
    cadastre.write(path, parcels, seed=1, activity=0.0)
    start = time.perf_counter()
    outcome = importer.run(services.registry, path, IMPORTER, batch=IMPORT_BATCH)
    seconds = time.perf_counter() - start
    if outcome.rejected:
        raise RuntimeError(f"the generated stock was refused: {outcome.rejected[:3]}")
    store = folder / "landreg.db"
    events = count_events(store)
    report(f"imported {parcels:,} parcels, {events:,} events in {seconds:.1f} s")
    peer = raw_insert_seconds(store, folder / "peer.db")
    peer_name = "raw sqlite3 executemany into bare tables, 10,000 rows a transaction"
    return [Figure("bulk import", parcels / seconds, parcels / peer, "parcels/s", peer_name),
            Figure("bulk import, events", events / seconds, events / peer, "events/s", peer_name)]


def count_events(store: Path) -> int:
    with closing(sqlite3.connect(store)) as db:
        return int(db.execute("SELECT count(*) FROM landreg_events").fetchone()[0])


def raw_insert_seconds(source: Path, target: Path) -> float:
    """Seconds to insert the source's event and footprint rows into bare tables of a new file.

    Bare: the events table keeps only the key an event log needs (unique aggregate and version),
    the footprints only their primary key; no R*Tree, no read models, no guard. The rows are read
    back from the source first, untimed."""
    with closing(sqlite3.connect(source)) as db:
        events = db.execute("SELECT originator_id, originator_version, topic, state FROM landreg_events "
                            "ORDER BY id").fetchall()
        footprints = db.execute("SELECT nib, village_code, wkb FROM landreg_footprints").fetchall()
    for path in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        path.unlink(missing_ok=True)
    with closing(sqlite3.connect(target, isolation_level=None)) as peer:
        peer.execute("PRAGMA journal_mode=WAL")  # as the registry's store (eventsourcing-sqlalchemy sets it)
        peer.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, originator_id BLOB NOT NULL, "
                      "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, state BLOB NOT NULL, "
                      "UNIQUE (originator_id, originator_version))")
        peer.execute("CREATE TABLE footprints (nib TEXT PRIMARY KEY, village_code TEXT NOT NULL, wkb BLOB NOT NULL)")
        start = time.perf_counter()
        insert_chunks(peer, "INSERT INTO events (originator_id, originator_version, topic, state) "
                            "VALUES (?, ?, ?, ?)", events)
        insert_chunks(peer, "INSERT INTO footprints (nib, village_code, wkb) VALUES (?, ?, ?)", footprints)
        return time.perf_counter() - start


def insert_chunks(db: sqlite3.Connection, sql: str, rows: list[Any]) -> None:
    """executemany, one transaction a chunk of CHUNK rows."""
    for first in range(0, len(rows), CHUNK):
        db.execute("BEGIN")
        db.executemany(sql, rows[first:first + CHUNK])
        db.execute("COMMIT")


def command_figures(services: Services, folder: Path, count: int, report: Callable[[str], None]) -> list[Figure]:
    """Survey commands one after another, each its own transaction, against a plain Application's save."""
    surveys = [survey_arguments(index) for index in range(count)]
    start = time.perf_counter()
    for geometry, survey in surveys:
        services.registry.submit_survey(SURVEY_VILLAGE, geometry, survey, TM3, actor=SURVEYOR)
    ours = count / (time.perf_counter() - start)
    report(f"{count} survey commands at {ours:,.0f}/s")
    peer = plain_survey_rate(folder / "plain.db", count)
    return [Figure("survey command", ours, peer, "commands/s",
                   "plain eventsourcing Application on SQLite, one ~1 KB event a save")]


def survey_arguments(index: int) -> tuple[dict[str, Any], dict[str, str]]:
    """(GeoJSON square in EPSG:23834, survey document) of the index-th single survey: 20 m
    squares 1 m apart, 100 a row."""
    x = SURVEY_ORIGIN[0] + index % 100 * (SURVEY_SIDE_M + 1)
    y = SURVEY_ORIGIN[1] + index // 100 * (SURVEY_SIDE_M + 1)
    ring = [[x, y], [x + SURVEY_SIDE_M, y], [x + SURVEY_SIDE_M, y + SURVEY_SIDE_M], [x, y + SURVEY_SIDE_M], [x, y]]
    survey = {"document_number": f"GU-B{index:05d}/2026", "document_sha256": f"{index:064x}",
              "surveyed_on": "2026-01-02"}
    return {"type": "Polygon", "coordinates": [ring]}, survey


def plain_survey_rate(path: Path, count: int) -> float:
    """Commands/s of a plain eventsourcing Application on a new SQLite file: one new aggregate,
    one `save()` a command (benchmarks/peers/plain_save.py); payloads made untimed."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    app = ledger(f"sqlite:///{path}")
    try:
        payloads = [survey_fields(index) for index in range(count)]
        start = time.perf_counter()
        for fields in payloads:
            app.save(PeerParcel.survey(fields))
        return count / (time.perf_counter() - start)
    finally:
        close(app)


def rebuild_figures(services: Services, store: Path, report: Callable[[str], None]) -> list[Figure]:
    """Each read model rebuilt from the log, against a raw sequential read of the same log."""
    events = count_events(store)
    raw = raw_read_rate(store)
    figures = []
    for name in services.projector.models:
        start = time.perf_counter()
        services.projector.rebuild(name)
        seconds = time.perf_counter() - start
        report(f"rebuilt {name} from {events:,} events in {seconds:.1f} s")
        figures.append(Figure(f"rebuild {name}", events / seconds, raw, "events/s",
                              "raw sequential read (sqlite3, fetchmany 10,000)"))
    return figures


def raw_read_rate(store: Path) -> float:
    """Events/s of reading every row of the log in id order through a plain sqlite3 cursor."""
    with closing(sqlite3.connect(store)) as db:
        start = time.perf_counter()
        cursor = db.execute("SELECT id, originator_id, originator_version, topic, state FROM landreg_events "
                            "ORDER BY id")
        rows = sum(len(batch) for batch in iter(lambda: cursor.fetchmany(CHUNK), []))
        return rows / (time.perf_counter() - start)


class RawQueries:
    """The questions `projections.queries` answers, in plain sqlite3 SQL on a connection of its own."""

    def __init__(self, store: Path) -> None:
        self.db = sqlite3.connect(store)

    def parcel(self, nib: str) -> Any:
        return self.db.execute("SELECT * FROM landreg_parcels WHERE nib = ?", (nib,)).fetchone()

    def by_holder(self, holder_id: str) -> list[Any]:
        return self.db.execute("SELECT p.* FROM landreg_holdings h JOIN landreg_parcels p ON p.nib = h.nib "
                               "WHERE h.holder_id = ? ORDER BY h.nib LIMIT 100", (holder_id,)).fetchall()

    def in_bbox(self, window: tuple[float, float, float, float]) -> list[Any]:
        """The R*Tree's boxes joined to the rows, then the exact test in shapely (as spatial/index_sqlite.py)."""
        probe = shapely.box(*window)
        shapely.prepare(probe)
        minx, miny, maxx, maxy = window
        rows = self.db.execute(RAW_BBOX, {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}).fetchall()
        return [row for row in rows if probe.intersects(shapely.from_wkb(row[-1]))][:100]

    def sample(self, table: str, column: str, count: int, rng: random.Random) -> list[Any]:
        """`count` values of the column drawn from random rows (by rowid; with repeats when the table is small)."""
        top = self.db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
        picks = sorted({rng.randint(1, top) for _ in range(count)}) if top else []
        marks = ", ".join("?" * len(picks))
        found = [row[0] for row in self.db.execute(f"SELECT {column} FROM {table} WHERE rowid IN ({marks})", picks)]
        return rng.choices(found, k=count) if found else []

    def windows(self, nibs: list[str]) -> list[tuple[float, float, float, float]]:
        """A ~100 m box at the south-west corner of each parcel's footprint (degrees)."""
        corners = [self.db.execute("SELECT minx, miny FROM landreg_footprints_rtree WHERE id = ?",
                                   (int(nib),)).fetchone()
                   for nib in nibs]
        return [(x, y, x + WINDOW_DEGREES, y + WINDOW_DEGREES) for x, y in filter(None, corners)]


def query_figures(services: Services, store: Path, samples: int = SAMPLES) -> list[Figure]:
    """p50 and p99 of each lookup through `services.queries`, against the raw SQL answering it."""
    rng = random.Random(5)
    raw = RawQueries(store)
    queries = services.queries
    with closing(raw.db):
        nibs = raw.sample("landreg_parcels", "nib", samples, rng)
        holders = raw.sample("landreg_holdings", "holder_id", samples, rng)
        pairs: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], list[Any]]] = [
            ("NIB lookup", queries.parcel, raw.parcel, nibs),
            ("holder lookup", queries.by_holder, raw.by_holder, holders),
            ("bbox ~100 m (<= 100 results)", lambda window: queries.in_bbox(*window), raw.in_bbox, raw.windows(nibs)),
        ]
        return list(_latency_figures(pairs))


def _latency_figures(pairs: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], list[Any]]],
                     ) -> Iterator[Figure]:
    for name, ours, peer, arguments in pairs:
        ours_p50, ours_p99 = latencies(ours, arguments)
        peer_p50, peer_p99 = latencies(peer, arguments)
        yield Figure(f"{name} p50", ours_p50, peer_p50, "ms", "raw sqlite3 SQL, same lookup", QUERY_TARGET)
        yield Figure(f"{name} p99", ours_p99, peer_p99, "ms", "raw sqlite3 SQL, same lookup", QUERY_TARGET)
