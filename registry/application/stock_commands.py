"""Bulk first registration of a legacy stock (konversi): many parcels, each surveyed and titled.

One entry is what `submit_survey` followed by `register_title` would do for one parcel, and it is
checked by the very same code: the input rules of `registration.py` (invariants 1, 5, 6, the term
rules), the guard's `screen` (invariant 2: the store in one query, the chunk against itself in
memory), the serials object's batch (numbers read once per village, written once), and the same
aggregate constructors. An entry lands whole or not at all; the accepted ones of a chunk are
written in one transaction, events and footprints in bulk. Two things differ, because the stock
is old land: a line keeps its legal dates (registered_on, transfers: registry/application/legacy.py),
and a parcel that overlaps another is recorded in conflict with it, never refused, so no legal
document is lost (registry/application/conflicts.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

import shapely
from sqlalchemy.orm import Session

from registry.application import conflicts, legacy
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
from registry.domain.identifiers import parcel_id
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
ARGUMENTS = FIELDS + legacy.FIELDS  # what a line may carry
Outcome = Result | RegistryError


@dataclass(frozen=True)
class _Entry:
    """One parcel of the stock, checked outside the transaction."""

    survey: SurveyInput
    right: RightInput
    dates: legacy.LegacyDates


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
        [command_fingerprint(NAME, _fingerprinted(e), actor) for e in entries]


def _parse(settings: Settings, today: date, entry: dict[str, Any]) -> _Entry | RegistryError:
    """One entry's input rules; a legacy title keeps its term."""
    try:
        right = right_input(settings, today, entry.get("right_type"), entry.get("holders"), entry.get("ends_on"),
                            entry.get("source"), legacy=True)
        surveyed = survey_input(settings, today, entry.get("village_code"), entry.get("geometry"),
                                entry.get("survey"), entry.get("crs"))
        check_parcel_for_right(settings, right, None, area(surveyed.shape.area_m2))
        dates = legacy.parse(entry, right.source, today)
        legacy.check(right.right_type, right.term.ends_on, dates, settings.designated_entities)
        return _Entry(surveyed, right, dates)
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
            record_commands(session,
                            [(command_ids[i], NAME, fingerprints[i], cast(Result, outcomes[i])) for i in fresh])
        return outcomes

    def _guard(self, session: Session, outcomes: list[Any]) -> dict[int, Conflict]:
        """Invariant 2 for the chunk's new entries, in entry order: what each overlaps (the store's
        NIBs, or the chunk's other entries by their index in `outcomes`). Every entry is kept, so a
        later one is screened against the conflicting ones too."""
        indexes = [i for i, item in enumerate(outcomes) if isinstance(item, _Entry)]
        screened = self.guard.screen(session, [outcomes[i].survey.shape for i in indexes], keep_all=True)
        return {i: Conflict([indexes[n] if isinstance(n, int) else n for n in found.names], found.area_m2, found.areas)
                for i, found in zip(indexes, screened) if found is not None}

    def _write(self, session: Session, outcomes: list[Any], overlaps: dict[int, Conflict], made: _Made) -> list[int]:
        """Allocate numbers, build the aggregates, record the overlaps as conflicts, save them, place
        footprints, update read models."""
        entries = [i for i, item in enumerate(outcomes) if isinstance(item, _Entry)]
        serials = self.serials.batch(session, {outcomes[i].survey.village for i in entries},
                                     {outcomes[i].right.right_type for i in entries})
        built: dict[int, tuple[Parcel, Title]] = {}
        deeds: dict[str, Provenance] = {}
        for i in entries:
            try:
                built[i] = self._register(outcomes[i], serials, made, made.command_ids[i], deeds)
            except RegistryError as error:
                outcomes[i] = error
        if built:
            serials.store(session)
            self._save(session, outcomes, built, self._conflicts(overlaps, built, deeds))
        return list(built)

    def _conflicts(self, overlaps: dict[int, Conflict], built: dict[int, tuple[Parcel, Title]],
                   deeds: dict[str, Provenance]) -> list[Parcel]:
        """Record each overlap on both parcels; the stored parcels it changed."""
        pairs = [(built[i][0], other if isinstance(other, str) else built[other][0].nib, area)
                 for i, found in overlaps.items() if i in built
                 for other, area in zip(found.names, found.areas) if isinstance(other, str) or other in built]
        new = {parcel.nib: parcel for parcel, _ in built.values()}
        return conflicts.record(pairs, lambda p: deeds[p.nib], lambda nib: self.repository.get(parcel_id(nib)), new)

    def _register(self, entry: _Entry, serials: SerialBatch, made: _Made, command_id: str,
                  deeds: dict[str, Provenance]) -> tuple[Parcel, Title]:
        """What submit_survey then register_title record for one parcel, on its legal dates, then
        the transfers the line carries."""
        survey, right = entry.survey, entry.right
        nib, number = serials.first_registration(survey.village, right.right_type)
        registered = entry.dates.registration(right.source)  # the parcel is in law from its title on, if earlier
        surveyed = Provenance(made.actor, survey.source, min(survey.source["date"], registered), command_id,
                              made.recorded_at)
        deed = deeds[nib] = Provenance(made.actor, right.source, registered, command_id, made.recorded_at)
        parcel = Parcel.create(Parcel.Surveyed, nib, survey.village, shape_of(survey.shape), surveyed)
        title = first_title(number, parcel, right, deed, self.settings.designated_entities)
        legacy.transfer(title, entry.dates, self.settings.designated_entities, self.clock(), made.actor, command_id,
                        made.recorded_at)
        return parcel, title

    def _save(self, session: Session, outcomes: list[Any], built: dict[int, tuple[Parcel, Title]],
              changed: list[Parcel]) -> None:
        """Events, footprints and read models of the built parcels (and of the stored parcels their
        conflicts changed); each entry's result."""
        positions, appended = self._append(session, [a for pair in built.values() for a in pair] + changed)
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


def _fingerprinted(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields a line's fingerprint covers; the legacy dates only when given, so lines written
    before they existed keep their fingerprints (a resumed import still recognises them)."""
    return {**{k: entry.get(k) for k in FIELDS}, **{k: entry[k] for k in legacy.FIELDS if k in entry}}


def _replayed(command_id: str, fingerprint: str, earlier: tuple[str, str, Result]) -> Outcome:
    try:
        return replay(command_id, NAME, fingerprint, earlier)
    except RegistryError as error:
        return error
