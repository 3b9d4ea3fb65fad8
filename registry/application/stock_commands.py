"""Bulk first registration of a legacy stock (konversi): many parcels, each surveyed and titled.

One entry is what `submit_survey` followed by `register_title` would do for one parcel, checked
by the same rules (invariants 1, 2, 5, 6 and the term rules), and it lands whole or not at all.
A call takes a chunk of entries and writes the accepted ones in one transaction: the overlap
guard asks the store once for the whole chunk and compares the chunk with itself in memory,
serials are allocated once per village, and events, footprints and read-model rows are written
in bulk. This is the import's fast path; it never bypasses a rule that the single commands keep.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import shapely
from sqlalchemy.orm import Session

from registry.application import conflicts, legacy
from registry.application.runner import CommandRunner, Result, command_fingerprint, replay
from registry.application.unit_of_work import shape_of
from registry.domain import identifiers, rights, values
from registry.domain.errors import InvalidInput, RegistryError, SerialsExhausted
from registry.domain.identifiers import MAX_SERIAL, make_certificate_number, make_nib, parcel_id
from registry.domain.parcel import Parcel
from registry.domain.provenance import Provenance
from registry.domain.title import Title
from registry.domain.values import Actor
from registry.persistence.store import (
    Appended,
    begin_command,
    copy_events,
    current_serial,
    find_commands,
    next_serial,
    record_commands,
)
from spatial.crs import WGS84, Footprint, transform
from spatial.topology import exceeds, overlap

NAME = "register_parcel"
FIELDS = ("village_code", "geometry", "crs", "survey", "right_type", "holders", "ends_on", "source")
ARGUMENTS = FIELDS + legacy.FIELDS  # what a line may carry


@dataclass
class _Entry:
    """One parcel of the stock, parsed outside the transaction."""

    village: str
    survey: dict[str, str]
    shape: Footprint
    right_type: str
    holders: list[dict[str, str]]
    ends_on: str | None
    deed: dict[str, str]
    dates: legacy.LegacyDates
    # Parcels it overlaps beyond the tolerance (NIBs in the store, or indexes of entries of the
    # same chunk) and by how many m²: recorded as conflicts, never refused (registry/application/conflicts.py).
    overlaps: list[tuple[str | int, float]] = field(default_factory=list)


Outcome = Result | RegistryError


class StockCommands(CommandRunner):
    """The bulk path for first registrations."""

    def register_parcels(self, entries: list[dict[str, Any]], command_ids: list[str], *, actor: Actor) -> list[Outcome]:
        """Survey and title every entry (fields: FIELDS); one outcome per entry, in order: its
        result (nib, certificate_number, edition, certificate_hash, area_m2, position) or why
        it was refused. A command id already used returns its first result (invariant 12)."""
        if len(set(command_ids)) != len(command_ids) or len(command_ids) != len(entries):
            raise InvalidInput("command_ids", "give one command id per entry, none twice")
        fingerprints = [command_fingerprint(NAME, _fingerprinted(e), actor) for e in entries]
        parsed = [self._parse(entry) for entry in entries]
        with self.recorder.transaction() as session:  # type: ignore[attr-defined]
            begin_command(session, self.settings)
            earlier = find_commands(session, command_ids)
            outcomes: list[Outcome | _Entry] = [
                _replayed(cid, fp, earlier[cid]) if cid in earlier else item
                for cid, fp, item in zip(command_ids, fingerprints, parsed)
            ]
            self._guard(session, outcomes)
            fresh = self._write(session, outcomes, command_ids, actor)
            record_commands(session, [(command_ids[i], NAME, fingerprints[i], cast(Result, outcomes[i])) for i in fresh])
        return outcomes  # type: ignore[return-value]

    def _parse(self, entry: dict[str, Any]) -> _Entry | RegistryError:
        today = self.clock()
        try:
            kind = rights.right_type(entry.get("right_type"))
            owners = values.holders(entry.get("holders"))
            # The same eligibility as a first registration. Terms: a legacy title's recorded term
            # stands (it may have been granted under older law), so no first-grant maximum.
            rights.check_eligibility(kind, owners, self.settings.designated_entities)
            deed = values.source_document(entry.get("source"), today)
            ends_on = rights.check_term(kind, entry.get("ends_on"), today, owners)
            dates = legacy.parse(entry, deed, today)
            legacy.check(kind, ends_on, dates, self.settings.designated_entities)
            return _Entry(
                village=identifiers.village_code(entry.get("village_code")),
                survey=values.survey_document(entry.get("survey"), today),
                shape=self.footprint(entry.get("geometry"), entry.get("crs")),
                right_type=kind, holders=owners, ends_on=ends_on, deed=deed, dates=dates,
            )
        except RegistryError as error:
            return error

    def _guard(self, session: Session, outcomes: list[Any]) -> None:
        """Invariant 2 for the chunk: against the store in one query, then against the chunk's
        earlier entries, in entry order (as if each had been submitted in turn). A legacy parcel
        that overlaps is kept, with what it overlaps: its conflicts are recorded, not refused."""
        indexes = [i for i, item in enumerate(outcomes) if isinstance(item, _Entry)]
        stored = self.footprints.candidates_many(session, [outcomes[i].shape.wgs84 for i in indexes])
        tree = shapely.STRtree([outcomes[i].shape.wgs84 for i in indexes])
        accepted: set[int] = set()
        for position, i in enumerate(indexes):
            entry = outcomes[i]
            nearby: list[tuple[str | int, Any]] = list(stored.get(position, []))
            nearby += [(indexes[j], outcomes[indexes[j]].shape.wgs84) for j in tree.query(entry.shape.wgs84)
                       if j in accepted]
            for name, other in nearby:
                found = overlap(entry.shape.metric, transform(other, WGS84, entry.shape.tm3_epsg))
                if exceeds(found, self.guard.tolerance_m2, self.guard.tolerance_fraction):
                    entry.overlaps.append((name, found.area_m2))
            accepted.add(position)

    def _write(self, session: Session, outcomes: list[Any], command_ids: list[str], actor: Actor) -> list[int]:
        """Allocate numbers, build and save the events, place footprints, update read models."""
        fresh = [i for i, item in enumerate(outcomes) if isinstance(item, _Entry)]
        digits = self.settings.right_type_digits
        nib_keys = [("nib", outcomes[i].village) for i in fresh]
        right_keys = [(f"right:{digits[outcomes[i].right_type]}", outcomes[i].village) for i in fresh]
        nib_serials, right_serials = _plan(session, nib_keys), _plan(session, right_keys)
        used: Counter[tuple[str, str]] = Counter()
        aggregates, built, deeds = [], {}, {}
        recorded_at = datetime.now(UTC)
        for i, nib_key, nib_serial, right_key, right_serial in zip(
            fresh, nib_keys, nib_serials, right_keys, right_serials,
        ):
            entry = outcomes[i]
            if nib_serial is None or right_serial is None:
                what = "NIB" if nib_serial is None else entry.right_type
                outcomes[i] = SerialsExhausted(f"village {entry.village} has no {what} numbers left")
                continue
            used.update([nib_key, right_key])
            nib = make_nib(entry.village, nib_serial)
            number = make_certificate_number(entry.village, right_key[0].split(":")[1], right_serial)
            registered = entry.dates.registration(entry.deed)  # the parcel is in law from its title on, if earlier
            survey = Provenance(actor, entry.survey, min(entry.survey["date"], registered), command_ids[i], recorded_at)
            deed = Provenance(actor, entry.deed, registered, command_ids[i], recorded_at)
            parcel = Parcel.create(Parcel.Surveyed, nib, entry.village, shape_of(entry.shape), survey)
            title = Title.register(number, nib, entry.right_type, entry.holders, entry.ends_on, parcel.area_m2, deed)
            parcel.record_title(number, deed)
            legacy.transfer(title, entry.dates, self.settings.designated_entities, self.clock(), actor,
                            command_ids[i], recorded_at)
            aggregates += [parcel, title]
            built[i], deeds[nib] = (parcel, title), deed
        if not built:
            return []
        aggregates += self._conflicts(outcomes, built, deeds)
        for (scope, key), count in used.items():
            next_serial(session, scope, key, count)
        positions, appended = self._append(session, aggregates)
        self.footprints.add_many(session, [
            (p.nib, p.village_code, shapely.to_wkb(outcomes[i].shape.wgs84, hex=True)) for i, (p, _) in built.items()
        ])
        if self.after_save is not None:
            self.after_save(session, appended)
        for i, (parcel, title) in built.items():
            outcomes[i] = {"nib": parcel.nib, "certificate_number": title.certificate_number, "edition": title.edition,
                           "certificate_hash": title.certificate_hash, "version": title.version,
                           "area_m2": float(parcel.area_m2), "position": max(positions[parcel.id], positions[title.id])}
        return list(built)

    def _conflicts(self, outcomes: list[Any], built: dict[int, tuple[Parcel, Title]],
                   deeds: dict[str, Provenance]) -> list[Parcel]:
        """Record each overlap found by the guard on both parcels; the stored parcels it changed."""
        pairs = [(parcel, other if isinstance(other, str) else built[other][0].nib, area)
                 for i, (parcel, _) in built.items() for other, area in outcomes[i].overlaps
                 if isinstance(other, str) or other in built]
        new = {parcel.nib: parcel for parcel, _ in built.values()}
        return conflicts.record(pairs, lambda p: deeds[p.nib], lambda nib: self.repository.get(parcel_id(nib)), new)

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


def _plan(session: Session, keys: list[tuple[str, str]]) -> list[int | None]:
    """The serial each (scope, village) key would get, in order, or None past the last one.
    Nothing is written: the caller allocates what it uses once it knows what that is."""
    start = {key: current_serial(session, *key) + 1 for key in set(keys)}
    taken: Counter[tuple[str, str]] = Counter()
    serials: list[int | None] = []
    for key in keys:
        serial = start[key] + taken[key]
        taken[key] += 1
        serials.append(serial if serial <= MAX_SERIAL else None)
    return serials


def _replayed(command_id: str, fingerprint: str, earlier: tuple[str, str, Result]) -> Outcome:
    try:
        return replay(command_id, NAME, fingerprint, earlier)
    except RegistryError as error:
        return error

