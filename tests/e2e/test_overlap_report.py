"""Overlapping legacy certificates over HTTP and the command line: the parcel shows its conflict,
a dealing is refused with /problems/in_conflict, the report lists the pair, the CLI writes it."""
from __future__ import annotations

from pathlib import Path

import pyogrio
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.bootstrap import Services
from api.cli import app as cli
from registry.domain.values import Actor
from tests.e2e.calls import Headers, assert_problem, mortgage_body, transfer_body
from tests.geometries import square
from tests.support import DEED, LAT, LON, SURVEY, VILLAGE, citizen, store_state


def stock(services: Services) -> list[str]:
    """Two legacy certificates, the second over half of the first."""
    entries = [{"village_code": VILLAGE, "geometry": square(LON + dx, LAT, 40), "survey": SURVEY, "right_type": "HM",
                "holders": [citizen("budi")], "ends_on": None, "source": {**DEED, "number": f"M-{n}"}}
               for n, dx in enumerate((0, 0.0002))]
    outcomes = services.registry.register_parcels(entries, ["a", "b"], actor=Actor("import", "system"))
    return [str(o["nib"]) for o in outcomes]  # type: ignore[index]


def test_a_parcel_in_conflict_says_so_refuses_dealings_and_is_reported(
    client: TestClient, services: Services, officer: Headers, auditor: Headers,
) -> None:
    first, second = stock(services)
    shown = client.get(f"/v1/parcels/{first}", headers=auditor).json()["properties"]
    assert shown["in_conflict"] is True and [c["nib"] for c in shown["conflicts"]] == [second]
    assert shown["conflicts"][0]["overlap_m2"] > 600
    before = store_state(services.registry)
    for path, body in (("transfers", transfer_body()), ("mortgages", mortgage_body())):
        refused = assert_problem(client.post(f"/v1/parcels/{first}/{path}", json=body, headers=officer), 409,
                                 "in_conflict")
        assert refused["conflicting_nibs"] == [second]
    assert store_state(services.registry) == before
    page = client.get("/v1/reports/overlaps", params={"village": VILLAGE}, headers=auditor)
    assert page.status_code == 200 and page.headers["content-type"].startswith("application/geo+json")
    [pair] = page.json()["features"]
    assert (pair["properties"]["nib_a"], pair["properties"]["nib_b"]) == (first, second)
    assert pair["properties"]["overlap_m2"] == shown["conflicts"][0]["overlap_m2"]
    assert pair["geometry"]["type"] == "Polygon" and page.json()["next_cursor"] is None
    assert client.get("/v1/reports/overlaps", params={"province": "32"}, headers=auditor).json()["features"] == []
    both = client.get("/v1/reports/overlaps", params={"village": VILLAGE, "province": "31"}, headers=auditor)
    assert assert_problem(both, 422, "invalid_input")["field"] == "village|province"


def test_landreg_report_overlaps_writes_csv_and_geopackage(
    services: Services, tmp_path: Path, monkeypatch: object,
) -> None:
    stock(services)
    settings = services.settings
    for name, value in (("DATABASE_URL", settings.database_url), ("AUDIT_KEY_FILE", str(settings.audit_key_file)),
                        ("AUDIT_ANCHOR_FILE", str(settings.audit_anchor_file))):
        monkeypatch.setenv(f"LANDREG_{name}", value)  # type: ignore[attr-defined]
    for kind in ("csv", "gpkg"):
        out = tmp_path / f"overlaps.{kind}"
        done = CliRunner().invoke(cli, ["report", "overlaps", "--format", kind, "--out", str(out),
                                        "--village", VILLAGE])
        assert done.exit_code == 0, done.output
        assert "1 overlapping pairs" in done.output
        assert pyogrio.read_info(out)["features"] == 1
    wrong = CliRunner().invoke(cli, ["report", "overlaps", "--out", str(tmp_path / "x.csv"), "--village", "317"])
    assert wrong.exit_code == 2
