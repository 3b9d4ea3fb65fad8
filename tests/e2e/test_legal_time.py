"""Issue 17 over HTTP: reads on both time axes (legal date, recorded time), a sale annulled by a
court decision, an annulment refused while a later dealing stands, a mortgage after a void sale."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api import importer
from api.bootstrap import Services
from registry.domain.identifiers import make_nib
from registry.domain.values import Actor
from tests.e2e.calls import Headers, assert_problem, if_match, mortgage_body, transfer_body
from tests.geometries import square
from tests.support import COURT, DEED, LAT, LON, SURVEY, VILLAGE, citizen, store_state

SARI = citizen("sari", name="Sari Wulandari")
ANNULMENT = {"reason": "court_decision", "source": {**COURT, "number": "PN-JKT-12/2026", "date": "2026-05-01"}}


def holders(client: TestClient, nib: str, headers: Headers, **axes: str) -> list[str]:
    answer = client.get(f"/v1/parcels/{nib}", params=axes, headers=headers)
    assert answer.status_code == 200, answer.text
    title = answer.json()["properties"]["title"]
    return [h["id"] for h in title["holders"]] if title else []


def sell(client: TestClient, nib: str, officer: Headers) -> dict[str, Any]:
    answer = client.post(f"/v1/parcels/{nib}/transfers", json=transfer_body([SARI]), headers=officer)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def history(client: TestClient, nib: str, headers: Headers) -> list[dict[str, Any]]:
    return list(client.get(f"/v1/parcels/{nib}/history", headers=headers).json()["events"])


def test_a_sale_annulled_by_a_court_reads_void_by_legal_date_and_standing_as_recorded_before(
    client: TestClient, titled_nib: str, officer: Headers, auditor: Headers,
) -> None:
    sale = sell(client, titled_nib, officer)
    assert sale["dealing_id"].startswith("DL") and sale["edition"] == 2
    recorded_sale = history(client, titled_nib, auditor)[-1]["recorded_at"]
    annulled = client.post(f"/v1/parcels/{titled_nib}/dealings/{sale['dealing_id']}/annulment", json=ANNULMENT,
                           headers={**officer, **if_match(sale["version"])})
    assert annulled.status_code == 200, annulled.text
    assert annulled.json()["edition"] == 3 and annulled.json()["dealing_id"] == sale["dealing_id"]

    assert holders(client, titled_nib, auditor) == ["budi"]  # now: as if the sale never was
    assert holders(client, titled_nib, auditor, effective_on="2025-04-01") == ["budi"]  # void from its own date
    assert holders(client, titled_nib, auditor, as_of=recorded_sale) == ["sari"]  # as the registry knew it then
    assert holders(client, titled_nib, auditor, effective_on="2025-04-01", as_of=recorded_sale) == ["sari"]
    assert holders(client, titled_nib, auditor, effective_on="2025-02-15", as_of=recorded_sale) == ["budi"]
    certificate = client.get(f"/v1/certificates/{sale['certificate_number']}", params={"as_of": recorded_sale},
                             headers=auditor).json()
    assert certificate["properties"]["title"]["edition"] == 2
    entries = history(client, titled_nib, auditor)
    void = next(e for e in entries if e["type"] == "Title.OwnershipTransferred")
    annulment = entries[-1]
    assert annulment["type"] == "Title.DealingAnnulled" and annulment["details"]["dealing_id"] == sale["dealing_id"]
    assert void["dealing_id"] == sale["dealing_id"] and void["annulled_by"] == annulment["version"]
    assert void["effective_at"] == "2025-03-01" and annulment["effective_at"] == "2026-05-01"


def test_an_annulment_is_refused_while_a_later_dealing_stands_and_writes_nothing(
    client: TestClient, titled_nib: str, officer: Headers, services: Services,
) -> None:
    sale = sell(client, titled_nib, officer)
    later = client.post(f"/v1/parcels/{titled_nib}/mortgages", json=mortgage_body(), headers=officer).json()
    before = store_state(services.registry)
    refused = client.post(f"/v1/parcels/{titled_nib}/dealings/{sale['dealing_id']}/annulment", json=ANNULMENT,
                          headers=officer)
    body = assert_problem(refused, 409, "later_dealings")
    assert body["dealing_ids"] == [later["dealing_id"]]
    assert_problem(client.post(f"/v1/parcels/{titled_nib}/dealings/DL99/annulment", json=ANNULMENT,
                               headers=officer), 404, "not_found")
    bad = client.post(f"/v1/parcels/{titled_nib}/dealings/{later['dealing_id']}/annulment",
                      json={**ANNULMENT, "reason": "whim"}, headers=officer)
    assert assert_problem(bad, 422, "invalid_input")["field"] == "reason"
    on_deed = client.post(f"/v1/parcels/{titled_nib}/dealings/{later['dealing_id']}/annulment",
                          json={**ANNULMENT, "source": DEED}, headers=officer)
    assert assert_problem(on_deed, 422, "invalid_input")["field"] == "source.kind"
    assert store_state(services.registry) == before


def test_the_latest_first_then_the_sale_and_a_mortgage_registered_after_the_void_sale(
    client: TestClient, titled_nib: str, officer: Headers, auditor: Headers, admin: Headers,
) -> None:
    sale = sell(client, titled_nib, officer)
    mortgage = client.post(f"/v1/parcels/{titled_nib}/mortgages", json=mortgage_body(), headers=officer).json()
    for dealing in (mortgage["dealing_id"], sale["dealing_id"]):
        answer = client.post(f"/v1/parcels/{titled_nib}/dealings/{dealing}/annulment", json=ANNULMENT, headers=officer)
        assert answer.status_code == 200, answer.text
    again = client.post(f"/v1/parcels/{titled_nib}/dealings/{sale['dealing_id']}/annulment", json=ANNULMENT,
                        headers=officer)
    assert_problem(again, 409, "dealing_annulled")
    body = {**mortgage_body(), "source": {**DEED, "number": "APHT-3/2026", "date": "2026-05-10"}}
    after = client.post(f"/v1/parcels/{titled_nib}/mortgages", json=body, headers=officer)
    assert after.status_code == 201, after.text
    assert after.json()["rank"] == 1  # the annulled mortgage left its rank free
    now = client.get(f"/v1/parcels/{titled_nib}", headers=auditor).json()["properties"]["title"]
    assert [h["id"] for h in now["holders"]] == ["budi"]
    assert [m["mortgage_id"] for m in now["mortgages"]] == [after.json()["mortgage_id"]]
    before = client.get(f"/v1/parcels/{titled_nib}", params={"effective_on": "2026-05-09"}, headers=auditor)
    assert before.json()["properties"]["title"]["mortgages"] == []
    village = client.get(f"/v1/villages/{titled_nib[:8]}/ownership", params={"effective_on": "2025-04-01"},
                         headers=auditor).json()
    assert village["effective_on"] == "2025-04-01"
    assert [h["id"] for h in village["parcels"][0]["holders"]] == ["budi"]
    assert client.get("/v1/audit/verify", headers=admin).json()["ok"] is True  # annulments are chained and sealed


def test_reads_before_the_parcel_existed_in_law_answer_404(
    client: TestClient, titled_nib: str, auditor: Headers,
) -> None:
    assert_problem(client.get(f"/v1/parcels/{titled_nib}", params={"effective_on": "2024-12-31"}, headers=auditor),
                   404, "not_found")
    untitled = client.get(f"/v1/parcels/{titled_nib}", params={"effective_on": "2025-01-15"}, headers=auditor)
    assert untitled.json()["properties"]["title"] is None
    bad = client.get(f"/v1/parcels/{titled_nib}", params={"effective_on": "1 Jan 2000"}, headers=auditor)
    assert assert_problem(bad, 422, "invalid_input")["field"] == "effective_on"


def test_a_1997_legacy_title_sold_in_2010_reads_by_legal_date(
    client: TestClient, services: Services, tmp_path: Path, auditor: Headers, officer: Headers,
) -> None:
    conversion = {**DEED, "kind": "decree", "number": "SK-KONVERSI-1/2026", "date": "2026-01-05"}
    sale = {"kind": "sale", "to": [SARI], "effective_at": "2010-07-01",
            "source": {**DEED, "number": "AJB-88/2010", "date": "2010-06-20"}}
    args = {"village_code": VILLAGE, "geometry": square(LON, LAT, 50), "survey": SURVEY, "right_type": "HM",
            "holders": [citizen("budi")], "ends_on": None, "source": conversion, "registered_on": "1997-03-04",
            "transfers": [sale]}
    path = tmp_path / "stock.jsonl"
    path.write_text(json.dumps({"command": "register_parcel", "args": args}) + "\n"
                    + json.dumps({"command": "register_parcel", "args": {**args, "registered_on": "2030-01-01"}})
                    + "\n")
    report = importer.run(services.registry, path, Actor("import", "system"))
    assert report.accepted == 1 and report.rejected[0]["field"] == "registered_on", report.rejected
    nib = make_nib(VILLAGE, 1)
    assert holders(client, nib, auditor, effective_on="2000-01-01") == ["budi"]
    assert holders(client, nib, auditor, effective_on="2015-01-01") == ["sari"]
    assert holders(client, nib, auditor) == ["sari"]
    assert_problem(client.get(f"/v1/parcels/{nib}", params={"effective_on": "1997-03-03"}, headers=auditor), 404)
    entries = history(client, nib, auditor)
    assert [e["effective_at"] for e in entries] == ["1997-03-04", "1997-03-04", "1997-03-04", "2010-07-01"]
    village = client.get(f"/v1/villages/{VILLAGE}/ownership", params={"effective_on": "2000-01-01"},
                         headers=auditor).json()
    assert [h["id"] for h in village["parcels"][0]["holders"]] == ["budi"]
    listed = client.get("/v1/parcels", params={"village": VILLAGE, "effective_on": "2000-01-01"}, headers=auditor)
    assert [f["properties"]["title"]["holders"][0]["id"] for f in listed.json()["features"]] == ["budi"]
    assert client.get("/v1/parcels", params={"village": VILLAGE, "effective_on": "1990-01-01"},
                      headers=auditor).json()["features"] == []
    alone = client.get("/v1/parcels", params={"holder": "sari", "effective_on": "2000-01-01"}, headers=auditor)
    assert assert_problem(alone, 422, "invalid_input")["field"] == "effective_on"
    annulled = client.post(f"/v1/parcels/{nib}/dealings/{entries[-1]['dealing_id']}/annulment", json=ANNULMENT,
                           headers=officer)
    assert annulled.status_code == 200, annulled.text
    assert holders(client, nib, auditor, effective_on="2015-01-01") == ["budi"]
