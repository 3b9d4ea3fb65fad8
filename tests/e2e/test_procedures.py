"""The public procedures over HTTP on every store: the announcement and objections before a first
title, and complaints from filing to resolution; the public sees no one's id, share or contact."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.e2e.calls import Headers, assert_problem, title_body
from tests.support import DEED, VILLAGE, citizen, store_state

START = date(2026, 5, 1)  # the fixture's legal day is 2026-06-01
CLAIMANTS = [citizen("budi", name="Budi Santoso")]


class Clock:
    """The registry's legal day, moved by the test instead of waiting."""

    def __init__(self, services: Services) -> None:
        self.registry = services.registry
        self.day = self.registry.clock()
        self.registry.clock = lambda: self.day

    def set(self, day: date) -> None:
        self.day = day


@pytest.fixture
def clock(services: Services) -> Iterator[Clock]:
    services.settings.first_registration_announcement = "required"
    yield Clock(services)


def announcement_body(started_on: date = START, kind: str = "systematic", **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "started_on": started_on.isoformat(), "right_type": "HM", "claimants": CLAIMANTS,
            "source": DEED, **extra}


def objection(client: TestClient, announcement_id: str, name: str = "Andi", contact: str = "0812-555-0101") -> Any:
    return client.post(f"/v1/public/announcements/{announcement_id}/objections",
                       json={"name": name, "contact": contact, "grounds": "the west boundary takes my garden"})


def test_survey_announcement_objection_dismissal_period_end_title(
        client: TestClient, clock: Clock, surveyed_nib: str, officer: Headers) -> None:
    nib = surveyed_nib
    assert_problem(client.post(f"/v1/parcels/{nib}/title", json=title_body(CLAIMANTS), headers=officer),
                   409, "not_announced")
    clock.set(START + timedelta(days=3))
    started = client.post(f"/v1/parcels/{nib}/announcement", json=announcement_body(), headers=officer)
    assert started.status_code == 201, started.text
    announcement_id, ends_on = started.json()["announcement_id"], started.json()["ends_on"]
    assert ends_on == (START + timedelta(days=13)).isoformat()  # 14 calendar days, systematic

    public = client.get("/v1/public/announcements", params={"village": VILLAGE})
    assert public.status_code == 200 and public.headers["content-type"].startswith("application/geo+json")
    [feature] = public.json()["features"]
    assert feature["properties"]["claimant_names"] == ["Budi Santoso"] and feature["geometry"]["type"] == "Polygon"
    assert "budi" not in public.text and "1/1" not in public.text  # no id number, no share

    lodged = objection(client, announcement_id)
    assert lodged.status_code == 201, lodged.text
    objection_id = lodged.json()["objection_id"]
    assert "0812" not in client.get("/v1/public/announcements", params={"village": VILLAGE}).text

    clock.set(date.fromisoformat(ends_on) + timedelta(days=1))
    assert_problem(client.post(f"/v1/parcels/{nib}/title", json=title_body(CLAIMANTS), headers=officer),
                   409, "objection_open")
    assert_problem(objection(client, announcement_id), 409, "announcement_closed")
    dismissed = client.post(f"/v1/parcels/{nib}/objections/{objection_id}/resolution",
                            json={"outcome": "dismissed", "source": DEED}, headers=officer)
    assert dismissed.status_code == 200, dismissed.text
    wrong = client.post(f"/v1/parcels/{nib}/title", json=title_body([citizen("sari")]), headers=officer)
    assert assert_problem(wrong, 422)["field"] == "holders"
    titled = client.post(f"/v1/parcels/{nib}/title", json=title_body(CLAIMANTS), headers=officer)
    assert titled.status_code == 201, titled.text
    complained = client.post("/v1/public/complaints", json=complaint_body(about={"nib": nib}))
    history = client.get(f"/v1/parcels/{nib}/history", headers=officer)
    kinds = [e["type"] for e in history.json()["events"] if not e["type"].startswith(("Parcel.", "Title."))]
    assert kinds == ["Announcement.Started", "Announcement.ObjectionLodged", "Announcement.ObjectionResolved",
                     "Complaint.Filed"]
    assert complained.json()["secret"] not in history.text and "secret_sha256" not in history.text


def test_the_title_waits_for_the_end_of_the_period(client: TestClient, clock: Clock, surveyed_nib: str,
                                                  officer: Headers, services: Services) -> None:
    clock.set(START)
    client.post(f"/v1/parcels/{surveyed_nib}/announcement", json=announcement_body(kind="sporadic"), headers=officer)
    clock.set(START + timedelta(days=29))  # the 30th day: still running
    before = store_state(services.registry)
    assert_problem(client.post(f"/v1/parcels/{surveyed_nib}/title", json=title_body(CLAIMANTS), headers=officer),
                   409, "announcement_running")
    assert store_state(services.registry) == before
    again = client.post(f"/v1/parcels/{surveyed_nib}/announcement", json=announcement_body(), headers=officer)
    assert_problem(again, 409, "announcement_running")
    clock.set(START + timedelta(days=30))
    titled = client.post(f"/v1/parcels/{surveyed_nib}/title", json=title_body(CLAIMANTS), headers=officer)
    assert titled.status_code == 201, titled.text
    assert_problem(client.post(f"/v1/parcels/{surveyed_nib}/announcement", json=announcement_body(),
                               headers=officer), 409, "title_exists")


def test_an_upheld_objection_forces_a_new_announcement(client: TestClient, clock: Clock, surveyed_nib: str,
                                                       officer: Headers) -> None:
    clock.set(START)
    first = client.post(f"/v1/parcels/{surveyed_nib}/announcement", json=announcement_body(), headers=officer)
    paper = {"lodged_on": (START + timedelta(days=2)).isoformat(), "objector": {"name": "Dewi", "contact": "kantor"},
             "grounds": "I hold the girik of this land", "source": {**DEED, "kind": "letter", "date": "2026-05-03"}}
    clock.set(START + timedelta(days=5))
    lodged = client.post(f"/v1/parcels/{surveyed_nib}/objections", json=paper, headers=officer)
    assert lodged.status_code == 201, lodged.text
    upheld = client.post(f"/v1/parcels/{surveyed_nib}/objections/{lodged.json()['objection_id']}/resolution",
                         json={"outcome": "upheld", "source": DEED}, headers=officer)
    assert upheld.json()["announcement_status"] == "upheld"
    clock.set(START + timedelta(days=20))
    assert_problem(client.post(f"/v1/parcels/{surveyed_nib}/title", json=title_body(CLAIMANTS), headers=officer),
                   409, "not_announced")
    second = client.post(f"/v1/parcels/{surveyed_nib}/announcement",
                         json=announcement_body(START + timedelta(days=20)), headers=officer)
    assert second.status_code == 201 and second.json()["announcement_id"] != first.json()["announcement_id"]
    assert_problem(objection(client, first.json()["announcement_id"]), 404)


@pytest.mark.parametrize("body, field", [
    ({"name": "A" * 201, "contact": "x", "grounds": "g"}, "name"),
    ({"name": "A", "contact": "x", "grounds": "g" * 5001}, "grounds"),
    ({"name": "A\u0000", "contact": "x", "grounds": "g"}, "name"),
    ({"name": "A", "contact": "x", "grounds": ""}, "grounds"),
])
def test_hostile_objections_write_nothing(client: TestClient, clock: Clock, surveyed_nib: str, officer: Headers,
                                          services: Services, body: dict[str, str], field: str) -> None:
    clock.set(START)
    started = client.post(f"/v1/parcels/{surveyed_nib}/announcement", json=announcement_body(), headers=officer)
    before = store_state(services.registry)
    answer = client.post(f"/v1/public/announcements/{started.json()['announcement_id']}/objections", json=body)
    assert assert_problem(answer, 422)["field"] == field
    assert store_state(services.registry) == before


# -- complaints ---------------------------------------------------------------------------------

def complaint_body(**extra: Any) -> dict[str, Any]:
    return {"about": {"nib": f"{VILLAGE}00001"}, "category": "data_error",
            "text": "<script>alert(1)</script> my name is misspelt", "contact": {"name": "Sari", "email": "s@x.id"},
            **extra}


def test_a_complaint_from_filing_to_resolution(client: TestClient, clock: Clock, officer: Headers,
                                               auditor: Headers) -> None:
    clock.set(date(2026, 6, 5))  # a Friday
    filed = client.post("/v1/public/complaints", json=complaint_body())
    assert filed.status_code == 201, filed.text
    number, secret = filed.json()["complaint_number"], filed.json()["secret"]
    assert filed.json()["respond_by"] == "2026-06-12"  # five working days
    mine = client.get(f"/v1/public/complaints/{number}", params={"secret": secret})
    assert mine.status_code == 200 and mine.json()["status"] == "open"
    assert "s@x.id" not in mine.text
    for params in ({"secret": "wrong"}, {}):
        assert_problem(client.get(f"/v1/public/complaints/{number}", params=params), 404)
    other = client.post("/v1/public/complaints", json=complaint_body(about={"office": "Kantor Pertanahan Jaksel"}))
    assert_problem(client.get(f"/v1/public/complaints/{other.json()['complaint_number']}",
                              params={"secret": secret}), 404)  # a complainant sees only their own

    clock.set(date(2026, 6, 15))
    inbox = client.get("/v1/complaints", params={"overdue": "true"}, headers=officer)
    assert [c["number"] for c in inbox.json()["complaints"]] == [number, other.json()["complaint_number"]]
    assert client.post(f"/v1/complaints/{number}/assignment", json={"assigned_to": "budi"},
                       headers=officer).status_code == 200
    assert client.post(f"/v1/complaints/{number}/replies", json={"text": "we are checking the deed"},
                       headers=officer).json()["status"] == "answered"
    closed = client.post(f"/v1/complaints/{number}/resolution",
                         json={"outcome": "resolved", "text": "name corrected"}, headers=officer)
    assert closed.json()["status"] == "resolved"
    assert_problem(client.post(f"/v1/complaints/{number}/replies", json={"text": "again"}, headers=officer),
                   409, "complaint_closed")
    replies = client.get(f"/v1/public/complaints/{number}", params={"secret": secret}).json()["replies"]
    assert [r["text"] for r in replies] == ["we are checking the deed", "name corrected"]
    stats = client.get("/v1/complaints/stats", headers=auditor).json()
    assert stats["all"] == {"complaints": 2, "open": 1, "overdue": 1, "median_days_to_resolution": 10}
    assert stats["by_village"][VILLAGE]["complaints"] == 1 and stats["by_category"]["data_error"]["open"] == 1


@pytest.mark.parametrize("body, field", [
    (complaint_body(text="x" * 5001), "text"),
    (complaint_body(about={"nib": "1", "office": "x"}), "about"),
    (complaint_body(contact={"name": "Sari"}), "contact"),
    (complaint_body(category="rude"), "category"),
    (complaint_body(text="bad\u0000"), "text"),
])
def test_hostile_complaints_write_nothing(client: TestClient, services: Services, body: dict[str, Any],
                                          field: str) -> None:
    before = store_state(services.registry)
    assert assert_problem(client.post("/v1/public/complaints", json=body), 422)["field"] == field
    assert store_state(services.registry) == before
