"""Peer of the command figures: a plain eventsourcing Application saving events like ours.

No guard, no projections, no hash chain, no advisory locks: one aggregate, one event, one
`save()` (one transaction) per command, on eventsourcing-sqlalchemy with psycopg2.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)

from benchmarks.peers.common import (
    Measure,
    Stopwatch,
    fresh_database,
    rate,
    sqlalchemy_url,
    survey_fields,
    title_fields,
    transfer_fields,
)

NAMESPACE = uuid.UUID("5e1f0c9a-8a55-4c53-9d3e-6b0f2a7d1c40")  # ids are uuid5 of the NIB, as ours


class PeerParcel(Aggregate):
    """A parcel reduced to its first event (the survey)."""

    class Surveyed(Aggregate.Created):
        nib: str
        village_code: str
        shape: dict[str, Any]
        actor: dict[str, str]
        source: dict[str, str]
        effective_at: str
        command_id: str
        hash: str

        def apply(self, parcel: PeerParcel) -> None:
            parcel.nib = self.nib
            parcel.shape = dict(self.shape)

    if TYPE_CHECKING:  # assigned only by the events' apply(), as in registry/domain/parcel.py
        nib: str
        shape: dict[str, Any]

    @classmethod
    def survey(cls, fields: dict[str, Any]) -> PeerParcel:
        return cls._create(cls.Surveyed, id=uuid.uuid5(NAMESPACE, "parcel:" + fields["nib"]), **fields)


class PeerTitle(Aggregate):
    """A title reduced to registration and transfer."""

    class Registered(Aggregate.Created):
        certificate_number: str
        nib: str
        right_type: str
        holders: list[dict[str, str]]
        ends_on: str | None
        area_m2: str
        origin: str
        predecessors: list[str]
        mortgages: list[dict[str, Any]]
        actor: dict[str, str]
        source: dict[str, str]
        effective_at: str
        command_id: str
        hash: str

        def apply(self, title: PeerTitle) -> None:
            title.holders = [dict(h) for h in self.holders]
            title.edition = 1

    class OwnershipTransferred(Aggregate.Event):
        kind: str
        holders: list[dict[str, str]]
        edition: int
        actor: dict[str, str]
        source: dict[str, str]
        effective_at: str
        command_id: str
        hash: str

        def apply(self, title: PeerTitle) -> None:
            title.holders = [dict(h) for h in self.holders]
            title.edition = self.edition

    if TYPE_CHECKING:
        holders: list[dict[str, str]]
        edition: int

    @classmethod
    def register(cls, fields: dict[str, Any]) -> PeerTitle:
        number = fields["certificate_number"]
        return cls._create(cls.Registered, id=uuid.uuid5(NAMESPACE, "title:" + number), **fields)

    def transfer(self, fields: dict[str, Any]) -> None:
        self.trigger_event(self.OwnershipTransferred, **fields)


class PlainLedger(Application[uuid.UUID]):
    """The library's Application as it comes: events in `plainledger_events`, nothing else."""


def ledger(url: str) -> PlainLedger:
    """A PlainLedger on the peer's database through eventsourcing-sqlalchemy: psycopg2 for a
    PostgreSQL URL, or a SQLite file as given (`sqlite:///path`, for benchmarks/sqlite_side.py)."""
    return PlainLedger(env={"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
                            "SQLALCHEMY_URL": url if url.startswith("sqlite") else sqlalchemy_url(url)})


def mapper() -> Mapper[uuid.UUID]:
    """The mapper a plain Application uses (JSON, with UUID, Decimal and datetime transcodings)."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def stored_surveys(count: int, start: int = 0) -> list[StoredEvent]:
    """Stored `PeerParcel.Surveyed` events (about 1 KB of state each) of parcels start .. start+count-1."""
    events = mapper()
    return [events.to_stored_event(PeerParcel.survey(survey_fields(i)).collect_events()[0])
            for i in range(start, start + count)]


def close(app: Application[Any]) -> None:
    """Close the application and its engine's pool (the SQLAlchemy factory's close() keeps it)."""
    app.close()
    dispose(app.factory)


def dispose(owner: object) -> None:
    """Close the pool of the engine of a SQLAlchemy factory or recorder (their close() leaves it open)."""
    datastore = vars(owner).get("datastore")
    engine = getattr(datastore, "engine", None)
    if engine is not None:
        engine.dispose()


def plain_save(url: str, commands: int) -> list[Measure]:
    """Commands/s of a plain Application saving one event per command, one transaction each.

    Drops and creates the database, then times, one command after another on one thread:
    `survey` (new PeerParcel, ~1 KB event with WKB hex geometry, `save()`), `title` (new
    PeerTitle, `save()`), and `transfer` (`repository.get()` of a title, a second event,
    `save()`: the load a real command makes is part of it). Field values are made untimed.
    """
    fresh_database(url)
    app = ledger(url)
    try:
        surveys = [survey_fields(i) for i in range(commands)]
        titles = [title_fields(i) for i in range(commands)]
        transfers = [transfer_fields(i) for i in range(commands)]
        figures = [_time("survey", surveys, lambda f: app.save(PeerParcel.survey(f)))]
        ids: list[uuid.UUID] = []

        def register(fields: dict[str, Any]) -> None:
            title = PeerTitle.register(fields)
            app.save(title)
            ids.append(title.id)

        figures.append(_time("title", titles, register))
        pairs = iter(ids)

        def transfer(fields: dict[str, Any]) -> None:
            title: PeerTitle = app.repository.get(next(pairs))
            title.transfer(fields)
            app.save(title)

        figures.append(_time("transfer", transfers, transfer))
        return figures
    finally:
        close(app)


def commands(app: PlainLedger, start: int, count: int) -> dict[str, Callable[[int], None]]:
    """The three commands on parcel `index` (start <= index < start + count), for any number of
    client threads: field values are made beforehand, untimed; a transfer loads its title first."""
    surveys = {i: survey_fields(i) for i in range(start, start + count)}
    titles = {i: title_fields(i) for i in range(start, start + count)}
    transfers = {i: transfer_fields(i) for i in range(start, start + count)}

    def transfer(index: int) -> None:
        title: PeerTitle = app.repository.get(uuid.uuid5(NAMESPACE, "title:" + titles[index]["certificate_number"]))
        title.transfer(transfers[index])
        app.save(title)

    def survey(index: int) -> None:
        app.save(PeerParcel.survey(surveys[index]))

    def title(index: int) -> None:
        app.save(PeerTitle.register(titles[index]))

    return {"survey": survey, "title": title, "transfer": transfer}


def _time(name: str, payloads: list[dict[str, Any]], command: Any) -> Measure:
    watch = Stopwatch()
    with watch:
        for fields in payloads:
            command(fields)
    return rate(f"plain Application save: {name}", "commands/s", len(payloads), watch.seconds)
