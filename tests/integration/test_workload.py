"""The workload generator: a seeded history that records every event of the catalogue, refuses
what must be refused, and is the same history every time for the same seed."""
from __future__ import annotations

from pathlib import Path

from eventsourcing.utils import get_topic
from sqlalchemy import text

from registry.application.registry import Registry
from registry.domain.parcel import Parcel
from registry.domain.rights import TRANSFER_KINDS
from registry.domain.title import Title
from registry.persistence.settings import Settings
from tests.conftest import TODAY
from tests.workload import run_workload

CATALOGUE = [
    Parcel.Surveyed, Parcel.BoundaryCorrected, Parcel.CreatedBySubdivision, Parcel.Retired,
    Parcel.CreatedBySeparation, Parcel.PartSeparated, Parcel.CreatedByMerger, Parcel.TitleRegistered,
    Title.RightRegistered, Title.OwnershipTransferred, Title.HolderDataCorrected, Title.MortgageRegistered,
    Title.MortgageReleased, Title.BlockPlaced, Title.BlockLifted, Title.BlockExpired, Title.RightExtended,
    Title.RightRenewed, Title.RightExpired, Title.RightCancelled, Title.CertificateReplaced,
    Title.AreaChanged, Title.Closed,
]


def stored_topics(registry: Registry) -> set[str]:
    with registry.engine.connect() as connection:
        return {row[0] for row in connection.execute(text("SELECT DISTINCT topic FROM landreg_events"))}


def test_two_thousand_commands_record_every_event_of_the_catalogue(registry: Registry) -> None:
    report = run_workload(registry, 2_000)

    assert stored_topics(registry) == {get_topic(event) for event in CATALOGUE}
    assert report.commands == report.total_accepted + report.total_rejected == 2_000
    assert report.total_accepted > 1_500
    for error in ("OverlapError", "InvalidGeometry", "VersionConflict"):
        assert report.rejections(error) > 0, f"no command was refused with {error}"
    assert set(report.transfers) == TRANSFER_KINDS
    assert report.accepted["replay"] > 0
    assert len(set(report.nibs)) == len(report.nibs) > 500


def test_the_same_seed_gives_the_same_history(tmp_path: Path) -> None:
    reports = []
    for name in ("first", "second"):
        settings = Settings(database_url=f"sqlite:///{tmp_path}/{name}.db", audit_key_file=tmp_path / f"{name}.pem",
                            audit_anchor_file=tmp_path / f"{name}.jsonl", first_registration_announcement="off")
        registry = Registry(settings, clock=lambda: TODAY)
        try:
            reports.append(run_workload(registry, 300, seed=11))
        finally:
            registry.close()
            registry.engine.dispose()
    assert reports[0] == reports[1]
    assert reports[0].commands == 300
