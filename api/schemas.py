"""Request bodies of the HTTP contract (DESIGN Appendix A). Unknown fields are refused.

Fields the registry validates itself (geometry, holders, dates, documents) are typed loosely here,
so the error names the exact field and reason the domain found, e.g. `holders[1].share`.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

JSON = dict[str, Any]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SurveyIn(Body):
    village_code: str = Field(examples=["31740101"])
    geometry: JSON = Field(description="GeoJSON Polygon or MultiPolygon")
    crs: str | None = Field(None, examples=["EPSG:23834"], description="EPSG:4326 when left out")
    survey: JSON = Field(description="document_number, document_sha256, surveyed_on")


class BoundaryIn(Body):
    geometry: JSON
    crs: str | None = None
    survey: JSON


class TitleIn(Body):
    right_type: str = Field(examples=["HM"])
    holders: list[Any]
    ends_on: str | None = None
    granted_on: str | None = Field(None, description="the grant's date, which starts the term (default: source.date)")
    source: JSON


class TransferIn(Body):
    kind: str = Field(examples=["sale"])
    to: list[Any]
    effective_at: str
    source: JSON


class HoldersIn(Body):
    holders: list[Any]
    source: JSON


class MortgageIn(Body):
    creditor: JSON
    amount: str = Field(examples=["250000000.00"])
    rank: int | None = None
    source: JSON


class SourceIn(Body):
    source: JSON


class BlockIn(Body):
    kind: str = Field(examples=["blokir"])
    requested_by: str
    applicant: str = Field("party", description="party, police, prosecutor, kpk or court: how long a blokir lasts")
    until: str | None = None
    source: JSON


class TermIn(Body):
    ends_on: str
    source: JSON


class ReasonIn(Body):
    reason: str
    source: JSON


class PartIn(Body):
    geometry: JSON
    crs: str | None = None


class SubdivisionIn(Body):
    parts: list[PartIn]
    source: JSON
    consents: list[Any] | None = Field(None, description="[{mortgage_id, source}]: each creditor's consent")


class SeparationIn(Body):
    part: PartIn
    source: JSON
    consents: list[Any] | None = Field(None, description="[{mortgage_id, source}]: each creditor's consent")


class MergeIn(Body):
    nibs: list[str]
    source: JSON


class SearchIn(Body):
    geometry: JSON
    crs: str | None = None


class AnnouncementIn(Body):
    kind: str = Field(examples=["sporadic"], description="systematic (14 days) or sporadic (30 days)")
    started_on: str = Field(examples=["2025-01-06"], description="not in the future")
    right_type: str = Field(examples=["HM"])
    claimants: list[Any] = Field(description="holders as for a title")
    source: JSON


class ObjectionIn(Body):
    name: str = Field(max_length=200)
    contact: str = Field(max_length=200, description="phone or e-mail; never shown to anyone else")
    grounds: str = Field(max_length=5_000)


class OfficeObjectionIn(Body):
    lodged_on: str
    objector: JSON = Field(description="name and contact")
    grounds: str
    source: JSON


class ResolutionIn(Body):
    outcome: str = Field(examples=["dismissed"], description="dismissed or upheld")
    source: JSON


class ComplaintIn(Body):
    about: dict[str, str] = Field(examples=[{"nib": "3174010100001"}],
                                  description="exactly one of nib, certificate_number, office")
    category: str = Field(examples=["data_error"], description="service, data_error, dispute, fraud or other")
    text: str = Field(max_length=5_000)
    contact: dict[str, str] = Field(examples=[{"name": "Sari", "email": "sari@example.id"}],
                                    description="name and phone or email")


class ComplaintStepIn(Body):
    text: str | None = Field(None, max_length=5_000)
    outcome: str | None = Field(None, description="resolved or rejected (a resolution)")
    assigned_to: str | None = Field(None, max_length=100, description="the officer (an assignment)")
