"""Titles beside the primary one and the loss of eligibility through HTTP, on every backend: an
HGB granted on an HPL (`on_title`, source hpl_agreement), strata units (`unit`) with their own
mortgages addressed by `?title=` and their own versions, a holder's release year; each refusal
a problem+json naming the field, with nothing written."""
from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.e2e.calls import Headers, assert_problem, if_match, mortgage_body, survey_body
from tests.support import DEED, citizen, foreigner, store_state

CITY = {"id": "pemkot-jaksel", "name": "Pemerintah Kota Jakarta Selatan", "kind": "government", "share": "1/1"}
DEVELOPER = {"id": "pt-griya", "name": "PT Griya Asri", "kind": "legal_entity", "share": "1/1"}
AGREEMENT = {**DEED, "kind": "hpl_agreement", "number": "PERJ-HPL-3/2025"}


def _survey(client: TestClient, surveyor: Headers) -> str:
    answer = client.post("/v1/parcels", json=survey_body(), headers=surveyor)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["nib"])


def _title(client: TestClient, officer: Headers, nib: str, **body: Any) -> Any:
    return client.post(f"/v1/parcels/{nib}/title", json={"ends_on": None, "source": DEED, **body}, headers=officer)


def _refused(client: TestClient, services: Services, status: int, code: str, call: Any) -> dict[str, Any]:
    before = store_state(services.registry)
    problem = assert_problem(call(), status, code)
    assert store_state(services.registry) == before
    assert client.get("/health").status_code in (200, 404)
    return problem


def _parcel(client: TestClient, officer: Headers, nib: str) -> dict[str, Any]:
    return dict(client.get(f"/v1/parcels/{nib}", headers=officer).json()["properties"])


def test_an_hgb_on_an_hpl_over_http(client: TestClient, services: Services, surveyor: Headers,
                                    officer: Headers) -> None:
    nib = _survey(client, surveyor)
    hpl = _title(client, officer, nib, right_type="HPL", holders=[CITY]).json()["certificate_number"]
    hgb_body = {"right_type": "HGB", "holders": [DEVELOPER], "ends_on": "2054-01-31", "on_title": hpl}
    problem = _refused(client, services, 422, "invalid_input",
                       lambda: _title(client, officer, nib, **hgb_body))  # on a PPAT deed, not the agreement
    assert problem["field"] == "source.kind"
    made = _title(client, officer, nib, **hgb_body, source=AGREEMENT)
    assert made.status_code == 201, made.text
    hgb = made.json()["certificate_number"]
    _refused(client, services, 409, "title_exists",
             lambda: _title(client, officer, nib, **{**hgb_body, "right_type": "HP"}, source=AGREEMENT))
    read = _parcel(client, officer, nib)
    assert read["title"]["certificate_number"] == hpl and read["title"]["right_type"] == "HPL"
    assert [(t["certificate_number"], t["right_type"], t["on_title"], t["unit"]) for t in read["other_titles"]] == [
        (hgb, "HGB", hpl, None)]
    kinds = [e["type"] for e in client.get(f"/v1/parcels/{nib}/history", headers=officer).json()["events"]]
    assert kinds[-2:] == ["Title.SecondaryRightRegistered", "Parcel.SecondaryTitleRegistered"] or \
        kinds[-2:] == ["Parcel.SecondaryTitleRegistered", "Title.SecondaryRightRegistered"]
    assert client.get(f"/v1/certificates/{hgb}", headers=officer).status_code == 200


def test_strata_units_over_http(client: TestClient, services: Services, surveyor: Headers, officer: Headers) -> None:
    nib = _survey(client, surveyor)
    _title(client, officer, nib, right_type="HGB", holders=[DEVELOPER], ends_on="2054-01-31")
    unit = {"id": "A-1203", "floor": "12", "common_share": "3/4"}
    made = _title(client, officer, nib, right_type="HMSRS", holders=[foreigner("john")], unit=unit)
    assert made.status_code == 201, made.text
    number = made.json()["certificate_number"]
    over = _refused(client, services, 409, "common_shares_exceeded", lambda: _title(
        client, officer, nib, right_type="HMSRS", holders=[citizen("sari")], unit={**unit, "id": "A-1204"}))
    assert over["free"] == "1/4"
    _refused(client, services, 409, "unit_exists", lambda: _title(
        client, officer, nib, right_type="HMSRS", holders=[citizen("sari")], unit={**unit, "common_share": "1/8"}))
    problem = _refused(client, services, 422, "invalid_shares", lambda: _title(
        client, officer, nib, right_type="HMSRS", holders=[citizen("sari")], unit={"id": "A-1"}))
    assert problem["field"] == "unit.common_share"
    version = _parcel(client, officer, nib)["other_titles"][0]["version"]
    client.post(f"/v1/parcels/{nib}/mortgages", json=mortgage_body(), headers=officer)  # the land's own mortgage
    on_unit = client.post(f"/v1/parcels/{nib}/mortgages?title={number}", json=mortgage_body("5000.00"),
                          headers={**officer, **if_match(version)})
    assert on_unit.status_code == 201, on_unit.text
    _refused(client, services, 409, "version_conflict", lambda: client.post(
        f"/v1/parcels/{nib}/mortgages?title={number}", json=mortgage_body(), headers={**officer, **if_match(version)}))
    _refused(client, services, 404, "not_found", lambda: client.post(
        f"/v1/parcels/{nib}/mortgages?title=31740101799999", json=mortgage_body(), headers=officer))
    read = _parcel(client, officer, nib)
    assert [m["amount"] for m in read["other_titles"][0]["mortgages"]] == ["5000.00"]
    assert len(read["title"]["mortgages"]) == 1 and read["other_titles"][0]["version"] == on_unit.json()["version"]


def test_a_holders_release_year_over_http(client: TestClient, services: Services, surveyor: Headers,
                                          officer: Headers) -> None:
    nib = _survey(client, surveyor)
    _title(client, officer, nib, right_type="HM", holders=[citizen("budi")])
    heirs = {**DEED, "kind": "inheritance_certificate", "number": "SKW-9/2026", "date": "2026-03-01"}
    body = {"cause": "inheritance", "holders": [foreigner("john")], "source": heirs}
    _refused(client, services, 422, "invalid_input", lambda: client.post(
        f"/v1/parcels/{nib}/title/eligibility-loss", json={**body, "cause": "marriage"}, headers=officer))
    lost = client.post(f"/v1/parcels/{nib}/title/eligibility-loss", json=body, headers=officer)
    assert lost.status_code == 200, lost.text
    assert lost.json()["release_by"] == "2027-03-01"
    assert _parcel(client, officer, nib)["title"]["release_by"] == "2027-03-01"
    decree = {**DEED, "kind": "decree", "number": "SK-1/2026", "date": "2026-03-02"}
    _refused(client, services, 409, "release_period_running", lambda: client.post(
        f"/v1/parcels/{nib}/title/extinguishment", json={"source": decree}, headers=officer))
    sale = {"kind": "sale", "to": [foreigner("mary")], "effective_at": "2026-04-01",
            "source": {**DEED, "date": "2026-04-01"}}
    _refused(client, services, 422, "ineligible_holder",
             lambda: client.post(f"/v1/parcels/{nib}/transfers", json=sale, headers=officer))
    sold = client.post(f"/v1/parcels/{nib}/transfers", json={**sale, "to": [citizen("sari")]}, headers=officer)
    assert sold.status_code == 200, sold.text
    assert _parcel(client, officer, nib)["title"]["release_by"] is None
