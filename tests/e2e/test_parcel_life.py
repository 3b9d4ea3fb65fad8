"""A parcel's whole life through HTTP, on every backend: survey, title, transfer, mortgage, block,
a transfer refused while blocked, lift, subdivision, and reading the past back."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import bindparam, text

from api.bootstrap import Services
from projections.parcels import parcel_id, title_id
from tests.e2e.calls import (
    Headers,
    assert_problem,
    block_body,
    if_match,
    mortgage_body,
    survey_body,
    title_body,
    transfer_body,
)
from tests.geometries import grid_squares
from tests.support import CONSENT, DEED, LAT, LON, SURVEY, citizen

BUDI = citizen("budi", name="Budi Santoso")
SARI = citizen("sari", name="Sari Wulandari")
LIFE = ["Parcel.Surveyed", "Parcel.TitleRegistered", "Title.RightRegistered", "Title.OwnershipTransferred",
        "Title.MortgageRegistered", "Title.BlockPlaced", "Title.BlockLifted", "Parcel.Retired", "Title.Closed"]
EDITION_FIELDS = {"certificate_number", "edition", "certificate_hash", "version"}


def holders_of(feature: dict[str, Any]) -> list[dict[str, str]]:
    return list(feature["properties"]["title"]["holders"])


def log_positions(services: Services, nib: str, number: str) -> list[int]:
    """The log positions of every event of the parcel and its title, read straight from the store."""
    ids = [uuid.UUID(parcel_id(nib)), uuid.UUID(title_id(number))]
    values: list[object] = list(ids) if services.settings.store == "postgresql" else [i.bytes for i in ids]
    query = text("SELECT id FROM landreg_events WHERE originator_id IN :ids ORDER BY id").bindparams(
        bindparam("ids", expanding=True))
    with services.registry.engine.connect() as connection:
        return [int(r[0]) for r in connection.execute(query, {"ids": values})]


def _midpoint(first: str, second: str) -> str:
    a, b = datetime.fromisoformat(first), datetime.fromisoformat(second)
    return (a + (b - a) / 2).isoformat()


def test_parcel_lives_from_survey_to_subdivision_over_http(
        client: TestClient, services: Services, surveyor: Headers, officer: Headers, auditor: Headers)  -> None:
    surveyed = client.post("/v1/parcels", json=survey_body(), headers=surveyor)
    assert surveyed.status_code == 201, surveyed.text
    nib = surveyed.json()["nib"]
    assert surveyed.headers["location"] == f"/v1/parcels/{nib}"
    assert surveyed.headers["etag"] == f'"{surveyed.json()["version"]}"'
    assert abs(surveyed.json()["area_m2"] - 10_000) < 0.01

    titled = client.post(f"/v1/parcels/{nib}/title", json=title_body([BUDI]), headers=officer)
    assert titled.status_code == 201, titled.text
    first = titled.json()
    assert set(first) >= EDITION_FIELDS and first["edition"] == 1
    assert len(first["certificate_hash"]) == 64 and int(first["certificate_hash"], 16) >= 0
    number = first["certificate_number"]

    sold = client.post(f"/v1/parcels/{nib}/transfers", json=transfer_body([SARI]),
                       headers={**officer, **if_match(first["version"])})
    assert sold.status_code == 200, sold.text
    second = sold.json()
    assert second["edition"] == 2 and second["certificate_number"] == number
    assert second["certificate_hash"] != first["certificate_hash"]

    mortgaged = client.post(f"/v1/parcels/{nib}/mortgages", json=mortgage_body(), headers=officer)
    assert mortgaged.status_code == 201, mortgaged.text
    assert mortgaged.json()["rank"] == 1

    blocked = client.post(f"/v1/parcels/{nib}/blocks", json=block_body(), headers=officer)
    assert blocked.status_code == 201, blocked.text
    block_id = blocked.json()["block_id"]

    refused = client.post(f"/v1/parcels/{nib}/transfers", json=transfer_body([BUDI]), headers=officer)
    assert_problem(refused, 409, "title_blocked")

    lifted = client.post(f"/v1/parcels/{nib}/blocks/{block_id}/lift", json={"source": DEED}, headers=officer)
    assert lifted.status_code == 200, lifted.text

    # The certificate, as officers and the public see it while the title is active.
    by_number = client.get(f"/v1/certificates/{number}", headers=auditor)
    assert by_number.status_code == 200, by_number.text
    assert by_number.json()["id"] == nib
    assert holders_of(by_number.json()) == [SARI]
    current = by_number.json()["properties"]["title"]["certificate_hash"]
    assert current == second["certificate_hash"]
    public = client.get(f"/v1/public/certificates/{number}", params={"hash": current})
    assert public.status_code == 200, public.text
    assert public.json()["valid"] is True and public.json()["edition"] == 2 and public.json()["nib"] == nib
    old = client.get(f"/v1/public/certificates/{number}", params={"hash": first["certificate_hash"]})
    assert old.status_code == 200 and old.json()["valid"] is False
    for answer in (public, old):
        text = answer.text
        assert "Sari" not in text and "Budi" not in text and "holders" not in text

    parts = [{"geometry": g} for g in grid_squares(LON, LAT, 50, 2)]
    unconsented = client.post(f"/v1/parcels/{nib}/subdivision", json={"parts": parts, "source": DEED},
                              headers=officer)
    assert_problem(unconsented, 409, "mortgage_invalid")  # the bank has not consented yet
    consents = [{"mortgage_id": mortgaged.json()["mortgage_id"], "source": CONSENT}]
    divided = client.post(f"/v1/parcels/{nib}/subdivision", json={"parts": parts, "source": DEED,
                                                                   "consents": consents}, headers=officer)
    assert divided.status_code == 201, divided.text
    children = divided.json()["children"]
    assert len(children) == 4 and len(set(children)) == 4
    for child in children:
        shown = client.get(f"/v1/parcels/{child}", headers=auditor)
        assert shown.status_code == 200, shown.text
        assert shown.json()["properties"]["parents"] == [nib]
        assert abs(shown.json()["properties"]["area_m2"] - 2_500) < 0.01
    parent_now = client.get(f"/v1/parcels/{nib}", headers=auditor).json()
    assert sorted(parent_now["properties"]["children"]) == sorted(children)
    assert parent_now["properties"]["status"] != "active"

    history = client.get(f"/v1/parcels/{nib}/history", headers=auditor)
    assert history.status_code == 200, history.text
    events = history.json()["events"]
    assert history.json()["nib"] == nib
    versions = [e["version"] for e in events]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    for event in events:
        assert event["actor"] and event["source"] and event["effective_at"] and event["recorded_at"]
    types = [e["type"] for e in events]
    for expected in ("Parcel.Surveyed", "Title.RightRegistered", "Title.OwnershipTransferred"):
        assert expected in types, types
    assert versions[-1] == parent_now["properties"]["version"]
    assert first["version"] in versions and second["version"] in versions
    assert types == LIFE, types
    assert versions == log_positions(services, nib, number)
    assert all(isinstance(e["source"], dict) and e["source"]["kind"] for e in events)
    assert {e["actor"]["role"] for e in events} >= {"surveyor", "officer"}
    assert events[0]["effective_at"] == SURVEY["surveyed_on"] and events[3]["effective_at"] == "2025-03-01"

    # The past: between registering the title and the transfer, Budi held it.
    titled_by = max(e["recorded_at"] for e in events if e["version"] <= first["version"])
    sold_from = min(e["recorded_at"] for e in events if e["version"] >= second["version"])
    between = _midpoint(titled_by, sold_from)
    assert titled_by <= between <= sold_from
    then = client.get(f"/v1/parcels/{nib}", params={"as_of": between}, headers=auditor)
    assert then.status_code == 200, then.text
    assert holders_of(then.json()) == [BUDI]
    assert then.json()["properties"]["status"] == "active"
    assert then.json()["properties"]["title"]["edition"] == 1
    at_version = client.get(f"/v1/parcels/{nib}", params={"version": first["version"]}, headers=auditor)
    assert at_version.status_code == 200, at_version.text
    assert holders_of(at_version.json()) == [BUDI]
    assert at_version.headers["etag"] == f'"{first["version"]}"'
    after_sale = client.get(f"/v1/parcels/{nib}", params={"version": second["version"]}, headers=auditor)
    assert holders_of(after_sale.json()) == [SARI]


def test_parcels_are_found_by_part_of_a_holder_name(client, officer, titled_nib) -> None:  # type: ignore[no-untyped-def]
    holders = client.get(f"/v1/parcels/{titled_nib}", headers=officer).json()["properties"]["title"]["holders"]
    part = holders[0]["name"][1:5].upper()
    found = client.get("/v1/parcels", params={"holder_name": part}, headers=officer)
    assert found.status_code == 200
    assert titled_nib in [f["id"] for f in found.json()["features"]]
    nothing = client.get("/v1/parcels", params={"holder_name": "%%%"}, headers=officer)
    assert nothing.status_code == 200 and nothing.json()["features"] == []
