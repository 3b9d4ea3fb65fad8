"""GIS files in and out through GDAL on every backend: a GeoPackage and a Shapefile in TM-3
(EPSG:23834) written with pyogrio land the right parcels with the right areas, a file in a CRS the
registry does not take is reprojected, and an export imports again without a change."""
from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyogrio
import pyogrio.raw
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from api import exporter, importer
from api.bootstrap import Services, build
from registry.domain.values import Actor
from registry.persistence.settings import Settings
from tests.conftest import TODAY, wipe
from tests.support import LAT, LON, VILLAGE

IMPORTER = Actor("import", "system")
TM3 = 23834  # DGN95 / Indonesia TM-3 zone 48.2, Jakarta
X, Y = pyproj.Transformer.from_crs(4326, TM3, always_xy=True).transform(LON, LAT)
AREAS = [Decimal("1200.00"), Decimal("2400.00"), Decimal("800.00")]


def tm3_parcels() -> list[Any]:
    """In metres: a 30 x 40 m rectangle, a 50 m square with a 10 m hole, two 20 m squares as one
    parcel, then a bow tie that crosses itself."""
    square = box(X + 100, Y, X + 150, Y + 50)
    return [
        box(X, Y, X + 30, Y + 40),
        Polygon(square.exterior.coords, [box(X + 120, Y + 20, X + 130, Y + 30).exterior.coords]),
        MultiPolygon([box(X + 200, Y, X + 220, Y + 20), box(X + 240, Y, X + 260, Y + 20)]),
        Polygon([(X + 300, Y), (X + 320, Y + 20), (X + 320, Y), (X + 300, Y + 20)]),
    ]


def write_surveys(path: Path, geometries: list[Any], crs: str | None = f"EPSG:{TM3}") -> Path:
    """A GIS file of surveys as a GIS user makes it; the last feature has no document hash."""
    count = len(geometries) + 1
    geometries = [*geometries, box(X + 400, Y, X + 410, Y + 10)]
    hashes = np.array(["a" * 64] * (count - 1) + [None], dtype=object)
    fields = [np.array([VILLAGE] * count, dtype=object), np.array([f"GU-{i}/2025" for i in range(count)], dtype=object),
              hashes, np.array(["2025-01-02"] * count, dtype="datetime64[D]")]
    pyogrio.raw.write(path, np.array([shapely.to_wkb(g) for g in geometries], dtype=object), fields,
                      ["village_code", "document_number", "document_sha256", "surveyed_on"],
                      geometry_type="MultiPolygon", promote_to_multi=True, crs=crs)
    return path


def landed(services: Services) -> list[dict[str, Any]]:
    return services.queries.in_village(VILLAGE, limit=1000, status="active").items


@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")  # dBase's 10 characters, as expected
@pytest.mark.parametrize("name", ["surveys.gpkg", "surveys.shp"])
def test_a_tm3_file_lands_the_right_parcels_with_the_right_areas(services: Services, tmp_path: Path,
                                                                  name: str) -> None:
    path = write_surveys(tmp_path / name, tm3_parcels())
    if name.endswith(".shp"):  # dBase cuts the names: document_number -> document_n
        assert "document_n" in list(pyogrio.read_info(path)["fields"])
    assert importer.count(path) == 5
    report = importer.run(services.registry, path, IMPORTER)
    assert report.accepted == 3
    assert [(r["line"], r["error"]) for r in report.rejected] == [(4, "invalid_geometry"), (5, "invalid_input")]
    rows = landed(services)
    assert [r["area_m2"] for r in rows] == AREAS
    assert {r["epsg"] for r in rows} == {TM3}
    stored = [shapely.from_wkb(r["geometry"]) for r in rows]
    assert [s.geom_type for s in stored] == ["Polygon", "Polygon", "MultiPolygon"]
    assert all(shapely.equals(s, g) for s, g in zip(stored, tm3_parcels(), strict=False))
    assert importer.run(services.registry, path, IMPORTER).accepted == 3 and len(landed(services)) == 3  # resumed


def test_a_file_in_a_crs_the_registry_does_not_take_is_reprojected(services: Services, tmp_path: Path) -> None:
    to_mercator = pyproj.Transformer.from_crs(TM3, 3857, always_xy=True)
    mercator = [shapely.transform(g, to_mercator.transform, interleaved=False) for g in tm3_parcels()[:1]]
    report = importer.run(services.registry, write_surveys(tmp_path / "mercator.fgb", mercator, "EPSG:3857"), IMPORTER)
    assert report.accepted == 1
    (row,) = landed(services)
    assert row["epsg"] == 4326 and abs(row["area_m2"] - AREAS[0]) <= Decimal("0.01")


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_a_file_without_a_crs_is_refused_feature_by_feature(services: Services, tmp_path: Path) -> None:
    report = importer.run(services.registry, write_surveys(tmp_path / "bare.gpkg", tm3_parcels()[:1], None), IMPORTER)
    assert report.accepted == 0 and "no CRS" in report.rejected[0]["reason"]


@pytest.fixture
def emptied(services: Services, tmp_path: Path) -> Iterator[Any]:
    """A function giving an empty registry on the same backend, for the second half of a round trip."""
    made: list[Services] = []

    def empty() -> Services:
        if services.settings.store == "postgresql":
            wipe(services.registry)
            return services
        second = tmp_path / "second"
        second.mkdir()
        settings = Settings(database_url=f"sqlite:///{second}/landreg.db", audit_key_file=second / "key.pem",
                            audit_anchor_file=second / "anchors.jsonl")
        made.append(build(settings, clock=lambda: TODAY))
        return made[-1]

    yield empty
    for other in made:
        other.close()


def exported(services: Services, path: Path, kind: str) -> Path:
    rows = exporter.parcels(services.queries, VILLAGE, None)
    exporter.write(path, kind, rows, exporter.records(services.queries, rows, holders=False))
    return path


def contents(path: Path) -> tuple[Any, ...]:
    if path.suffix == ".geojson":
        document = orjson.loads(path.read_bytes())
        return document["bbox"], [(f["geometry"], f["properties"]) for f in document["features"]]
    meta, _, geometries, fields = pyogrio.raw.read(path)
    return meta["crs"], list(meta["fields"]), [bytes(g) for g in geometries], [[_plain(v) for v in f] for f in fields]


def _plain(value: Any) -> Any:
    """A value read back, comparable: a missing number (NaN) as None, a numpy scalar as Python's."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and math.isnan(value) else value


@pytest.mark.parametrize("kind", ["gpkg", "fgb"])
def test_an_export_imports_again_without_a_change(services: Services, tmp_path: Path, emptied: Any,
                                                  kind: str) -> None:
    importer.run(services.registry, write_surveys(tmp_path / "surveys.gpkg", tm3_parcels()), IMPORTER)
    first = exported(services, tmp_path / f"first.{kind}", kind)
    assert pyogrio.read_info(first)["crs"] == f"EPSG:{TM3}"  # the parcels' own CRS, coordinates untouched
    again = emptied()
    assert importer.run(again.registry, first, IMPORTER).accepted == 3
    assert contents(exported(again, tmp_path / f"second.{kind}", kind)) == contents(first)
    assert [r["area_m2"] for r in landed(again)] == AREAS


def test_a_geojson_export_is_rfc_7946_and_imports_again(services: Services, tmp_path: Path, emptied: Any) -> None:
    from tests.rfc7946 import assert_rfc7946

    importer.run(services.registry, write_surveys(tmp_path / "surveys.gpkg", tm3_parcels()), IMPORTER)
    first = exported(services, tmp_path / "first.geojson", "geojson")
    assert_rfc7946(orjson.loads(first.read_bytes()))
    again = emptied()
    assert importer.run(again.registry, first, IMPORTER).accepted == 3
    bbox, features = contents(exported(again, tmp_path / "second.geojson", "geojson"))
    first_bbox, first_features = contents(first)
    assert bbox == first_bbox and [g for g, _ in features] == [g for g, _ in first_features]
    # Rounded to 7 decimals (about 1 cm), the areas move by less than a square metre.
    for (_, now), (_, then) in zip(features, first_features, strict=True):
        assert abs(now.pop("area_m2") - then.pop("area_m2")) < 1.0 and now == then


def test_a_csv_export_has_the_parcels_as_wkt(services: Services, tmp_path: Path) -> None:
    importer.run(services.registry, write_surveys(tmp_path / "surveys.gpkg", tm3_parcels()), IMPORTER)
    text = exported(services, tmp_path / "parcels.csv", "csv").read_text()
    header, *lines = text.splitlines()
    assert header.startswith("WKT,nib,village_code,area_m2") and len(lines) == 3
    assert lines[0].startswith('"MULTIPOLYGON (((106.8') and ",1200," in lines[0]


def test_landreg_import_and_export_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI wiring, on SQLite (the commands are the functions tested above on every backend)."""
    from typer.testing import CliRunner

    from api.cli import app

    def store(name: str) -> None:
        monkeypatch.setenv("LANDREG_DATABASE_URL", f"sqlite:///{tmp_path}/{name}.db")
        monkeypatch.setenv("LANDREG_AUDIT_KEY_FILE", str(tmp_path / f"{name}.pem"))
        monkeypatch.setenv("LANDREG_AUDIT_ANCHOR_FILE", str(tmp_path / f"{name}.jsonl"))

    runner = CliRunner()
    store("first")
    imported = runner.invoke(app, ["import", str(write_surveys(tmp_path / "surveys.gpkg", tm3_parcels()))])
    assert imported.exit_code == 1 and "3 accepted, 2 refused" in imported.output, imported.output
    first = runner.invoke(app, ["export", "--village", VILLAGE, "--format", "gpkg", "--out", str(tmp_path / "a.gpkg")])
    assert first.exit_code == 0 and "3 parcels written" in first.output, first.output
    boxed = runner.invoke(app, ["export", "--bbox", f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}",
                                "--format", "geojson", "--holders", "--out", str(tmp_path / "a.geojson")])
    assert boxed.exit_code == 0 and len(orjson.loads((tmp_path / "a.geojson").read_bytes())["features"]) == 3
    assert runner.invoke(app, ["export", "--out", str(tmp_path / "x.gpkg")]).exit_code == 2  # neither village nor box
    store("second")
    assert runner.invoke(app, ["import", str(tmp_path / "a.gpkg")]).exit_code == 0
    assert runner.invoke(app, ["export", "--village", VILLAGE, "--out", str(tmp_path / "b.gpkg")]).exit_code == 0
    assert contents(tmp_path / "b.gpkg") == contents(tmp_path / "a.gpkg")
