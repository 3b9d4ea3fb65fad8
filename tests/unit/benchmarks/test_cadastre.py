"""The synthetic cadastre generator: seeded, streaming, and every village tiled exactly."""
from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
import shapely
from shapely import MultiPolygon, Polygon

from benchmarks.cadastre import Plan, book_after_year, generate, village_code, village_land, write
from registry.domain import identifiers
from spatial.geometry import Surface

SMALL: dict[str, Any] = {"parcels": 600, "seed": 3, "activity": 1.0, "per_village": 300}
PLAN = Plan(**SMALL)


def lines(**options: Any) -> list[bytes]:
    return [orjson.dumps(command) for command in generate(**options)]


def assert_tiles(village: Polygon, parcels: list[Surface]) -> None:
    """Valid parcels whose union is the village and of which no two overlap."""
    assert all(parcel.is_valid for parcel in parcels)
    union = shapely.union_all(parcels)
    assert abs(union.area - village.area) <= 1e-6 * village.area
    assert union.difference(village).area == 0
    assert abs(sum(parcel.area for parcel in parcels) - village.area) <= 1e-6 * village.area
    left, right = shapely.STRtree(parcels).query(parcels, predicate="intersects")
    pairs = [(i, j) for i, j in zip(left.tolist(), right.tolist(), strict=True) if i < j]
    assert pairs, "neighbours touch"
    overlaps = [shapely.intersection(parcels[i], parcels[j]).area for i, j in pairs]
    assert max(overlaps) < 1e-6  # the registry tolerates 0.5 m² and 0.1 %; these share edges exactly


def test_the_same_seed_gives_the_same_lines_and_another_seed_others() -> None:
    first = lines(**SMALL)

    assert lines(**SMALL) == first
    other = lines(**{**SMALL, "seed": 4})
    assert other != first
    assert other[0] != first[0]  # the land differs, not only the year


def test_the_output_does_not_depend_on_the_process(tmp_path: Path) -> None:
    here = tmp_path / "here.jsonl"
    write(here, **SMALL)
    there = tmp_path / "there.jsonl"
    code = f"from benchmarks.cadastre import write; write({str(there)!r}, **{SMALL!r})"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(Path(__file__).parents[3])}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)

    assert hashlib.sha256(there.read_bytes()).digest() == hashlib.sha256(here.read_bytes()).digest()


def test_the_plan_counts_every_line_stock_first() -> None:
    commands = [orjson.loads(line)["command"] for line in lines(**SMALL)]

    assert len(commands) == PLAN.lines() == 600 + 600
    assert commands[:600] == ["register_parcel"] * 600


def test_the_stock_can_be_sent_as_a_survey_and_a_title_per_parcel() -> None:
    commands = [line["command"] for line in generate(**SMALL, bulk_stock=False)]
    bulk = list(generate(**SMALL))

    assert len(commands) == Plan(**{**SMALL, "bulk_stock": False}).lines() == 2 * 600 + 600
    assert commands[:1200] == ["submit_survey", "register_title"] * 600
    assert set(bulk[0]["args"]) == {"village_code", "geometry", "crs", "survey", "right_type", "holders",
                                    "ends_on", "source"}


def test_parcels_tile_each_village_exactly() -> None:
    for index in range(PLAN.villages):
        village, parcels = village_land(PLAN, index)

        assert_tiles(village, parcels)
        assert len(parcels) == PLAN.stock(index) + PLAN.reserve(index)


def test_some_parcels_have_a_hole_that_is_another_parcel_and_some_are_multipart() -> None:
    _, parcels = village_land(PLAN, 0)
    holed = [p for p in parcels if isinstance(p, Polygon) and p.interiors]
    multipart = [p for p in parcels if isinstance(p, MultiPolygon)]

    assert len(multipart) >= 1
    assert len(holed) >= len(multipart) + 2  # hosts of islands that are parcels, and of multipart islands
    for host in holed:
        hole = Polygon(host.interiors[0])
        assert any(shapely.equals(hole, part) for p in parcels if p is not host for part in shapely.get_parts(p))


def test_the_tiling_survives_a_year_of_subdivisions_and_mergers() -> None:
    book = book_after_year(PLAN, 0)
    village, _ = village_land(PLAN, 0)

    assert_tiles(village, [lot.shape for lot in book.lots.values()] + book.reserve)
    assert book.nib_serial > len(book.lots)  # parcels retired into children and merged parcels


def test_parcels_are_of_realistic_size() -> None:
    _, parcels = village_land(Plan(2_500, seed=1), 0)
    areas = np.array([parcel.area for parcel in parcels])

    assert 200 < np.median(areas) < 1_000
    assert np.percentile(areas, 5) > 100
    assert areas.min() > 30 and areas.max() < 10_000


def test_villages_have_valid_distinct_codes_and_lie_side_by_side_without_overlapping() -> None:
    plan = Plan(1_300, seed=1, per_village=100)
    villages = [village_land(plan, index)[0] for index in range(plan.villages)]
    codes = [village_code(index) for index in range(plan.villages)]

    assert [identifiers.village_code(code) for code in codes] == codes
    assert len(set(codes)) == len(codes) == 13
    assert village_code(1_000)[:2] != village_code(999)[:2]  # a thousand villages a province
    for one, other in itertools.combinations(villages, 2):
        assert shapely.intersection(one, other).area == 0
    assert shapely.touches(villages[0], villages[1])


def test_ten_million_parcels_stream_village_by_village() -> None:
    tracemalloc.start()
    try:
        first = list(itertools.islice(generate(10_000_000, seed=1), 100))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [line["command"] for line in first[:2]] == ["register_parcel", "register_parcel"]
    assert peak < 50_000_000  # one village; ten million parcels would need gigabytes
    assert Plan(10_000_000).lines() == 11_000_000


def dated(args: dict[str, Any]) -> str:
    return str(args["survey"]["surveyed_on"] if "survey" in args else args["source"]["date"])


def test_documents_are_dated_on_or_before_what_they_prove_and_within_the_year() -> None:
    commands = [orjson.loads(line)["args"] for line in lines(**SMALL)]
    start, end = PLAN.start.isoformat(), PLAN.end.isoformat()

    assert all("1997-01-01" <= dated(args) < start for args in commands[:600])
    for args in commands[600:]:
        effective = args.get("effective_at", dated(args))
        assert dated(args) <= effective
        assert start <= effective <= end


def test_the_mix_decides_what_the_year_holds() -> None:
    year = list(generate(300, seed=2, activity=0.5, mix={"place_block": 1}))[300:]

    assert {command["command"] for command in year} == {"place_block"}
    assert len({command["args"]["nib"] for command in year}) == len(year) == 150  # one block a title
    with pytest.raises(ValueError, match="unknown actions"):
        Plan(10, mix={"steal": 1})
