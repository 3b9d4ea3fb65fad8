"""Request bodies and checks shared by the end-to-end HTTP tests (the API table of README.md)."""
from __future__ import annotations

from typing import Any

from tests.geometries import square
from tests.support import DEED, LAT, LON, SURVEY, VILLAGE, citizen

Headers = dict[str, str]
PROBLEM = "application/problem+json"


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def survey_body(geometry: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"village_code": VILLAGE, "geometry": geometry or square(LON, LAT, 100), "survey": SURVEY, **extra}


def title_body(holders: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"right_type": "HM", "holders": holders or [citizen("budi", name="Budi Santoso")],
            "ends_on": None, "source": DEED}


def transfer_body(to: list[dict[str, str]] | None = None, effective_at: str = "2025-03-01") -> dict[str, Any]:
    return {"kind": "sale", "to": to or [citizen("sari", name="Sari Wulandari")], "effective_at": effective_at,
            "source": DEED}


def mortgage_body(amount: str = "250000000.00") -> dict[str, Any]:
    return {"creditor": {"id": "bank-1", "name": "Bank Rakyat"}, "amount": amount, "source": DEED}


def block_body(kind: str = "blokir") -> dict[str, Any]:
    return {"kind": kind, "requested_by": "Pengadilan Negeri Jakarta Selatan", "until": None, "source": DEED}


def if_match(version: int | str) -> Headers:
    return {"If-Match": f'"{version}"'}


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem of `status` (and type /problems/`code`); returns its body."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:2000]}"
    assert response.headers["content-type"].split(";")[0] == PROBLEM, response.headers["content-type"]
    body = response.json()
    for member in ("type", "title", "status", "detail"):
        assert member in body, f"problem without {member}: {body}"
    assert body["status"] == status
    if code is not None:
        assert body["type"] == f"/problems/{code}", body
    return dict(body)
