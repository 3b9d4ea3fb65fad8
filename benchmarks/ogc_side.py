"""OGC API - Features over HTTP against the raw PostGIS query of the same page, on one seeded cadastre.

    python -m benchmarks ogc --parcels 1000000

Fills a fresh PostgreSQL database with the synthetic cadastre's stock (benchmarks/cadastre.py,
through the import's bulk path), rebuilds the `parcels` read model, serves it with `landreg serve` in a child
process and times, one keep-alive client at a time, `/ogc/collections/parcels/items?bbox=` for a
~100 m box (its parcel count is in the facts) and a 1,000-feature page (`limit=1000&cursor=`), beside the raw
SQL on the QGIS view `landreg_gis_parcels` that answers the same page: once as rows, once building the GeoJSON
in PostGIS.
"""
from __future__ import annotations

import http.client
import json
import random
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from api.bootstrap import build
from benchmarks import cadastre
from benchmarks.http_load import Server
from benchmarks.read_side import BENCH_FOLDER, Figure, bench_settings, fresh_database, latencies

BOX_DEGREES = 0.0009  # about 100 m at Jakarta's latitude: 25 to 36 parcels of 20 m
PAGE = 1_000
ROWS = "SELECT * FROM landreg_gis_parcels WHERE {where} ORDER BY nib LIMIT {limit}"
IN_BOX = "geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) AND ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))"
AFTER = "nib > %s"
# The same FeatureCollection built by PostGIS: RFC 7946 rings (exterior counter-clockwise), 7 decimals.
GEOJSON = ("SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object("
           "'type', 'Feature', 'id', nib, 'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 7)::json, "
           "'properties', json_build_object('nib', nib, 'village_code', village_code, 'area_m2', area_m2, "
           "'status', status, 'right_type', right_type, 'certificate_number', certificate_number, "
           "'edition', edition, 'holders', holders, 'has_mortgage', has_mortgage, 'is_blocked', is_blocked)) "
           "ORDER BY nib), '[]'))::text FROM (" + ROWS + ") AS page")


def run(url: str, parcels: int, report: Callable[[str], None] = print, reuse: bool = False,
        samples: int = 1_000) -> tuple[dict[str, Any], list[Figure]]:
    """Seed (unless `reuse` finds a log), rebuild, serve, then measure ours and the peers."""
    facts = _prepare(url, parcels, report, reuse)
    boxes, cursors = _arguments(url, samples)
    facts["parcels_per_box"] = round(features_per_box(url, boxes), 1)
    with Server(url, BENCH_FOLDER / "ogc") as server:
        token = server.token("officer")
        figures = _measure(server.port, token, url, boxes, cursors)
    return facts, figures


def _prepare(url: str, parcels: int, report: Callable[[str], None], reuse: bool) -> dict[str, Any]:
    folder = BENCH_FOLDER / "ogc"
    folder.mkdir(parents=True, exist_ok=True)
    if not reuse:
        fresh_database(url)
    services = build(bench_settings(url, folder, fresh=not reuse), inline_projections=False)
    try:
        with services.registry.engine.connect() as connection:
            events = int(connection.execute(text("SELECT count(*) FROM landreg_events")).scalar_one())
        if not events:
            started = time.perf_counter()
            cadastre.load(services.registry, parcels, progress=_progress(report, parcels))
            with services.registry.engine.connect() as connection:
                events = int(connection.execute(text("SELECT count(*) FROM landreg_events")).scalar_one())
            report(f"imported {parcels:,} parcels, {events:,} events in {time.perf_counter() - started:.0f} s")
            started = time.perf_counter()
            services.projector.rebuild("parcels")
            report(f"rebuilt the parcels read model in {time.perf_counter() - started:.0f} s")
        with services.registry.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
            active = int(connection.execute(text("SELECT count(*) FROM landreg_footprints")).scalar_one())
    finally:
        services.close()
    return {"parcels": active, "events": events, "store": "postgresql"}


def _progress(report: Callable[[str], None], parcels: int) -> Callable[[int], None]:
    """A line every ~100,000 parcels, so a long import shows it is moving."""
    last = [0]

    def step(done: int) -> None:
        if done - last[0] >= 100_000:
            last[0] = done
            report(f"  {done:,} of {parcels:,} parcels imported")
    return step


def _arguments(url: str, samples: int) -> tuple[list[tuple[float, ...]], list[str]]:
    """Random ~100 m boxes on parcels, and random NIBs to start 1,000-feature pages after."""
    import psycopg2

    with psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql")) as connection, \
            connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.5)")  # the same boxes and pages each run on the same cadastre
        cursor.execute("SELECT ST_XMin(geom), ST_YMin(geom), nib FROM landreg_footprints ORDER BY random() LIMIT %s",
                       (samples,))
        rows = cursor.fetchall()
    # Rounded as the URL carries them, so that the service and the raw query are asked the same box.
    boxes = [tuple(round(v, 7) for v in (x, y, x + BOX_DEGREES, y + BOX_DEGREES)) for x, y, _ in rows]
    cursors = [nib for _, _, nib in rows]
    random.Random(1).shuffle(cursors)
    return boxes, cursors


def _measure(port: int, token: str, url: str, boxes: list[tuple[float, ...]],
             cursors: list[str]) -> list[Figure]:
    import psycopg2

    client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/geo+json"}

    def ogc(path: str) -> list[str]:
        try:
            client.request("GET", path, headers=headers)
            response = client.getresponse()
        except http.client.RemoteDisconnected:  # idle past the server's keep-alive (a slow peer ran): reconnect
            client.close()
            client.request("GET", path, headers=headers)
            response = client.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
        return [feature["id"] for feature in json.loads(body)["features"]]

    raw = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
    raw.autocommit = True
    cursor = raw.cursor()

    def sql(statement: str, parameters: tuple[Any, ...]) -> Any:
        cursor.execute(statement, parameters)
        return cursor.fetchall()

    box_rows = ROWS.format(where=IN_BOX, limit=100)
    box_json = GEOJSON.format(where=IN_BOX, limit=100)
    page_rows = ROWS.format(where=AFTER, limit=PAGE)
    page_json = GEOJSON.format(where=AFTER, limit=PAGE)
    Plan = tuple[str, Callable[[Any], list[str]], Callable[[Any], Any], Callable[[Any], Any], list[Any]]
    plans: list[Plan] = [
        ("bbox ~100 m", lambda b: ogc("/ogc/collections/parcels/items?bbox=" + ",".join(f"{v:.7f}" for v in b)),
         lambda b: sql(box_rows, (*b, *b)), lambda b: sql(box_json, (*b, *b)), boxes),
        (f"page of {PAGE:,}", lambda c: ogc(f"/ogc/collections/parcels/items?limit={PAGE}&cursor={c}"),
         lambda c: sql(page_rows, (c,)), lambda c: sql(page_json, (c,)), cursors),
    ]
    figures = []
    for name, ours, rows, built, arguments in plans:
        for argument in arguments[:5]:  # the peers answer the same question: the same parcels, in order
            if ours(argument) != [row[0] for row in rows(argument)]:
                raise RuntimeError(f"{name}: the service and the raw query disagree for {argument}")
        mine = latencies(ours, arguments)
        for peer_name, peer in (("raw PostGIS query on the view, rows", rows),
                                ("raw PostGIS query on the view, GeoJSON built in SQL", built)):
            theirs = latencies(peer, arguments)
            for cut, o, p in zip(("p50", "p99"), mine, theirs):
                figures.append(Figure(f"/ogc items {name} {cut}", o, p, "ms", peer_name))
    raw.close()
    client.close()
    return figures


def features_per_box(url: str, boxes: list[tuple[float, ...]]) -> float:
    """The mean count of parcels in the boxes (a fact of the run, printed beside the figures)."""
    import psycopg2

    with psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql")) as connection, \
            connection.cursor() as cursor:
        counts = []
        for b in boxes[:200]:
            cursor.execute(f"SELECT count(*) FROM landreg_gis_parcels WHERE {IN_BOX}", (*b, *b))
            counts.append(cursor.fetchone()[0])
    return sum(counts) / max(len(counts), 1)

