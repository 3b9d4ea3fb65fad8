"""Bulk first registration of a legacy stock (konversi): many parcels, each surveyed and titled.

One entry is what `submit_survey` followed by `register_title` would do for one parcel, and it is
checked by the very same code: the input rules of `registration.py` (invariants 1, 5, 6, the term
rules), the guard's `screen` (invariant 2: the store in one query, the chunk against itself in
memory), the serials object's batch (numbers read once per village, written once), and the same
aggregate constructors. An entry lands whole or not at all; the accepted ones of a chunk are
written in one transaction, events and footprints in bulk.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

import shapely
from sqlalchemy.orm import Session

from registry.application.guard import Conflict
from registry.application.registration import (
    RightInput,
    SurveyInput,
    check_parcel_for_right,
    first_title,
    right_input,
    survey_input,
)
from registry.application.runner import CommandRunner, Result, command_fingerprint, replay
from registry.application.unit_of_work import area, shape_of
from registry.domain.errors import InvalidInput, RegistryError
from registry.domain.parcel import Parcel
from registry.domain.provenance import Provenance
from registry.domain.title import Title
from registry.domain.values import Actor
from registry.persistence.serials import SerialBatch
from registry.persistence.settings import Settings
from registry.persistence.store import (
    Appended,
    begin_command,
    copy_events,
    find_commands,
    record_commands,
)

NAME = "register_parcel"
FIELDS = ("village_code", "geometry", "crs", "survey", "right_type", "holders", "ends_on", "source")
Outcome = Result | RegistryError


@dataclass(frozen=True)
class _Entry:
    """One parcel of the stock, checked outside the transaction."""

    survey: SurveyInput
    right: RightInput


@dataclass(frozen=True)
class _Made:
    """Who registers the chunk, under which command ids, at which recorded instant."""

    actor: Actor
    command_ids: list[str]
    recorded_at: datetime


Prepared = tuple[list[Any], list[str]]  # each entry checked (_Entry) or refused, and its fingerprint


def prepare(settings: Settings, today: date, entries: list[dict[str, Any]], actor: Actor) -> Prepared:
    """The pure half of a chunk (no database): every entry checked by submit_survey's and
    register_title's rules, and its command fingerprint. Runs in a worker process as well."""
    return [_parse(settings, today, entry) for entry in entries], \
        [command_fingerprint(NAME, {k: e.get(k) for k in FIELDS}, actor) for e in entries]


def _parse(settings: Settings, today: date, entry: dict[str, Any]) -> _Entry | RegistryError:
    """One entry's input rules; a legacy title keeps its term."""
    try:
        right = right_input(settings, today, entry.get("right_type"), entry.get("holders"), entry.get("ends_on"),
                            entry.get("source"), legacy=True)
        surveyed = survey_input(settings, today, entry.get("village_code"), entry.get("geometry"),
                                entry.get("survey"), entry.get("crs"))
        check_parcel_for_right(settings, right, None, area(surveyed.shape.area_m2))
        return _Entry(surveyed, right)
    except RegistryError as error:
        return error


class StockCommands(CommandRunner):
    """The bulk path for first registrations: the single commands' rules and guard, batched."""

    def register_parcels(self, entries: list[dict[str, Any]], command_ids: list[str], *, actor: Actor,
                         prepared: Prepared | None = None) -> list[Outcome]:
        """Survey and title every entry (fields: FIELDS); one outcome per entry, in order: its
        result (nib, certificate_number, edition, certificate_hash, area_m2, position) or why
        it was refused. A command id already used returns its first result (invariant 12).
        `prepared`: what `prepare` made of these entries (in a worker process, while the chunk
        before was written); made here when not given."""
        if len(set(command_ids)) != len(command_ids) or len(command_ids) != len(entries):
            raise InvalidInput("command_ids", "give one command id per entry, none twice")
        parsed, fingerprints = prepared or prepare(self.settings, self.clock(), entries, actor)
        made = _Made(actor, command_ids, datetime.now(UTC))
        with self.recorder.transaction() as session:  # type: ignore[attr-defined]
            begin_command(session, self.settings)
            earlier = find_commands(session, command_ids)
            outcomes: list[Any] = [
                _replayed(cid, fp, earlier[cid]) if cid in earlier else item
                for cid, fp, item in zip(command_ids, fingerprints, parsed)
            ]
            fresh = self._write(session, outcomes, self._guard(session, outcomes), made)
            record_commands(session, [(command_ids[i], NAME, fingerprints[i], cast(Result, outcomes[i])) for i in fresh])
        return outcomes

    def _guard(self, session: Session, outcomes: list[Any]) -> dict[int, Conflict]:
        """Invariant 2 for the chunk's new entries, in entry order: those it refuses, naming the
        chunk's other entries by their index in `outcomes`."""
        indexes = [i for i, item in enumerate(outcomes) if isinstance(item, _Entry)]
        screened = self.guard.screen(session, [outcomes[i].survey.shape for i in indexes])
        return {i: Conflict([indexes[n] if isinstance(n, int) else n for n in found.names], found.area_m2)
                for i, found in zip(indexes, screened) if found is not None}

    def _write(self, session: Session, outcomes: list[Any], conflicts: dict[int, Conflict], made: _Made) -> list[int]:
        """Allocate numbers, build the aggregates, save them, place footprints, update read models.
        Issue 17's legacy dates and in_conflict parcels plug in here: `conflicts` are the guard's findings."""
        entries = [i for i, item in enumerate(outcomes) if isinstance(item, _Entry) and i not in conflicts]
        serials = self.serials.batch(session, {outcomes[i].survey.village for i in entries},
                                     {outcomes[i].right.right_type for i in entries})
        built: dict[int, tuple[Parcel, Title]] = {}
        for i in entries:
            try:
                built[i] = self._register(outcomes[i], serials, made, made.command_ids[i])
            except RegistryError as error:
                outcomes[i] = error
        nib_of = {i: parcel.nib for i, (parcel, _) in built.items()}
        for i, found in conflicts.items():
            outcomes[i] = Conflict([n for n in found.names if not isinstance(n, int) or n in nib_of],
                                   found.area_m2).error(nib_of)
        if built:
            serials.store(session)
            self._save(session, outcomes, built)
        return list(built)

    def _register(self, entry: _Entry, serials: SerialBatch, made: _Made, command_id: str) -> tuple[Parcel, Title]:
        """What submit_survey then register_title record for one parcel."""
        survey, right = entry.survey, entry.right
        nib, number = serials.first_registration(survey.village, right.right_type)
        surveyed = Provenance(made.actor, survey.source, survey.source["date"], command_id, made.recorded_at)
        deed = Provenance(made.actor, right.source, right.source["date"], command_id, made.recorded_at)
        parcel = Parcel.create(Parcel.Surveyed, nib, survey.village, shape_of(survey.shape), surveyed)
        return parcel, first_title(number, parcel, right, deed)

    def _save(self, session: Session, outcomes: list[Any], built: dict[int, tuple[Parcel, Title]]) -> None:
        """Events, footprints and read models of the built parcels; each entry's result."""
        positions, appended = self._append(session, [a for pair in built.values() for a in pair])
        self.footprints.add_many(session, [
            (p.nib, p.village_code, shapely.to_wkb(outcomes[i].survey.shape.wgs84, hex=True))
            for i, (p, _) in built.items()
        ])
        if self.after_save is not None:
            self.after_save(session, appended)
        for i, (parcel, title) in built.items():
            outcomes[i] = {"nib": parcel.nib, "certificate_number": title.certificate_number, "edition": title.edition,
                           "certificate_hash": title.certificate_hash, "version": title.version,
                           "area_m2": float(parcel.area_m2), "position": max(positions[parcel.id], positions[title.id])}

    def _append(self, session: Session, aggregates: list[Any]) -> tuple[dict[Any, int], list[Appended]]:
        """Save new aggregates: the log position of each one's last event, and the events as
        appended when the read models can take them as they are. PostgreSQL: by COPY (none of
        them can clash: their ids are new and the events table is locked)."""
        if session.get_bind().dialect.name != "postgresql":
            return {r.domain_event.originator_id: r.notification.id for r in self.save(*aggregates)}, []
        events = [event for aggregate in aggregates for event in aggregate.collect_events()]
        appended = copy_events(session, [self.mapper.to_stored_event(event) for event in events])
        return {e.originator_id: row[0] for e, row in zip(events, appended)}, appended


def _replayed(command_id: str, fingerprint: str, earlier: tuple[str, str, Result]) -> Outcome:
    try:
        return replay(command_id, NAME, fingerprint, earlier)
    except RegistryError as error:
        return error
