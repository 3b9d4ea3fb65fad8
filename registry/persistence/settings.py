"""The one typed reader of the environment (prefix LANDREG_)."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///./data/landreg.db"
POSTGRES_DRIVER = "postgresql+psycopg2"
# The schemes other tools write for PostgreSQL (libpq, Heroku, docker images): all mean the driver above.
POSTGRES_SCHEMES = ("postgres", "postgresql")

# Right-type digit of the certificate number. Public sources disagree on the table,
# so it is configuration: override with LANDREG_RIGHT_TYPE_DIGITS='{"HM": "1", ...}'.
DEFAULT_RIGHT_TYPE_DIGITS = {
    "HM": "1", "HGU": "2", "HGB": "3", "HP": "4", "HPL": "5", "WAKAF": "6", "HMSRS": "7",
}


class Settings(BaseSettings):
    """Everything the registry can be configured with; see the README's table."""

    model_config = SettingsConfigDict(env_prefix="LANDREG_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Read models: "inline" (in each command's transaction: read-your-writes) or "async" (a
    # follower in the service catches up from its position and follows the log).
    projections: Literal["inline", "async"] = "inline"
    # Where queries read; a streaming replica of database_url in production. Unset: database_url.
    read_database_url: str | None = None
    # A read sending X-Read-After-LSN waits this long for the replica to replay it, then asks the primary.
    replica_wait_ms: int = Field(default=1_000, ge=0, le=60_000)
    # Overlap guard: an overlap is tolerated only when it is within both limits.
    overlap_tolerance_m2: float = Field(default=0.5, ge=0)
    overlap_tolerance_fraction: float = Field(default=0.001, ge=0, le=1)
    # Subdivision: total area of the parts within this fraction of the parent (0.1 %),
    # and gaps or spills along the boundary within this many square metres.
    subdivision_area_tolerance: float = Field(default=0.001, ge=0, le=0.1)
    subdivision_boundary_tolerance_m2: float = Field(default=1.0, ge=0)
    max_vertices: int = Field(default=100_000, ge=4)
    max_body_bytes: int = Field(default=5_000_000, ge=1_000)  # HTTP request bodies
    # The public endpoints (no token): requests per minute per client address, and the burst allowed.
    public_rate_per_minute: float = Field(default=60, ge=0)
    public_rate_burst: int = Field(default=20, ge=1)
    # The file the public rate buckets live in, shared by the worker processes that map it
    # (`landreg serve` makes one for its workers); unset: each process keeps its own.
    rate_limit_file: Path | None = None
    # Prometheus metrics at /metrics, for the bearer of this token; unset: /metrics is off.
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    log_format: Literal["text", "json"] = "text"  # the lines `landreg serve` writes to stderr
    # The read log of personal data (who read whose holder data): rows older than this are deleted; 0 keeps all.
    read_log_retention_days: int = Field(default=730, ge=0)
    # The registry's legal day: today's date (no legal date may lie after it) is the date here.
    time_zone: Literal["WIB", "WITA", "WIT"] = "WIT"
    # The smallest parcel a survey may record (a polygon of a few micro-degrees is a typing error).
    min_parcel_area_m2: float = Field(default=1.0, ge=0)
    # The most parcels one merger may join (each is locked and loaded in one transaction).
    max_merge_parts: int = Field(default=100, ge=2, le=1000)
    right_type_digits: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RIGHT_TYPE_DIGITS))
    # Holder ids of legal entities designated by the government to hold hak milik, and HPL.
    hm_designated_entities: list[str] = Field(default_factory=list)
    hpl_designated_entities: list[str] = Field(default_factory=list)
    # Years of a first grant, the one extension and the one renewal, per termed right, overriding
    # PP 18/2021 (registry/domain/rights.py), e.g. '{"HP": [25, 20, 25]}' for PP 40/1996.
    right_terms: dict[str, list[int]] = Field(default_factory=dict)
    # A first title only after the parcel's announcement ran with no objection open (PP 18/2021);
    # "off" serves a migration period. The legacy stock path is exempt either way.
    first_registration_announcement: Literal["required", "off"] = "required"
    announcement_days_systematic: int = Field(default=14, ge=1, le=365)
    announcement_days_sporadic: int = Field(default=30, ge=1, le=365)
    complaint_response_working_days: int = Field(default=5, ge=1, le=90)
    # Days no land office works besides weekends: the national holidays and cuti bersama of the
    # government's yearly joint decree (SKB), e.g. '["2026-08-17", "2026-12-25"]'. Not built in: the
    # dates of the Islamic, Chinese, Hindu and Buddhist holidays are set each year, not computed.
    public_holidays: frozenset[date] = Field(default_factory=frozenset)
    # Hak guna usaha is granted on at least 5 ha (UUPA art. 28(2)).
    hgu_min_area_m2: float = Field(default=50_000, ge=0)
    snapshot_interval: int = Field(default=100, ge=2)
    # A rebuild of the read models holds this many events (and the rows they touch) at once: its
    # memory bound (about 1 GB at 50,000 events of a cadastre; see docs/architecture.md).
    rebuild_batch_events: int = Field(default=50_000, ge=100)
    # Worker processes that check a legacy stock's next chunk while the importer writes the one
    # before (0: the importer's own process does it). Default: every core but the writer's.
    import_workers: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1), ge=0, le=64)
    # Aggregates the writer keeps between commands (committed state only); 0: none.
    aggregate_cache_size: int = Field(default=10_000, ge=0)
    lock_timeout_ms: int = Field(default=5_000, ge=0)
    command_retries: int = Field(default=3, ge=0)
    # Group commit: commands waiting at the same time share one transaction (up to this many).
    group_commit: bool = True
    group_commit_max: int = Field(default=200, ge=1)
    pool_size: int = Field(default=20, ge=1)
    pool_max_overflow: int = Field(default=20, ge=0)
    sqlite_busy_timeout_s: float = Field(default=30.0, ge=0)
    # Audit: the Ed25519 key that signs seals and checkpoints, and the file each is also appended to.
    # Both live outside the database, so rewriting the database cannot rewrite them.
    audit_key_file: Path = Path("./data/audit_signing_key.pem")
    audit_anchor_file: Path = Path("./data/audit_checkpoints.jsonl")
    audit_checkpoint_minutes: float = Field(default=60, ge=0)  # the service signs one this often; 0: never
    # Seal (sign) every write transaction's events before it commits. Off only to measure what
    # sealing costs (benchmarks/seal_cost.py): unsealed events fail `audit verify`.
    audit_seal_every_commit: bool = True
    # The land office page's optional basemap or orthophoto (unset: none; the page works offline):
    # an XYZ or WMTS tile URL with {z}/{x}/{y} (or {TileMatrix}/{TileCol}/{TileRow}), or a WMS
    # endpoint (basemap_kind "wms", its layers in basemap_layers). Its origin is added to the page's CSP.
    basemap_url: str | None = None
    basemap_kind: Literal["xyz", "wms"] = "xyz"
    basemap_layers: str = ""
    basemap_attribution: str = ""

    @property
    def designated_entities(self) -> dict[str, list[str]]:
        """Per right type, the legal entities designated to hold it."""
        return {"HM": self.hm_designated_entities, "HPL": self.hpl_designated_entities}

    @property
    def store(self) -> str:
        """'sqlite' or 'postgresql', from the database URL."""
        return "postgresql" if self.database_url.startswith("postgresql") else "sqlite"

    @field_validator("database_url", "read_database_url")
    @classmethod
    def _database_url(cls, url: str | None) -> str | None:
        """A database URL SQLAlchemy reads, `postgres://` and `postgresql://` naming the psycopg2 driver."""
        if url is None:
            return None
        scheme, separator, rest = url.partition("://")
        if not separator or scheme.split("+")[0] not in ("sqlite", *POSTGRES_SCHEMES):
            raise ValueError("must be a SQLite or PostgreSQL URL, such as sqlite:///./data/landreg.db or "
                             "postgresql://user@host/db")
        return f"{POSTGRES_DRIVER}://{rest}" if scheme in POSTGRES_SCHEMES else url

    @field_validator("basemap_url")
    @classmethod
    def _basemap_url(cls, url: str | None) -> str | None:
        """An http(s) URL with a host, since the page's content policy names its origin."""
        if url is None or url == "":
            return None
        scheme, separator, rest = url.partition("://")
        if scheme not in ("http", "https") or not separator or not rest.split("/")[0]:
            raise ValueError("must be an http(s) URL, such as https://tiles.example/{z}/{x}/{y}.png")
        return url

    @property
    def shown_database_url(self) -> str:
        """The database URL as it may be printed or logged: any password masked."""
        return masked(self.database_url)


def masked(url: str) -> str:
    """`url` with its password replaced by ***, for output (`postgresql://ann:***@host/db`)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"
