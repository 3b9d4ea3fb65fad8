"""The Title aggregate (hak atas tanah), keyed by certificate number, and its events.

Every rule about what may happen to a registered right is checked here, in the command
method, before its event is triggered; each event's apply() only assigns.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from registry.domain import dealings
from registry.domain.blocks import block_until
from registry.domain.certificate import certificate_hash
from registry.domain.chain import ChainedAggregate
from registry.domain.errors import (
    DuplicateBlock,
    InvalidInput,
    MortgageError,
    NotFound,
    ReleasePeriodEnded,
    ReleasePeriodRunning,
    TermError,
    TitleBlocked,
    TitleNotActive,
)
from registry.domain.identifiers import title_id
from registry.domain.provenance import Provenance, RecordedEvent
from registry.domain.rights import (
    RELEASE_YEARS,
    RENEWAL_WINDOW_YEARS,
    TERMED,
    Term,
    add_years,
    check_eligibility,
    loss_of_eligibility,
    require_dealing,
    require_document,
    term_years,
)
from registry.domain.values import Holders


class Title(ChainedAggregate):
    """A registered right: type, holders with shares, term, edition, mortgages and blocks."""

    class Event(RecordedEvent):
        def mutate(self, aggregate: Any) -> Any:
            kind = type(self).__name__
            was = None if aggregate is None else dealings.before(aggregate, kind)
            aggregate = super().mutate(aggregate)
            if was is not None:
                dealings.record(aggregate, kind, self, was)
            elif kind in dealings.ENDING:
                aggregate.mortgages_ended_at = self.originator_version
            return aggregate

    class Dealing(Event):
        """A dealing (registry/domain/dealings.py): it may be annulled while it is the latest."""

        dealing_id: str

    class RightRegistered(Event, Aggregate.Created):
        """Pembukuan hak: the right is registered and certificate edition 1 issued.

        `origin` is first_registration, subdivision, separation or merger; titles born of
        a subdivision or separation carry their parent's mortgages in `mortgages`.
        """

        certificate_number: str
        nib: str
        right_type: str
        holders: list[dict[str, str]]
        ends_on: str | None
        area_m2: Decimal
        origin: str
        predecessors: list[str]
        mortgages: list[dict[str, Any]]
        granted_on: str

        def apply(self, title: Title) -> None:
            title.certificate_number = self.certificate_number
            title.nib = self.nib
            title.right_type = self.right_type
            title.holders = [dict(h) for h in self.holders]
            title.ends_on = self.ends_on
            title.area_m2 = self.area_m2
            title.origin = self.origin
            title.predecessors = list(self.predecessors)
            title.successors = []
            title.edition = 1
            title.registered_on = self.effective_at
            title.granted_on = getattr(self, "granted_on", self.effective_at)  # older events: the registration
            title.extensions = 0
            title.renewals = 0
            title.status = "active"
            title.mortgages = {m["mortgage_id"]: dict(m) for m in self.mortgages}
            title.blocks = {}
            title.dealings = []

    class SecondaryRightRegistered(RightRegistered):
        """A right registered beside the parcel's primary title: granted on title `on_title` (a
        right on a right, `unit` none), or a strata unit's title in a building on that land title."""

        on_title: str
        unit: dict[str, str] | None

        def apply(self, title: Title) -> None:
            super().apply(title)
            title.on_title = self.on_title
            title.unit = None if self.unit is None else dict(self.unit)

    class OwnershipTransferred(Dealing):
        """Peralihan hak by sale (jual beli), gift (hibah), inheritance (waris), auction (lelang)
        or exchange (tukar menukar). Mortgages stay: they follow the land."""

        kind: str
        holders: list[dict[str, str]]
        edition: int

        def apply(self, title: Title) -> None:
            title.holders = [dict(h) for h in self.holders]
            title.edition = self.edition
            title.release_by = None  # the whole right passed to eligible holders

    class HolderDataCorrected(Dealing):
        """A correction of holders' names or kinds (not a transfer: ids and shares stay)."""

        holders: list[dict[str, str]]
        edition: int

        def apply(self, title: Title) -> None:
            title.holders = [dict(h) for h in self.holders]
            title.edition = self.edition

    class MortgageRegistered(Dealing):
        """Hak tanggungan registered with its rank (peringkat)."""

        mortgage_id: str
        rank: int
        creditor: dict[str, str]
        amount: Decimal

        def apply(self, title: Title) -> None:
            title.mortgages[self.mortgage_id] = {
                "mortgage_id": self.mortgage_id, "rank": self.rank, "creditor": dict(self.creditor),
                "amount": self.amount, "status": "active",
            }

    class MortgageReleased(Dealing):
        """Roya: the mortgage is released."""

        mortgage_id: str

        def apply(self, title: Title) -> None:
            title.mortgages[self.mortgage_id]["status"] = "released"

    class BlockPlaced(Dealing):
        """Blokir or sita: the title is frozen until lifted or until `until` has passed."""

        block_id: str
        kind: str
        requested_by: str
        until: str | None

        def apply(self, title: Title) -> None:
            title.blocks[self.block_id] = {
                "block_id": self.block_id, "kind": self.kind, "requested_by": self.requested_by,
                "until": self.until, "status": "active",
            }

    class BlockLifted(Dealing):
        """The block was lifted by the party or court that placed it."""

        block_id: str

        def apply(self, title: Title) -> None:
            title.blocks[self.block_id]["status"] = "lifted"

    class BlockExpired(Event):
        """The block's `until` date passed."""

        block_id: str

        def apply(self, title: Title) -> None:
            title.blocks[self.block_id]["status"] = "expired"

    class RightExtended(Event):
        """Perpanjangan: the term is extended before it ends."""

        ends_on: str
        edition: int

        def apply(self, title: Title) -> None:
            title.ends_on = self.ends_on
            title.edition = self.edition
            title.extensions = getattr(title, "extensions", 0) + 1

    class RightRenewed(Event):
        """Pembaruan: a new term is granted after the old one ended."""

        ends_on: str
        edition: int

        def apply(self, title: Title) -> None:
            title.ends_on = self.ends_on
            title.edition = self.edition
            title.status = "active"
            title.renewals = getattr(title, "renewals", 0) + 1

    class RightExpired(Event):
        """The term ended without extension; its mortgages end with it (UU 4/1996 art. 18)."""

        def apply(self, title: Title) -> None:
            title.status = "expired"
            _end_mortgages(title)

    class LandReturned(Event):
        """The right is extinguished for good (no renewal is left): the land returns to the State
        or to the holder of the HPL it was granted on."""

        def apply(self, title: Title) -> None:
            title.status = "returned"
            _end_mortgages(title)

    class RightCancelled(Event):
        """Pembatalan: the right is cancelled by decree or court order; its mortgages end."""

        reason: str

        def apply(self, title: Title) -> None:
            title.status = "cancelled"
            _end_mortgages(title)

    class EligibilityLost(Event):
        """A holder became ineligible by operation of law (`cause`: inheritance by, or loss of
        citizenship of, a holder in `ineligible`); the right must pass to eligible holders by
        `release_by` or it is extinguished (UUPA art. 21(3)-(4), 30(2), 36(2))."""

        cause: str
        holders: list[dict[str, str]]
        ineligible: list[str]
        release_by: str
        edition: int

        def apply(self, title: Title) -> None:
            title.holders = [dict(h) for h in self.holders]
            title.edition = self.edition
            title.release_by = self.release_by

    class RightExtinguished(Event):
        """The release deadline passed with an ineligible holder: the right is extinguished by law
        and the land falls to the State; its mortgages end (UUPA art. 21(3); UU 4/1996 art. 18)."""

        reason: str

        def apply(self, title: Title) -> None:
            title.status = "forfeited"
            _end_mortgages(title)

    class CertificateReplaced(Event):
        """Sertipikat pengganti: a lost or damaged certificate is replaced (new edition)."""

        reason: str
        edition: int

        def apply(self, title: Title) -> None:
            title.edition = self.edition

    class AreaChanged(Event):
        """The parcel's area changed (boundary correction or separation): new edition."""

        area_m2: Decimal
        edition: int

        def apply(self, title: Title) -> None:
            title.area_m2 = self.area_m2
            title.edition = self.edition

    class DealingAnnulled(Event):
        """Pembatalan of a dealing (by a court decision in force or for an administrative defect):
        void from its own date; holders, mortgages and blocks as they would stand without it
        (a mortgage or block set to None is gone), under a new edition."""

        dealing_id: str
        reason: str
        holders: list[dict[str, str]] | None
        mortgages: dict[str, str | None]
        blocks: dict[str, str | None]
        edition: int

        def apply(self, title: Title) -> None:
            dealings.restore(title, self.dealing_id, self.holders, self.mortgages, self.blocks)
            title.edition = self.edition

    class Closed(Event):
        """The title closes because its parcel was subdivided or merged into `successors`."""

        reason: str
        successors: list[str]

        def apply(self, title: Title) -> None:
            title.status = "closed"
            title.successors = list(self.successors)

    if TYPE_CHECKING:  # State, assigned only by the events above. Declared for type checkers
        # only: the library would turn class annotations into __init__ parameters.
        certificate_number: str
        nib: str
        right_type: str
        holders: list[dict[str, str]]
        ends_on: str | None
        area_m2: Decimal
        origin: str
        predecessors: list[str]
        successors: list[str]
        edition: int
        registered_on: str
        granted_on: str
        extensions: int
        renewals: int
        status: str
        mortgages: dict[str, dict[str, Any]]
        blocks: dict[str, dict[str, Any]]
        dealings: list[dict[str, Any]]
        mortgages_ended_at: int
        on_title: str | None  # set on rights on rights and strata units only
        unit: dict[str, str] | None
        release_by: str | None  # set while an ineligible holder must release the right

    @classmethod
    def register(
        cls, certificate_number: str, nib: str, holders: Holders, term: Term, area_m2: Decimal,
        provenance: Provenance, designated: Mapping[str, list[str]] | None = None, origin: str = "first_registration",
        predecessors: list[str] | None = None, mortgages: list[dict[str, Any]] | None = None,
    ) -> Title:
        """A new title, edition 1, of the right `term` is of: the holders' shares (invariant 5) and
        the term (invariant 7) were checked when made; eligibility (invariant 6) is checked here
        against `designated`, or not at all for holders carried from a predecessor title (None)."""
        holders = _granted_to(holders, term, designated)
        return cls._create(
            cls.RightRegistered, id=title_id(certificate_number), certificate_number=certificate_number,
            nib=nib, right_type=term.right_type, holders=holders.as_list(), ends_on=term.ends_on, area_m2=area_m2,
            origin=origin, predecessors=predecessors or [], mortgages=mortgages or [],
            granted_on=term.granted_on, **provenance.fields(),
        )

    @classmethod
    def register_secondary(
        cls, certificate_number: str, nib: str, holders: Holders, term: Term, area_m2: Decimal,
        provenance: Provenance, designated: Mapping[str, list[str]], on_title: str, unit: dict[str, str] | None,
    ) -> Title:
        """A title beside the parcel's primary one; the caller checked the law of secondary.py."""
        holders = _granted_to(holders, term, designated)
        return cls._create(
            cls.SecondaryRightRegistered, id=title_id(certificate_number), certificate_number=certificate_number,
            nib=nib, right_type=term.right_type, holders=holders.as_list(), ends_on=term.ends_on, area_m2=area_m2,
            origin="on_title" if unit is None else "strata_unit", predecessors=[], mortgages=[],
            granted_on=term.granted_on, on_title=on_title, unit=unit, **provenance.fields(),
        )

    def carried_term(self, granted_on: str, ends_on: str | None = None) -> Term:
        """This title's term as a successor title carries it (a merger: the earliest end of the parents)."""
        return Term(self.right_type, granted_on, self.ends_on if ends_on is None else ends_on)

    # -- state questions -----------------------------------------------------------------

    @property
    def certificate_hash(self) -> str:
        """The hash printed on the current edition of the certificate."""
        return certificate_hash(self.certificate_number, self.edition, self.nib, self.right_type, self.holders,
                                self.area_m2)

    @property
    def next_dealing_id(self) -> str:
        return dealings.next_id(self.version)

    @property
    def last_dealing_id(self) -> str | None:
        """The id of the dealing recorded last (after its command: the one it answers)."""
        known = getattr(self, "dealings", [])
        return known[-1]["dealing_id"] if known else None

    def term_ended(self, today: date) -> bool:
        return self.ends_on is not None and date.fromisoformat(self.ends_on) < today

    def active_blocks(self, today: date) -> list[dict[str, Any]]:
        return [
            b for b in self.blocks.values()
            if b["status"] == "active" and (b["until"] is None or date.fromisoformat(b["until"]) >= today)
        ]

    def active_mortgages(self) -> list[dict[str, Any]]:
        return sorted((m for m in self.mortgages.values() if m["status"] == "active"), key=lambda m: m["rank"])

    def require_active(self, today: date) -> None:
        """Invariant 7: nothing is registered on an expired, cancelled or closed title."""
        if self.status != "active":
            raise TitleNotActive(
                f"title {self.certificate_number} is {self.status}",
                certificate_number=self.certificate_number, title_status=self.status,
            )
        if self.term_ended(today):
            raise TitleNotActive(
                f"the term of title {self.certificate_number} ended on {self.ends_on}",
                certificate_number=self.certificate_number, title_status="expired",
            )
        if (due := self.release_due()) is not None and due < today.isoformat():
            raise ReleasePeriodEnded(f"title {self.certificate_number} was not released to an eligible holder by "
                                     f"{due}: it is extinguished (record it: title/extinguishment)", release_by=due)

    @property
    def secondary(self) -> bool:
        """A right on a right or a strata unit, beside the parcel's primary title."""
        return getattr(self, "on_title", None) is not None

    def release_due(self) -> str | None:
        """The last day an ineligible holder may release the right, while one holds it."""
        return getattr(self, "release_by", None)

    def require_dated_from(self, effective_at: str, field: str) -> None:
        """A dealing cannot take effect before the right it deals in was registered."""
        registered = getattr(self, "registered_on", None)  # None in snapshots taken before it was kept
        if registered is not None and effective_at < registered:
            raise InvalidInput(field, f"{effective_at} lies before title {self.certificate_number} was "
                                      f"registered on {registered}")

    def require_consents(self, consented: set[str]) -> None:
        """Splitting mortgaged land needs each active mortgage's creditor's written consent."""
        missing = [m for m in self.active_mortgages() if m["mortgage_id"] not in consented]
        if missing:
            raise MortgageError(
                f"mortgage {missing[0]['mortgage_id']} of {missing[0]['creditor']['name']} burdens title "
                f"{self.certificate_number}: its creditor's consent is needed (consents)",
                mortgage_ids=[m["mortgage_id"] for m in missing],
            )

    def require_unfrozen(self, today: date) -> None:
        """Invariant 8: an active block or seizure freezes transfers, mortgages, subdivisions, mergers."""
        blocks = self.active_blocks(today)
        if blocks:
            raise TitleBlocked(
                f"title {self.certificate_number} is frozen by {blocks[0]['kind']} {blocks[0]['block_id']} "
                f"requested by {blocks[0]['requested_by']}",
                certificate_number=self.certificate_number, block_ids=[b["block_id"] for b in blocks],
            )

    # -- commands --------------------------------------------------------------------------

    def transfer(
        self, kind: str, holders: Holders, designated: Mapping[str, list[str]], today: date,
        provenance: Provenance,
    ) -> None:
        """Peralihan hak: the whole right passes to `holders`."""
        holders = Holders.of(holders)
        self.require_active(today)
        self.require_unfrozen(today)
        require_dealing(self.right_type, "transfer", self.ends_on is not None)
        check_eligibility(self.right_type, holders, designated)
        self.trigger_event(
            self.OwnershipTransferred, kind=kind, holders=holders.as_list(), edition=self.edition + 1,
            dealing_id=self.next_dealing_id, **provenance.fields(),
        )

    def correct_holder_data(
        self, holders: Holders, designated: Mapping[str, list[str]], today: date,
        provenance: Provenance,
    ) -> None:
        """Correct names or kinds of the same holders with the same shares."""
        holders = Holders.of(holders)
        self.require_active(today)
        if Holders.of(self.holders).shares() != holders.shares():
            raise InvalidInput(
                "holders", "a correction keeps the same holder ids and shares; use a transfer to change them",
            )
        check_eligibility(self.right_type, holders, designated)
        self.trigger_event(
            self.HolderDataCorrected, holders=holders.as_list(), edition=self.edition + 1,
            dealing_id=self.next_dealing_id, **provenance.fields(),
        )

    def register_mortgage(
        self, creditor: dict[str, str], amount: Decimal, rank: int | None, today: date,
        provenance: Provenance,
    ) -> str:
        """Hak tanggungan: ranks are unique among active mortgages and follow registration order."""
        self.require_active(today)
        self.require_unfrozen(today)
        require_dealing(self.right_type, "mortgage", self.ends_on is not None)
        next_rank = max((m["rank"] for m in self.active_mortgages()), default=0) + 1
        if rank is not None and rank != next_rank:
            raise MortgageError(
                f"rank {rank} is not available: the next rank on title {self.certificate_number} is {next_rank}",
                field="rank", next_rank=next_rank,
            )
        mortgage_id = _next_id("HT", self.mortgages)
        self.trigger_event(
            self.MortgageRegistered, mortgage_id=mortgage_id, rank=next_rank, creditor=creditor,
            amount=amount, dealing_id=self.next_dealing_id, **provenance.fields(),
        )
        return mortgage_id

    def release_mortgage(self, mortgage_id: str, today: date, provenance: Provenance) -> None:
        """Roya: only an active mortgage can be released."""
        self.require_active(today)
        mortgage = self.mortgages.get(mortgage_id)
        if mortgage is None:
            raise NotFound(f"no mortgage {mortgage_id!r} on title {self.certificate_number}")
        if mortgage["status"] != "active":
            raise MortgageError(f"mortgage {mortgage_id} is already {mortgage['status']}", mortgage_id=mortgage_id)
        self.trigger_event(self.MortgageReleased, mortgage_id=mortgage_id, dealing_id=self.next_dealing_id,
                           **provenance.fields())

    def place_block(
        self, kind: str, requested_by: str, until: str | None, today: date, provenance: Provenance,
        applicant: str = "party",
    ) -> str:
        """Blokir or sita (Permen ATR/BPN 13/2017): a party's blokir lasts 30 days unless a court
        order sets more, one per applicant; an authority's blokir and a sita last until lifted."""
        self.require_active(today)
        until = block_until(kind, applicant, until, provenance.source, today)
        if kind == "blokir" and any(b["kind"] == "blokir" and b["requested_by"].casefold() == requested_by.casefold()
                                    for b in self.active_blocks(today)):
            raise DuplicateBlock(f"{requested_by} already holds an active blokir on title {self.certificate_number}",
                                 requested_by=requested_by)
        block_id = _next_id("BL", self.blocks)
        self.trigger_event(
            self.BlockPlaced, block_id=block_id, kind=kind, requested_by=requested_by, until=until,
            dealing_id=self.next_dealing_id, **provenance.fields(),
        )
        return block_id

    def _active_block(self, block_id: str, today: date) -> dict[str, Any]:
        block = self.blocks.get(block_id)
        if block is None:
            raise NotFound(f"no block {block_id!r} on title {self.certificate_number}")
        if block["status"] != "active":
            raise InvalidInput("block_id", f"block {block_id} is already {block['status']}")
        return block

    def lift_block(self, block_id: str, today: date, provenance: Provenance) -> None:
        """A sita is lifted only by the court's order (the seizing authority's decision)."""
        if self._active_block(block_id, today)["kind"] == "sita":
            require_document("lifting of a sita", "court_order", provenance.source)
        self.trigger_event(self.BlockLifted, block_id=block_id, dealing_id=self.next_dealing_id,
                           **provenance.fields())

    def expire_block(self, block_id: str, today: date, provenance: Provenance) -> None:
        block = self._active_block(block_id, today)
        if block["until"] is None or date.fromisoformat(block["until"]) >= today:
            raise InvalidInput("block_id", f"block {block_id} runs until {block['until'] or 'lifted'}")
        self.trigger_event(self.BlockExpired, block_id=block_id, **provenance.fields())

    def _years(self) -> tuple[int, int, int]:
        return term_years(self.right_type) or (0, 0, 0)

    def _require_termed(self) -> None:
        if self.right_type not in TERMED:
            raise TermError("ends_on", f"{self.right_type} is not granted for a term")

    def extend(self, ends_on: str, today: date, provenance: Provenance, years: tuple[int, int, int] | None = None,
               ) -> None:
        """Perpanjangan: once, applied for before the term ends, by at most `years[1]` years."""
        self._require_termed()
        years = years or self._years()
        self.require_active(today)
        current = self.ends_on or ""
        if getattr(self, "extensions", 0) >= 1:
            raise TermError("ends_on", f"title {self.certificate_number} was extended once already; renew it "
                                       "after the term ends")
        if provenance.source["date"] >= current:
            raise TermError("source.date", f"an extension is applied for before the term ends on {current}")
        if ends_on <= current:
            raise TermError("ends_on", f"must be after the current end date {current}")
        if ends_on > (last := add_years(date.fromisoformat(current), years[1]).isoformat()):
            raise TermError("ends_on", f"an extension of {self.right_type} adds at most {years[1]} years: "
                                       f"end on or before {last}")
        self.trigger_event(self.RightExtended, ends_on=ends_on, edition=self.edition + 1, **provenance.fields())

    def renew(self, ends_on: str | None, today: date, provenance: Provenance,
              years: tuple[int, int, int] | None = None) -> None:
        """Pembaruan: once, applied for within two years after the term ended, to a new end date at
        most `years[2]` years from the application; mortgages that ended with the term stay ended."""
        self._require_termed()
        if not ends_on:
            raise TermError("ends_on", f"{self.right_type} is granted for a term: an end date is required")
        years = years or self._years()
        if self.status not in ("active", "expired"):
            raise TitleNotActive(f"title {self.certificate_number} is {self.status}", title_status=self.status)
        if not self.term_ended(today) and self.status != "expired":
            raise TermError("ends_on", f"the term runs until {self.ends_on}: extend it instead of renewing")
        applied = provenance.source["date"]
        if not self.renewable_on(applied):
            raise TermError("source.date", f"no renewal is possible on {applied}: {self.renewal_limit()}")
        if ends_on > (last := add_years(date.fromisoformat(applied), years[2]).isoformat()):
            raise TermError("ends_on", f"a renewal of {self.right_type} lasts at most {years[2]} years: "
                                       f"end on or before {last}")
        self.trigger_event(self.RightRenewed, ends_on=ends_on, edition=self.edition + 1, **provenance.fields())

    def renewable_on(self, day: str) -> bool:
        """Whether a renewal applied for on `day` can still be granted."""
        end = self.ends_on or ""
        window = add_years(date.fromisoformat(end), RENEWAL_WINDOW_YEARS).isoformat() if end else ""
        return getattr(self, "renewals", 0) == 0 and end < day <= window

    def renewal_limit(self) -> str:
        if getattr(self, "renewals", 0) > 0:
            return "the right was renewed once already"
        return f"a renewal is applied for within {RENEWAL_WINDOW_YEARS} years after the term ended on {self.ends_on}"

    def expire(self, today: date, provenance: Provenance) -> None:
        """Record that the term ended; when no renewal is possible any more (renewed once, or the
        window closed), the land returns as well."""
        if self.status not in ("active", "expired"):
            raise TitleNotActive(f"title {self.certificate_number} is {self.status}", title_status=self.status)
        if not self.term_ended(today):
            raise TermError("ends_on", f"the term runs until {self.ends_on or 'indefinitely'}")
        if self.status == "active":
            self.trigger_event(self.RightExpired, **provenance.fields())
        elif self.renewable_on(today.isoformat()):
            raise TitleNotActive(f"title {self.certificate_number} is already expired; it may still be renewed "
                                 f"until {add_years(date.fromisoformat(self.ends_on or ''), RENEWAL_WINDOW_YEARS)}",
                                 title_status=self.status)
        if self.right_type in TERMED and not self.renewable_on(today.isoformat()):
            self.trigger_event(self.LandReturned, **provenance.fields())

    def lose_eligibility(
        self, cause: str, holders: Holders, designated: Mapping[str, list[str]], today: date,
        provenance: Provenance,
    ) -> str:
        """Record holders who became ineligible by law; returns the last day to release the right."""
        holders = Holders.of(holders)
        self.require_active(today)
        if cause == "inheritance":
            self.require_unfrozen(today)
        elif holders.shares() != Holders.of(self.holders).shares():
            raise InvalidInput("holders", "a loss of citizenship keeps the holder ids and shares; give the kinds "
                                          "they have now")
        lost = loss_of_eligibility(self.right_type, holders, designated)
        release_by = add_years(date.fromisoformat(provenance.effective_at), RELEASE_YEARS).isoformat()
        self.trigger_event(self.EligibilityLost, cause=cause, holders=holders.as_list(), ineligible=lost,
                           release_by=release_by, edition=self.edition + 1, **provenance.fields())
        return release_by

    def extinguish(self, today: date, provenance: Provenance) -> None:
        """At the release deadline, a right still held by an ineligible holder is extinguished."""
        if self.status != "active":
            raise TitleNotActive(f"title {self.certificate_number} is {self.status}", title_status=self.status)
        due = self.release_due()
        if due is None:
            raise InvalidInput("title", f"no holder of title {self.certificate_number} lost eligibility")
        if due >= today.isoformat():
            raise ReleasePeriodRunning(f"the holders of title {self.certificate_number} may release it to an "
                                       f"eligible holder until {due}", release_by=due)
        self.trigger_event(self.RightExtinguished, reason=f"not released by {due}", **provenance.fields())

    def cancel(self, reason: str, provenance: Provenance) -> None:
        """Pembatalan by decree or court order."""
        if self.status not in ("active", "expired"):
            raise TitleNotActive(f"title {self.certificate_number} is {self.status}", title_status=self.status)
        self.trigger_event(self.RightCancelled, reason=reason, **provenance.fields())

    def annul_dealing(self, dealing_id: str, reason: str, today: date, provenance: Provenance) -> None:
        """Pembatalan of the latest standing dealing, dated on or after the dealing itself."""
        self.require_active(today)
        dealing = dealings.find(self, dealing_id)
        if provenance.effective_at < dealing["effective_at"]:
            raise InvalidInput("source.date", f"{provenance.effective_at} lies before dealing {dealing_id} "
                                              f"took effect on {dealing['effective_at']}")
        self.trigger_event(self.DealingAnnulled, dealing_id=dealing_id, reason=reason, edition=self.edition + 1,
                           **dealings.restoration(self, dealing), **provenance.fields())

    def replace_certificate(self, reason: str, today: date, provenance: Provenance) -> None:
        """Sertipikat pengganti: the replacement is the next edition; older ones no longer verify."""
        self.require_active(today)
        self.trigger_event(
            self.CertificateReplaced, reason=reason, edition=self.edition + 1, **provenance.fields(),
        )

    def change_area(self, area_m2: Decimal, today: date, provenance: Provenance) -> None:
        """A new area from a boundary correction or separation: a new edition."""
        self.require_active(today)
        self.trigger_event(self.AreaChanged, area_m2=area_m2, edition=self.edition + 1, **provenance.fields())

    def close(self, reason: str, successors: list[str], today: date, provenance: Provenance) -> None:
        """Closed after the parcel was subdivided or merged."""
        self.require_active(today)
        self.require_unfrozen(today)
        self.trigger_event(self.Closed, reason=reason, successors=successors, **provenance.fields())


def _granted_to(holders: Holders, term: Term, designated: Mapping[str, list[str]] | None) -> Holders:
    """The holders a new title of `term` may be granted to (invariants 5, 6 and 7)."""
    holders = Holders.of(holders)
    term.require_fits(holders)
    if designated is not None:
        check_eligibility(term.right_type, holders, designated)
    return holders


def _end_mortgages(title: Title) -> None:
    """Hak tanggungan ends when the right it burdens ends (UU 4/1996 art. 18(1)d)."""
    for mortgage in title.mortgages.values():
        if mortgage["status"] == "active":
            mortgage["status"] = "ended"


def _next_id(prefix: str, existing: dict[str, Any]) -> str:
    """The next free id such as HT3: one past the highest, since carried-over ids may skip numbers."""
    numbers = [int(key[len(prefix):]) for key in existing if key.startswith(prefix)]
    return f"{prefix}{max(numbers, default=0) + 1}"
