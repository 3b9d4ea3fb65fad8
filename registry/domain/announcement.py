"""The Announcement aggregate (pengumuman data fisik dan yuridis) of a parcel before its first
title, and the objections (keberatan) lodged against it. One per parcel, keyed by NIB; each new
announcement of the same parcel is the next round (an upheld objection forces one)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from registry.domain.chain import ChainedAggregate
from registry.domain.errors import (
    AnnouncementClosed,
    AnnouncementRunning,
    InvalidInput,
    NotAnnounced,
    NotFound,
    ObjectionOpen,
    ObjectionResolved,
)
from registry.domain.identifiers import NAMESPACE
from registry.domain.provenance import Provenance, RecordedEvent

KINDS = frozenset({"systematic", "sporadic"})  # PTSL / systematic registration, or sporadic
OUTCOMES = frozenset({"dismissed", "upheld"})


def announcement_key(nib: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"announcement:{nib}")


class Announcement(ChainedAggregate):
    """The announcements of one parcel: the current round, its claimants, its objections."""

    class Event(RecordedEvent):
        pass

    class Started(Event, Aggregate.Created):
        """The first announcement of the parcel begins."""

        nib: str
        village_code: str
        round: int
        kind: str
        started_on: str
        ends_on: str
        right_type: str
        claimants: list[dict[str, str]]

        def apply(self, announcement: Announcement) -> None:
            announcement.nib = self.nib
            announcement.village_code = self.village_code
            _begin(announcement, self)

    class Restarted(Event):
        """The parcel is announced again (after an upheld objection and a correction)."""

        round: int
        kind: str
        started_on: str
        ends_on: str
        right_type: str
        claimants: list[dict[str, str]]

        def apply(self, announcement: Announcement) -> None:
            _begin(announcement, self)

    class ObjectionLodged(Event):
        """Keberatan: anyone objects during the period, at the office or online."""

        objection_id: str
        name: str
        contact: str
        grounds: str
        lodged_on: str
        channel: str

        def apply(self, announcement: Announcement) -> None:
            announcement.objections[self.objection_id] = {
                "objection_id": self.objection_id, "name": self.name, "contact": self.contact,
                "grounds": self.grounds, "lodged_on": self.lodged_on, "channel": self.channel, "status": "open",
                "round": announcement.round,
            }

    class ObjectionResolved(Event):
        """The objection is dismissed, or upheld, which ends the announcement."""

        objection_id: str
        outcome: str

        def apply(self, announcement: Announcement) -> None:
            announcement.objections[self.objection_id]["status"] = self.outcome
            if self.outcome == "upheld":
                announcement.status = "upheld"

    if TYPE_CHECKING:
        nib: str
        village_code: str
        round: int
        kind: str
        started_on: str
        ends_on: str
        right_type: str
        claimants: list[dict[str, str]]
        status: str  # running (until ends_on), or upheld (ended by an objection)
        objections: dict[str, dict[str, Any]]

    @classmethod
    def start(cls, nib: str, village_code: str, round_: dict[str, Any], provenance: Provenance) -> Announcement:
        return cls._create(cls.Started, id=announcement_key(nib), nib=nib, village_code=village_code, round=1,
                           **round_, **provenance.fields())

    @property
    def announcement_id(self) -> str:
        return f"{self.nib}-{self.round}"

    def running(self, today: date) -> bool:
        return self.status == "running" and today.isoformat() <= self.ends_on

    def restart(self, round_: dict[str, Any], today: date, provenance: Provenance) -> None:
        """Announce again; refused while the current announcement runs."""
        if self.running(today):
            raise AnnouncementRunning(f"announcement {self.announcement_id} runs until "
                                 f"{self.ends_on}", announcement_id=self.announcement_id)
        self.trigger_event(self.Restarted, round=self.round + 1, **round_, **provenance.fields())

    def lodge(self, announcement_id: str, objector: dict[str, str], grounds: str, lodged_on: str, channel: str,
              provenance: Provenance) -> str:
        """An objection inside the current period; returns its id (KB1, KB2, ...)."""
        if announcement_id != self.announcement_id:
            raise NotFound(f"no running announcement {announcement_id}")
        if self.status != "running" or not self.started_on <= lodged_on <= self.ends_on:
            raise AnnouncementClosed(f"announcement {announcement_id} ran from {self.started_on} "
                                 f"to {self.ends_on}; objections are lodged within it",
                                 announcement_id=announcement_id)
        objection_id = f"KB{len(self.objections) + 1}"
        self.trigger_event(self.ObjectionLodged, objection_id=objection_id, name=objector["name"],
                           contact=objector["contact"], grounds=grounds, lodged_on=lodged_on, channel=channel,
                           **provenance.fields())
        return objection_id

    def resolve(self, objection_id: str, outcome: str, provenance: Provenance) -> None:
        objection = self.objections.get(objection_id)
        if objection is None:
            raise NotFound(f"no objection {objection_id!r} on parcel {self.nib}")
        if objection["status"] != "open":
            raise ObjectionResolved(f"objection {objection_id} is already {objection['status']}")
        self.trigger_event(self.ObjectionResolved, objection_id=objection_id, outcome=outcome, **provenance.fields())

    def require_clear(self, today: date, right_type: str, holders: Iterable[dict[str, str]]) -> None:
        """A first title only after the period ended with no objection open, for what was announced."""
        if self.status == "upheld":
            raise NotAnnounced(f"an objection ended announcement {self.announcement_id}; "
                                 "correct the data and announce it again", announcement_id=self.announcement_id)
        if self.running(today):
            raise AnnouncementRunning(f"announcement {self.announcement_id} runs until "
                                 f"{self.ends_on}", announcement_id=self.announcement_id, ends_on=self.ends_on)
        open_ = [o["objection_id"] for o in self.objections.values() if o["status"] == "open"]
        if open_:
            raise ObjectionOpen(f"objection {open_[0]} on parcel {self.nib} is not resolved",
                                 objection_ids=open_)
        if right_type != self.right_type:
            raise InvalidInput("right_type", f"{self.right_type} was announced, not {right_type}")
        if _claims(holders) != _claims(self.claimants):
            raise InvalidInput("holders", "must be the announced claimants with their shares")


def _claims(holders: Iterable[dict[str, str]]) -> list[tuple[str, str, str]]:
    return sorted((h["id"], h["kind"], h["share"]) for h in holders)


def _begin(announcement: Announcement, event: Any) -> None:
    announcement.round = event.round
    announcement.kind = event.kind
    announcement.started_on = event.started_on
    announcement.ends_on = event.ends_on
    announcement.right_type = event.right_type
    announcement.claimants = [dict(c) for c in event.claimants]
    announcement.status = "running"
    if event.round == 1:
        announcement.objections = {}
