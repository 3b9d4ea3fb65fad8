"""The read models' folds and the aggregates' `apply` methods are two writings of the same state
change: this contract holds them together. A seeded workload that records every event of the
catalogue runs; then every parcels and certificates row must say what the aggregate loaded from
the store says, and every event class of the catalogue must have a fold."""
from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import text

from api.bootstrap import Services
from projections import parcels, procedures, title_state
from registry.domain.announcement import Announcement
from registry.domain.complaint import Complaint
from registry.domain.parcel import Parcel
from registry.domain.title import Title
from tests.workload import run_workload

AGGREGATES = (Parcel, Title, Announcement, Complaint)
ABSTRACT = {"Event", "Created", "Dealing"}  # base classes of events, never stored themselves


def event_kinds(aggregate: type) -> set[str]:
    """`Class.Event` names of every concrete event nested in an aggregate (its base Event excluded)."""
    nested = (value for value in vars(aggregate).values() if isinstance(value, type))
    return {f"{aggregate.__name__}.{cls.__name__}" for cls in nested
            if issubclass(cls, aggregate.Event) and cls.__name__ not in ABSTRACT}


def test_every_event_of_the_catalogue_has_a_fold() -> None:
    folded = parcels.FOLDED | set(title_state.FOLDS) | procedures.FOLDED
    catalogue = set().union(*(event_kinds(aggregate) for aggregate in AGGREGATES))
    assert catalogue - folded == set(), "events no read model folds"
    assert folded - catalogue == set(), "folds of events that no longer exist"


def rows(services: Services, table: str) -> list[dict[str, Any]]:
    with services.registry.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(f"SELECT * FROM {table}"))]


def json_value(value: Any) -> Any:
    """JSON columns come back as text on some drivers."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def plain(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def title_as_folded(title: Title) -> dict[str, Any]:
    return {"certificate_number": title.certificate_number, "nib": title.nib, "right_type": title.right_type,
            "status": title.status, "edition": title.edition, "holders": title.holders, "ends_on": title.ends_on,
            "area_m2": plain(title.area_m2), "successors": title.successors,
            "mortgages": {key: m.get("status", "active") for key, m in title.mortgages.items()},
            "blocks": {key: b["status"] for key, b in title.blocks.items()}, "version": title.version}


def title_as_read(state: dict[str, Any]) -> dict[str, Any]:
    return {**{key: state[key] for key in ("certificate_number", "nib", "right_type", "status", "edition", "holders",
                                             "ends_on", "successors", "version")},
            "area_m2": plain(state["area_m2"]),
            "mortgages": {key: m["status"] for key, m in state["mortgages"].items()},
            "blocks": {key: b["status"] for key, b in state["blocks"].items()}}


def test_every_read_model_row_says_what_its_aggregate_says(services: Services) -> None:
    run_workload(services.registry, 1_200, seed=5)
    repository = services.registry.repository

    certificates = rows(services, "landreg_certificates")
    assert len(certificates) > 100
    for row in certificates:
        title = repository.get(uuid.UUID(str(row["title_id"])))
        state = json_value(row["title"])
        assert title_as_read(state) == title_as_folded(title), row["certificate_number"]
        assert (row["status"], row["edition"], row["version"]) == (title.status, title.edition, title.version)

    parcel_rows = rows(services, "landreg_parcels")
    assert len(parcel_rows) > 300
    statuses = set()
    for row in parcel_rows:
        parcel = repository.get(uuid.UUID(str(row["parcel_id"])))
        statuses.add(parcel.status)
        assert (row["nib"], row["village_code"], row["status"], row["version"]) == (
            parcel.nib, parcel.village_code, parcel.status, parcel.version)
        assert plain(row["area_m2"]) == plain(parcel.shape["area_m2"])
        assert json_value(row["children"]) == list(parcel.children)
        assert row["certificate_number"] == parcel.certificate_number
        if row["title_id"] is not None and row["status"] == "active":
            current = json_value(row["title"])
            assert current["certificate_number"] == parcel.certificate_number
    assert statuses == {"active", "retired"}
