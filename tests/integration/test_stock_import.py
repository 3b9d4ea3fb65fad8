"""The bulk path for a legacy stock: `register_parcel` lines (a parcel surveyed and titled at
once) keep every rule of submit_survey + register_title, and land in one transaction a chunk."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from api import importer
from api.bootstrap import Services
from registry.domain.errors import RegistryError
from registry.domain.identifiers import make_nib
from registry.domain.values import Actor
from tests.geometries import MULTIPART, SELF_INTERSECTING, WITH_HOLE, grid_squares, square
from tests.support import (
    DEED,
    LAT,
    LON,
    OFFICER,
    SURVEY,
    SURVEYOR,
    VILLAGE,
    citizen,
    foreigner,
    store_state,
)

IMPORTER = Actor("import", "system")


def stock_line(geometry: dict[str, Any], holders: list[dict[str, str]] | None = None, **changes: Any) -> str:
    args = {"village_code": VILLAGE, "geometry": geometry, "survey": SURVEY, "right_type": "HM",
            "holders": holders or [citizen("warga-1")], "ends_on": None, "source": DEED, **changes}
    return json.dumps({"command": "register_parcel", "args": args})


def write(folder: Path, lines: list[str]) -> Path:
    path = folder / "stock.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def rows(services: Services, query: str) -> list[tuple[Any, ...]]:
    with services.registry.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(query))]


def test_stock_lines_land_like_a_survey_and_a_title_each(services: Services, tmp_path: Path) -> None:
    cells = grid_squares(LON, LAT, 40, 2)
    path = write(tmp_path, [stock_line(cells[0]), stock_line(WITH_HOLE), stock_line(MULTIPART, [citizen("a", "1/3"),
                            citizen("b", "2/3")])])
    report = importer.run(services.registry, path, IMPORTER)
    assert (report.accepted, report.rejected) == (3, [])
    registry = services.registry
    nib = make_nib(VILLAGE, 3)
    title = registry.title_on(nib)
    assert title is not None and title.edition == 1 and [h["id"] for h in title.holders] == ["a", "b"]
    assert registry.get_parcel(nib).certificate_number == title.certificate_number
    assert [e.__class__.__name__ for e in registry.repository.event_store.get(registry.get_parcel(nib).id)] == [
        "Surveyed", "TitleRegistered"]
    # Read models and the guard's index were written in the same transaction.
    assert rows(services, "SELECT nib FROM landreg_parcels ORDER BY nib") == [
        (make_nib(VILLAGE, n),) for n in (1, 2, 3)]
    assert rows(services, "SELECT count(*) FROM landreg_footprints") == [(3,)]
    assert rows(services, "SELECT count(*) FROM landreg_certificates") == [(3,)]
    # What the single commands would have recorded for the same parcel, field by field.
    single = registry.submit_survey(VILLAGE, cells[1], SURVEY, actor=SURVEYOR)
    registry.register_title(single["nib"], "HM", [citizen("warga-1")], None, DEED, actor=OFFICER)
    bulk, one = registry.get_parcel(make_nib(VILLAGE, 1)), registry.get_parcel(single["nib"])
    assert (bulk.area_m2, bulk.village_code, bulk.status) == (one.area_m2, one.village_code, one.status)
    assert registry.verify_log().ok


def test_refused_stock_lines_name_the_field_and_write_nothing(services: Services, tmp_path: Path) -> None:
    first = square(LON, LAT, 50)
    path = write(tmp_path, [
        stock_line(first),
        stock_line(square(LON + 0.005, LAT, 50), registered_on="2999-01-01"),  # a legacy date in the future
        stock_line(SELF_INTERSECTING),
        stock_line(square(LON + 0.01, LAT, 50), [foreigner("f-1")]),  # a foreigner cannot hold hak milik
        stock_line(square(LON + 0.02, LAT, 50), survey={**SURVEY, "surveyed_on": "2999-01-01"}),
        stock_line(square(LON + 0.03, LAT, 50), colour="red"),
    ])
    report = importer.run(services.registry, path, IMPORTER)
    assert report.accepted == 1
    assert [(r["line"], r["error"]) for r in report.rejected] == [
        (2, "future_date"), (3, "invalid_geometry"), (4, "ineligible_holder"), (5, "future_date"), (6, "invalid_input")]
    assert report.rejected[0]["field"] == "registered_on"
    assert report.rejected[1]["field"] == "geometry"
    # Only the first parcel exists, and it took the first serials: the refused took none.
    assert rows(services, "SELECT scope, key, value FROM landreg_counters ORDER BY 1") == [
        ("nib", VILLAGE, 1), ("right:1", VILLAGE, 1)]
    # A legacy parcel overlapping the stored one is not refused: it lands in conflict with it, recorded
    # on both (tests/integration/test_conflicts.py).
    again = importer.run(services.registry, write(tmp_path, [stock_line(square(LON + 0.0002, LAT, 50))]), IMPORTER)
    assert (again.accepted, again.rejected) == (1, [])
    assert set(services.registry.get_parcel(make_nib(VILLAGE, 2)).open_conflicts) == {make_nib(VILLAGE, 1)}
    assert set(services.registry.get_parcel(make_nib(VILLAGE, 1)).open_conflicts) == {make_nib(VILLAGE, 2)}


def test_importing_the_stock_again_writes_nothing_and_returns_the_same(services: Services, tmp_path: Path) -> None:
    path = write(tmp_path, [stock_line(g) for g in grid_squares(LON, LAT, 30, 3)])
    first = importer.run(services.registry, path, IMPORTER, batch=4)
    before = store_state(services.registry)
    second = importer.run(services.registry, path, IMPORTER, batch=4)
    assert (first.accepted, second.accepted, second.rejected) == (9, 9, [])
    assert store_state(services.registry) == before


def test_bulk_chunk_after_events_the_read_models_have_not_seen_brings_them_up_to_date(
    services: Services, tmp_path: Path,
) -> None:
    """The bulk path hands its own events to the read models; whatever was written before them
    and not yet applied (here: commands with the inline update switched off) is read from the log."""
    registry, queries, projector = services.registry, services.queries, services.projector
    cells = grid_squares(LON, LAT, 40, 2)
    registry.after_save = None
    earlier = registry.submit_survey(VILLAGE, cells[0], SURVEY, actor=SURVEYOR)["nib"]
    registry.register_title(earlier, "HM", [citizen("lama")], None, DEED, actor=OFFICER)
    assert queries.parcel(earlier) is None
    registry.after_save = projector.inline
    report = importer.run(registry, write(tmp_path, [stock_line(cells[1]), stock_line(cells[2])]), IMPORTER)
    assert (report.accepted, report.rejected) == (2, [])
    assert [r["nib"] for r in queries.by_holder("lama").items] == [earlier]
    assert len(queries.by_holder("warga-1").items) == 2
    assert all(s.lag == 0 for s in projector.status())
    head = rows(services, "SELECT max(id) FROM landreg_events")[0][0]
    assert rows(services, "SELECT max(position) FROM landreg_parcels")[0][0] == head


REFUSED_BOTH_WAYS = [  # (changes to a stock entry, the error both paths give)
    ({"right_type": "HGU", "ends_on": "2040-01-01"}, "invalid_input"),  # HGU on 50 x 50 m: below its minimum area
    ({"holders": [foreigner("f-1")]}, "ineligible_holder"),
    ({"right_type": "HGB", "ends_on": None}, "invalid_term"),
    ({"survey": {**SURVEY, "surveyed_on": "2999-01-01"}}, "future_date"),
    ({"source": {**DEED, "sha256": "no"}}, "invalid_input"),
    ({"geometry": SELF_INTERSECTING}, "invalid_geometry"),
]


def test_the_bulk_path_refuses_what_the_single_commands_refuse(services: Services, tmp_path: Path) -> None:
    """One set of rules: each bad entry is refused by register_parcels, writing nothing, with the
    error, details and message that submit_survey then register_title give for the same input."""
    registry = services.registry
    entries = [{**json.loads(stock_line(square(LON + 0.01 * i, LAT, 50)))["args"], **changes}
               for i, (changes, _) in enumerate(REFUSED_BOTH_WAYS)]
    before = store_state(registry)
    bulk = registry.register_parcels(entries, [f"refused-{i}" for i in range(len(entries))], actor=IMPORTER)
    assert store_state(registry) == before
    for entry, (changes, code), refused in zip(entries, REFUSED_BOTH_WAYS, bulk):
        single = _single_refusal(services, entry)
        assert isinstance(refused, RegistryError) and refused.code == code, (changes, refused)
        assert _said(refused) == _said(single)


def _said(error: RegistryError) -> str:
    """An error as a client reads it, the NIB a single command names made anonymous (the stock
    path refuses before a NIB is given)."""
    return re.sub(r"parcel \d{13}", "the parcel", repr((error.code, error.details, error.message)))


def _single_refusal(services: Services, entry: dict[str, Any]) -> RegistryError:
    """What the single commands say of a stock entry (a survey they accept stays)."""
    registry = services.registry
    try:
        nib = registry.submit_survey(entry["village_code"], entry["geometry"], entry["survey"], actor=SURVEYOR)["nib"]
        registry.register_title(nib, entry["right_type"], entry["holders"], entry["ends_on"], entry["source"],
                                actor=OFFICER)
    except RegistryError as error:
        return error
    raise AssertionError(f"the single commands accepted {entry}")


def test_a_right_type_out_of_numbers_takes_no_nib(services: Services, tmp_path: Path) -> None:
    """Serials come from one object on both paths: when a village has no HM numbers left the
    entry is refused and its NIB is not used up, so the next parcel gets it."""
    registry = services.registry
    with registry.engine.begin() as connection:
        connection.execute(text("INSERT INTO landreg_counters (scope, key, value) VALUES ('right:1', :v, 99999)"),
                           {"v": VILLAGE})
    cells = grid_squares(LON, LAT, 40, 2)
    hm = json.loads(stock_line(cells[0]))["args"]
    hgb = json.loads(stock_line(cells[1], right_type="HGB", ends_on="2045-01-01"))["args"]
    refused, accepted = registry.register_parcels([hm, hgb], ["hm", "hgb"], actor=IMPORTER)
    assert isinstance(refused, RegistryError) and refused.code == "serials_exhausted"
    assert isinstance(accepted, dict) and accepted["nib"] == make_nib(VILLAGE, 1)
    with pytest.raises(RegistryError, match="no HM numbers left"):
        nib = registry.submit_survey(VILLAGE, cells[2], SURVEY, actor=SURVEYOR)["nib"]
        assert nib == make_nib(VILLAGE, 2)
        registry.register_title(nib, "HM", [citizen("x")], None, DEED, actor=OFFICER)


def test_stock_checked_in_worker_processes_lands_as_when_checked_in_process(
    services: Services, tmp_path: Path,
) -> None:
    """Chunks after the first are checked in a worker process while the one before is written:
    the same refusals (errors with every detail) and numbers in order as with no workers."""
    registry = services.registry

    def stock(lon: float) -> list[str]:
        lines = [stock_line(g) for g in grid_squares(lon, LAT, 30, 3)]
        lines[4] = stock_line(SELF_INTERSECTING)
        lines[7] = stock_line(square(lon + 0.01, LAT, 30), [foreigner("f-1")])
        return lines

    registry.settings.import_workers = 0
    alone = importer.run(registry, write(tmp_path, stock(LON)), IMPORTER, batch=2)
    registry.settings.import_workers = 1
    (tmp_path / "pooled").mkdir()
    pooled = importer.run(registry, write(tmp_path / "pooled", stock(LON + 0.02)), IMPORTER, batch=2)
    assert [(r["line"], r["error"], r.get("field")) for r in pooled.rejected] == [
        (5, "invalid_geometry", "geometry"), (8, "ineligible_holder", "holders[0]")]
    assert (pooled.accepted, pooled.rejected) == (alone.accepted, alone.rejected) == (7, pooled.rejected)
    assert rows(services, "SELECT nib FROM landreg_parcels ORDER BY nib") == [
        (make_nib(VILLAGE, n),) for n in range(1, 15)]
