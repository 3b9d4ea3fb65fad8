"""Response bodies of the HTTP contract, for the OpenAPI document (routes build plain dicts).

Each model says what a success answer holds; `version` is always the resource version the
command produced (the ETag). Bodies shaped by the registry itself (holders, event details,
GeoJSON coordinates, an audit report) are typed loosely, as in `api/schemas.py`.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

JSON = dict[str, Any]
VERSION = Field(description="the resource version after the command: send it back as If-Match", examples=[91])


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Versioned(Reply):
    """A command's answer with nothing more to say than the new version."""

    version: int = VERSION
    dealing_id: str | None = Field(None, examples=["DL3"], description="the dealing this command recorded "
                                   "(transfers, holder corrections, mortgages, releases, blocks, lifts)")


class ParcelWritten(Versioned):
    """A survey, boundary correction, separation or merger: the parcel and its area."""

    nib: str = Field(examples=["3174010100001"], description="Nomor Identifikasi Bidang")
    area_m2: float = Field(examples=[396.47])


class Subdivided(Versioned):
    children: list[str] = Field(description="NIBs of the new parcels, in the order of the parts")


class Edition(Versioned):
    """A title command that issued a certificate edition."""

    certificate_number: str = Field(examples=["31740101100001"])
    edition: int = Field(examples=[1])
    certificate_hash: str = Field(description="sha256 printed on the certificate (public check)")


class MortgageRegistered(Versioned):
    mortgage_id: str = Field(examples=["HT1"])
    rank: int = Field(examples=[1])


class EligibilityLost(Edition):
    release_by: str = Field(examples=["2026-03-01"], description="the last day to release the right to an eligible "
                                                                 "holder; after it the right is extinguished")


class BlockPlaced(Versioned):
    block_id: str = Field(examples=["BL1"])
    until: str | None = Field(examples=["2025-03-03"], description="its last day; none: until lifted")


class Title(Reply):
    """The right registered on a parcel, as its current certificate edition shows it."""

    certificate_number: str
    edition: int
    right_type: str = Field(examples=["HM"])
    status: str = Field(examples=["active"])
    holders: list[JSON] = Field(description="id, name, kind and share (an exact fraction) of each holder")
    ends_on: str | None = Field(description="end of the term; none for hak milik")
    origin: str | None = Field(examples=["first_registration"])
    mortgages: list[JSON] = Field(description="active mortgages (hak tanggungan) with rank and creditor")
    blocks: list[JSON] = Field(description="active blocks and seizures")
    certificate_hash: str
    release_by: str | None = Field(None, description="while a holder who lost eligibility must release the right: "
                                                     "the last day (UUPA art. 21(3)); then it is extinguished")


class OtherTitle(Title):
    """A title beside the parcel's primary one: a right on a right, or a strata unit's title."""

    on_title: str = Field(description="the certificate number of the title it stands on")
    unit: JSON | None = Field(description="a strata unit's id, floor and common_share; none for a right on a right")
    version: int = Field(description="this title's version: send it as If-Match with ?title=")


class ParcelProperties(Reply):
    nib: str
    village_code: str
    status: str = Field(examples=["active"], description="active, or retired by a subdivision or merger")
    area_m2: float
    version: int = Field(description="the resource version (also the ETag)")
    parents: list[str]
    children: list[str]
    survey_crs: str = Field(examples=["EPSG:4326"])
    updated_at: str | None
    title: Title | None
    in_conflict: bool = Field(False, description="overlaps another legacy parcel: dealings wait until resolved")
    conflicts: list[JSON] = Field(default_factory=list, description="[{nib, overlap_m2}] of each open conflict")
    other_titles: list[OtherTitle] = Field(default_factory=list, description="rights on rights and strata units")


class Geometry(BaseModel):
    """A GeoJSON Polygon or MultiPolygon in EPSG:4326."""

    type: str = Field(examples=["Polygon"])
    coordinates: list[Any]


class ParcelFeature(Reply):
    """A parcel as a GeoJSON Feature; its id is the NIB."""

    type: Literal["Feature"]
    id: str
    bbox: list[float] | None = Field(None, description="[west, south, east, north] (RFC 7946 section 5)")
    geometry: Geometry
    properties: ParcelProperties


class ParcelPage(Reply):
    """A page of parcels as a GeoJSON FeatureCollection; pass `next_cursor` as `cursor` for the next."""

    type: Literal["FeatureCollection"]
    features: list[ParcelFeature]
    next_cursor: str | None
    bbox: list[float] | None = Field(None, description="around every feature of the page (absent when empty)")
    links: list[dict[str, str]] = Field(default_factory=list, description="self, and next while there is more")


class OverlapReport(Reply):
    """Overlapping pairs as a GeoJSON FeatureCollection: each Feature is the shared part of a pair,
    its properties nib_a, nib_b, village_a, village_b, overlap_m2, fraction, duplicate."""

    type: Literal["FeatureCollection"]
    features: list[JSON]
    next_cursor: str | None
    bbox: list[float] | None = Field(None, description="around every feature of the page (absent when empty)")
    links: list[dict[str, str]] = Field(default_factory=list, description="self, and next while there is more")


class HistoryEntry(Reply):
    version: int = Field(description="the event's log position")
    type: str = Field(examples=["Title.OwnershipTransferred"])
    recorded_at: str
    effective_at: str | None
    actor: JSON = Field(description="user_id and role of whoever sent the command")
    source: JSON | None = Field(description="the document the event rests on")
    command_id: str | None
    details: JSON
    hash: str | None = Field(description="this event's link in the aggregate's hash chain")
    dealing_id: str | None = Field(None, description="the dealing this event records, if it is one")
    annulled_by: int | None = Field(None, description="the log position of the annulment that made this dealing void")


class History(Reply):
    nib: str
    events: list[HistoryEntry]


class Holding(Reply):
    nib: str
    status: str
    area_m2: float
    right_type: str | None
    certificate_number: str | None
    edition: int | None
    holders: list[JSON]


class VillageOwnership(Reply):
    village_code: str
    as_of: str | None = Field(description="the recorded time asked for; none for now")
    effective_on: str | None = Field(None, description="the legal date asked for; none for today")
    parcels: list[Holding]


class PublicCheck(Reply):
    """`valid` alone unless the hash is the current edition's."""

    valid: bool
    status: str | None = None
    edition: int | None = None
    nib: str | None = None
    area_m2: float | None = None


class AuditReport(BaseModel):
    """Whether every hash chain and checkpoint holds, and the first broken link if not."""

    model_config = ConfigDict(extra="allow")
    ok: bool
    first_break: JSON | None = None


class Read(BaseModel):
    """One reader shown one person's data."""

    id: int
    read_at: str = Field(description="when, UTC")
    actor: str
    role: str
    access: str = Field(description="parcel, parcel_history, holder_search, holder_name_search, village_list, "
                                    "area_search, certificate, village_ownership, announcement, ogc_items, export")
    subject: str = Field(description="the holder's (or claimant's) id")
    nib: str | None
    purpose: str | None
    request_id: str | None


class Reads(BaseModel):
    """The read log, newest first; `next_cursor` continues it."""

    reads: list[Read]
    next_cursor: str | None


class Health(Reply):
    status: Literal["ok", "degraded", "failing"]
    store: Literal["sqlite", "postgresql"]
    read_model_lag: dict[str, int] = Field(description="events each read model is behind the log (checkpoints "
                                                       "are not lag)")
    replica_lag: dict[str, float] | None = Field(
        None, description="with a read replica: `events` its log is behind the primary's; on a PostgreSQL streaming "
                          "replica also the WAL `bytes` it has still to replay and `seconds` behind")
    problems: list[dict[str, str]] | None = Field(None, description="read_model (or component: replica, store) and "
                                                                    "reason of each trouble")


class Problem(BaseModel):
    """An RFC 9457 problem (application/problem+json): `type` names the rule that refused the
    request, one per row of the error table; other members are that rule's details."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(examples=["/problems/overlap"])
    title: str = Field(description="the same for every problem of this type")
    status: int = Field(description="the HTTP status")
    detail: str = Field(description="what was wrong with this request")
    field: str | None = Field(None, description="the field refused, as the client wrote it (422)")
    reason: str | None = Field(None, description="why the field was refused (422)")


class AnnouncementStarted(Reply):
    announcement_id: str = Field(examples=["3174010100001-1"], description="the parcel's NIB and the round")
    ends_on: str = Field(examples=["2025-02-04"], description="the last day of the period")


class ObjectionLodged(Reply):
    objection_id: str = Field(examples=["KB1"])
    receipt: str = Field(examples=["3174010100001-1/KB1/2025-01-10"], description="keep it as proof of lodging")


class ObjectionDecided(Reply):
    objection_id: str
    outcome: Literal["dismissed", "upheld"]
    announcement_status: str = Field(description="running, or upheld: the parcel must be announced again")


class AnnouncementRead(Reply):
    announcement_id: str
    kind: str
    started_on: str
    ends_on: str
    right_type: str
    claimants: list[JSON]
    status: str = Field(description="running, ended, or upheld (ended by an objection)")
    objections: list[JSON]


class Announcements(Reply):
    type: Literal["FeatureCollection"]
    village_code: str
    today: str = Field(description="the registry's legal day")
    features: list[JSON] = Field(description="claimant names, area, right and period; no ids, shares or contacts")


class ComplaintFiled(Reply):
    complaint_number: str = Field(examples=["PGD-2026-000001"])
    secret: str = Field(description="shown once: with the number it lets the complainant follow the complaint")
    respond_by: str = Field(description="the answer is due by this day")


class ComplaintSeen(Reply):
    complaint_number: str
    status: str
    filed_on: str
    respond_by: str
    replies: list[JSON]


class ComplaintStep(Reply):
    complaint_number: str
    status: str


class Inbox(Reply):
    today: str
    complaints: list[JSON]


class ComplaintStats(Reply):
    all: JSON
    by_village: dict[str, JSON]
    by_category: dict[str, JSON]


class OgcDocument(BaseModel):
    """A document of OGC API - Features (landing page, conformance, collections, features), as
    Part 1 defines it; its members are those of the standard, so they are not listed again here."""

    model_config = ConfigDict(extra="allow")
