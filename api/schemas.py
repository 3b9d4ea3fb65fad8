"""Request bodies of the HTTP contract (the API table of README.md), each with an example. Unknown fields are refused.

Fields the registry validates itself (geometry, holders, dates, documents) are typed loosely here,
so the error names the exact field and reason the domain found, e.g. `holders[1].share`.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

JSON = dict[str, Any]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def example(**body: Any) -> ConfigDict:
    """The configuration of a body with this example (shown by /docs and /redoc, sent by "Try it out")."""
    return ConfigDict(json_schema_extra={"examples": [body]})


# The values of the examples: a 20 m square in Jakarta Selatan, its survey, a deed, two holders.
SQUARE = {"type": "Polygon", "coordinates": [[[106.8, -6.2], [106.80018, -6.2], [106.80018, -6.19982],
                                              [106.8, -6.19982], [106.8, -6.2]]]}
HALF = {"type": "Polygon", "coordinates": [[[106.8, -6.2], [106.80009, -6.2], [106.80009, -6.19982],
                                            [106.8, -6.19982], [106.8, -6.2]]]}
SURVEY = {"document_number": "GU-17/2025", "document_sha256": "5" * 64, "surveyed_on": "2025-01-02"}
DEED = {"kind": "deed", "number": "AJB-17/2025", "date": "2025-02-01", "sha256": "a" * 64}
BUDI = {"id": "3174011501800001", "name": "Budi Santoso", "kind": "citizen", "share": "1/1"}
SARI = {"id": "3174014403900002", "name": "Sari Dewi", "kind": "citizen", "share": "1/1"}


class SurveyIn(Body):
    model_config = example(village_code="31740101", geometry=SQUARE, survey=SURVEY)

    village_code: str = Field(examples=["31740101"])
    geometry: JSON = Field(description="GeoJSON Polygon or MultiPolygon")
    crs: str | None = Field(None, examples=["EPSG:23834"], description="EPSG:4326 when left out")
    survey: JSON = Field(description="document_number, document_sha256, surveyed_on")


class BoundaryIn(Body):
    model_config = example(geometry=SQUARE, survey={**SURVEY, "document_number": "GU-18/2025"})

    geometry: JSON
    crs: str | None = None
    survey: JSON


class TitleIn(Body):
    model_config = example(right_type="HM", holders=[BUDI], ends_on=None, source=DEED)

    right_type: str = Field(examples=["HM"])
    holders: list[Any]
    ends_on: str | None = None
    granted_on: str | None = Field(None, description="the grant's date, which starts the term (default: source.date)")
    source: JSON
    on_title: str | None = Field(None, description="a right on a right: the certificate number of the parcel's HPL "
                                                   "or HM it is granted on (source kind hpl_agreement); for a "
                                                   "strata unit, the land title (default: the primary)")
    unit: JSON | None = Field(None, description='an HMSRS unit: {"id": "A-1203", "floor": "12", '
                                                '"common_share": "1/40"}')


class TransferIn(Body):
    model_config = example(kind="sale", to=[SARI], effective_at="2025-03-01", source=DEED)

    kind: str = Field(examples=["sale"])
    to: list[Any]
    effective_at: str
    source: JSON


class HoldersIn(Body):
    model_config = example(holders=[{**SARI, "name": "Sari Dewi Lestari"}], source=DEED)

    holders: list[Any]
    source: JSON


class MortgageIn(Body):
    model_config = example(creditor={"id": "bri", "name": "Bank Rakyat Indonesia"}, amount="250000000.00",
                           rank=None, source={**DEED, "number": "APHT-3/2025"})

    creditor: JSON
    amount: str = Field(examples=["250000000.00"])
    rank: int | None = None
    source: JSON


class SourceIn(Body):
    model_config = example(source={**DEED, "kind": "court_order", "number": "PN-JKT-9/2025"})

    source: JSON


class BlockIn(Body):
    model_config = example(kind="blokir", requested_by="Pengadilan Negeri Jakarta Selatan", until=None,
                           source={**DEED, "kind": "court_order", "number": "PN-JKT-9/2025"})

    kind: str = Field(examples=["blokir"])
    requested_by: str
    applicant: str = Field("party", description="party, police, prosecutor, kpk or court: how long a blokir lasts")
    until: str | None = None
    source: JSON


class TermIn(Body):
    model_config = example(ends_on="2065-03-31", source={**DEED, "kind": "decree", "number": "SK-4/2025"})

    ends_on: str
    source: JSON


class ReasonIn(Body):
    model_config = example(reason="certificate lost in a flood", source={**DEED, "kind": "decree"})

    reason: str
    source: JSON


class AnnulmentIn(Body):
    model_config = example(reason="court_decision",
                           source={**DEED, "kind": "court_order", "number": "PN-JKT-12/2025", "date": "2025-06-02"})

    reason: str = Field(description="court_decision (on a court_order in force) or administrative_defect (on a decree)")
    source: JSON


class PartIn(Body):
    model_config = example(geometry=HALF)

    geometry: JSON
    crs: str | None = None


class SubdivisionIn(Body):
    model_config = example(parts=[{"geometry": HALF}, {"geometry": {"type": "Polygon", "coordinates": [[
        [106.80009, -6.2], [106.80018, -6.2], [106.80018, -6.19982], [106.80009, -6.19982], [106.80009, -6.2]]]}}],
        source={**DEED, "kind": "decree", "number": "SK-5/2025"})

    parts: list[PartIn]
    source: JSON
    consents: list[Any] | None = Field(None, description="[{mortgage_id, source}]: each creditor's consent")


class SeparationIn(Body):
    model_config = example(part={"geometry": HALF}, source={**DEED, "kind": "decree", "number": "SK-6/2025"})

    part: PartIn
    source: JSON
    consents: list[Any] | None = Field(None, description="[{mortgage_id, source}]: each creditor's consent")


class MergeIn(Body):
    model_config = example(nibs=["3174010100002", "3174010100003"], source={**DEED, "kind": "decree"})

    nibs: list[str]
    source: JSON


class SearchIn(Body):
    model_config = example(geometry=SQUARE)

    geometry: JSON
    crs: str | None = None


class AnnouncementIn(Body):
    model_config = example(kind="sporadic", started_on="2025-01-06", right_type="HM", claimants=[BUDI],
                           source={**DEED, "kind": "decree", "number": "PENGUMUMAN-17/2025", "date": "2025-01-06"})

    kind: str = Field(examples=["sporadic"], description="systematic (14 days) or sporadic (30 days)")
    started_on: str = Field(examples=["2025-01-06"], description="not in the future")
    right_type: str = Field(examples=["HM"])
    claimants: list[Any] = Field(description="holders as for a title")
    source: JSON


class ObjectionIn(Body):
    model_config = example(name="Andi Wijaya", contact="0812-5550-0101", grounds="the west boundary takes my garden")

    name: str = Field(max_length=200)
    contact: str = Field(max_length=200, description="phone or e-mail; never shown to anyone else")
    grounds: str = Field(max_length=5_000)


class OfficeObjectionIn(Body):
    model_config = example(lodged_on="2025-01-10", objector={"name": "Andi Wijaya", "contact": "0812-5550-0101"},
                           grounds="I hold the girik of this land",
                           source={**DEED, "kind": "letter", "number": "KB-3/2025", "date": "2025-01-10"})

    lodged_on: str
    objector: JSON = Field(description="name and contact")
    grounds: str
    source: JSON


class ResolutionIn(Body):
    model_config = example(outcome="dismissed", source={**DEED, "kind": "decree", "number": "SK-KB-3/2025"})

    outcome: str = Field(examples=["dismissed"], description="dismissed or upheld")
    source: JSON


class ComplaintIn(Body):
    model_config = example(about={"nib": "3174010100001"}, category="data_error",
                           text="my name is misspelt on the certificate", contact={"name": "Sari", "email": "s@x.id"})

    about: dict[str, str] = Field(description="exactly one of nib, certificate_number, office")
    category: str = Field(description="service, data_error, dispute, fraud or other")
    text: str = Field(max_length=5_000)
    contact: dict[str, str] = Field(description="name and phone or email")


class ComplaintStepIn(Body):
    model_config = example(text="the name is corrected in the next edition")

    text: str | None = Field(None, max_length=5_000)
    outcome: str | None = Field(None, description="resolved or rejected (a resolution)")
    assigned_to: str | None = Field(None, max_length=100, description="the officer (an assignment)")


class EligibilityLossIn(Body):
    model_config = example(cause="inheritance", holders=[{"id": "A1234567", "name": "John Smith", "kind": "foreigner",
                                                         "share": "1/1"}],
                           source={**DEED, "kind": "inheritance_certificate", "number": "SKW-3/2025"})

    cause: str = Field(examples=["inheritance"], description="inheritance (the heirs as holders) or citizenship "
                                                              "(same ids and shares, the kinds now)")
    holders: list[Any]
    source: JSON
