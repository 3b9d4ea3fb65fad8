"""The Complaint aggregate (pengaduan): anyone's complaint about a parcel, a certificate or a
service, numbered, answered and tracked to its resolution within a time limit."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from registry.domain.chain import ChainedAggregate
from registry.domain.errors import ComplaintClosed
from registry.domain.identifiers import NAMESPACE
from registry.domain.provenance import Provenance, RecordedEvent

CATEGORIES = frozenset({"service", "data_error", "dispute", "fraud", "other"})
OUTCOMES = frozenset({"resolved", "rejected"})


def complaint_key(number: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"complaint:{number}")


class Complaint(ChainedAggregate):
    """One complaint: what it is about, its replies, who handles it, how it ended."""

    class Event(RecordedEvent):
        pass

    class Filed(Event, Aggregate.Created):
        """A complaint is received and numbered; only the digest of its secret is kept."""

        number: str
        about: dict[str, str]
        village_code: str | None
        category: str
        text: str
        contact: dict[str, str]
        secret_sha256: str
        filed_on: str
        respond_by: str

        def apply(self, complaint: Complaint) -> None:
            complaint.number = self.number
            complaint.about = dict(self.about)
            complaint.village_code = self.village_code
            complaint.category = self.category
            complaint.secret_sha256 = self.secret_sha256
            complaint.filed_on = self.filed_on
            complaint.respond_by = self.respond_by
            complaint.status = "open"
            complaint.replies = []
            complaint.assigned_to = None

    class Replied(Event):
        """An answer to the complainant (public: the complainant sees it)."""

        text: str
        replied_on: str

        def apply(self, complaint: Complaint) -> None:
            complaint.replies.append({"text": self.text, "replied_on": self.replied_on})
            if complaint.status == "open":
                complaint.status = "answered"

    class Assigned(Event):
        """The complaint is handed to an officer."""

        assigned_to: str

        def apply(self, complaint: Complaint) -> None:
            complaint.assigned_to = self.assigned_to

    class Closed(Event):
        """Resolved or rejected, with the answer that closes it."""

        outcome: str
        text: str
        closed_on: str

        def apply(self, complaint: Complaint) -> None:
            complaint.status = self.outcome
            complaint.replies.append({"text": self.text, "replied_on": self.closed_on})

    if TYPE_CHECKING:
        number: str
        about: dict[str, str]
        village_code: str | None
        category: str
        secret_sha256: str
        filed_on: str
        respond_by: str
        status: str  # open, answered, resolved, rejected
        replies: list[dict[str, Any]]
        assigned_to: str | None

    @classmethod
    def file(cls, facts: dict[str, Any], provenance: Provenance) -> Complaint:
        return cls._create(cls.Filed, id=complaint_key(facts["number"]), **facts, **provenance.fields())

    def _require_open(self) -> None:
        if self.status in OUTCOMES:
            raise ComplaintClosed(f"complaint {self.number} is {self.status}",
                                 complaint_number=self.number)

    def reply(self, text: str, today: str, provenance: Provenance) -> None:
        self._require_open()
        self.trigger_event(self.Replied, text=text, replied_on=today, **provenance.fields())

    def assign(self, officer: str, provenance: Provenance) -> None:
        self._require_open()
        self.trigger_event(self.Assigned, assigned_to=officer, **provenance.fields())

    def close(self, outcome: str, text: str, today: str, provenance: Provenance) -> None:
        self._require_open()
        self.trigger_event(self.Closed, outcome=outcome, text=text, closed_on=today, **provenance.fields())
