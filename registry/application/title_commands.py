"""Title use cases: registration, transfer, mortgage, block, term and certificate changes.

Each method parses its input outside the transaction, then asks the Title aggregate, which
holds the rules (a transfer is checked in Title.transfer), to record the change.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.application import conflicts
from registry.application.procedure_commands import require_announced
from registry.application.registration import check_parcel_for_right, first_title, right_input
from registry.application.runner import CommandRunner, Result, use_case
from registry.application.unit_of_work import UnitOfWork
from registry.domain import blocks, identifiers, rights, values
from registry.domain.errors import InvalidInput, TitleAlreadyRegistered
from registry.domain.provenance import Provenance
from registry.domain.rights import TRANSFER_DOCUMENTS, TRANSFER_KINDS
from registry.domain.title import Title
from registry.domain.values import Holders

Change = Callable[[Title, UnitOfWork, Provenance], dict[str, Any]]


class TitleCommands(CommandRunner):
    """Use cases that change titles. Titles are addressed by the parcel's NIB."""

    @use_case
    def register_title(
        self, nib: str, right_type: object, holders: object, ends_on: object, source: object,
        granted_on: object = None, *, actor: values.Actor, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Pembukuan hak: register a right on an untitled parcel and issue certificate edition 1.
        The term runs from `granted_on` (the grant's decree), by default the source document's date."""
        identifiers.nib(nib)
        right = right_input(self.settings, self.clock(), right_type, holders, ends_on, source, granted_on)

        def work(unit: UnitOfWork) -> Result:
            parcel = unit.parcel(nib)
            unit.expect(parcel)
            parcel.require_active()
            check_parcel_for_right(self.settings, right, nib, parcel.area_m2)
            if parcel.certificate_number is not None:
                current = unit.title(parcel.certificate_number)
                if current.status == "active":
                    raise TitleAlreadyRegistered(
                        f"parcel {nib} already carries title {current.certificate_number}",
                        certificate_number=current.certificate_number,
                    )
            require_announced(unit, nib, right.right_type, right.holders)
            provenance = unit.provenance(right.source, right.source["date"])
            title = first_title(unit.new_certificate_number(parcel.village_code, right.right_type), parcel, right,
                                provenance, self.settings.designated_entities)
            unit.save(parcel, title)
            return edition_of(title)

        return self.execute(actor, command_id, expected_version, work)

    @use_case
    def transfer_ownership(
        self, nib: str, kind: object, to: object, effective_at: object, source: object, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Peralihan hak of the whole right to new holders; mortgages follow the land."""
        transfer_kind = values.one_of(kind, TRANSFER_KINDS, "kind")
        owners = Holders.parse(to, "to")
        effective = values.iso_date(effective_at, "effective_at", self.clock())
        designated = self.settings.designated_entities

        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.transfer(transfer_kind, owners, designated, unit.today, provenance)
            return edition_of(title)

        return self._on_title(nib, source, change, actor, command_id, expected_version, effective,
                              needs=(f"transfer by {transfer_kind}", TRANSFER_DOCUMENTS[transfer_kind]),
                              certificate_number=certificate_number, conflict_free=True)

    @use_case
    def correct_holder_data(
        self, nib: str, holders: object, source: object, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Correct holders' names or kinds (same ids, same shares); a new edition."""
        owners = Holders.parse(holders)
        designated = self.settings.designated_entities

        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.correct_holder_data(owners, designated, unit.today, provenance)
            return edition_of(title)

        return self._on_title(nib, source, change, actor,
                              command_id, expected_version, certificate_number=certificate_number)

    @use_case
    def register_mortgage(
        self, nib: str, creditor: object, amount: object, source: object, rank: object = None, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Hak tanggungan: returns mortgage_id and the rank it took."""
        lender = values.party(creditor, "creditor")
        money = values.amount(amount, "amount")
        if rank is not None and (not isinstance(rank, int) or isinstance(rank, bool) or rank < 1):
            raise InvalidInput("rank", f"must be a positive whole number, got {rank!r}")

        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            mortgage_id = title.register_mortgage(lender, money, rank, unit.today, provenance)  # type: ignore[arg-type]
            return {"mortgage_id": mortgage_id, "rank": title.mortgages[mortgage_id]["rank"], "version": title.version}

        return self._on_title(nib, source, change, actor, command_id, expected_version,
                              certificate_number=certificate_number, conflict_free=True)

    @use_case
    def release_mortgage(
        self, nib: str, mortgage_id: str, source: object, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Roya: release an active mortgage."""
        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.release_mortgage(mortgage_id, unit.today, provenance)
            return {"version": title.version}

        return self._on_title(nib, source, change, actor,
                              command_id, expected_version, certificate_number=certificate_number)

    @use_case
    def place_block(
        self, nib: str, kind: object, requested_by: object, until: object, source: object,
        applicant: object = "party", *, actor: values.Actor, certificate_number: str | None = None,
        command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Blokir or sita: freeze the title. `applicant`: party, police, prosecutor, kpk or court
        (registry/domain/blocks.py says how long each lasts). Returns block_id and its last day."""
        block_kind = values.one_of(kind, blocks.KINDS, "kind")
        requester = values.text(requested_by, "requested_by", 200)
        who = values.one_of(applicant, blocks.APPLICANTS, "applicant")
        end = None if until is None else values.iso_date(until, "until")

        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            block_id = title.place_block(block_kind, requester, end, unit.today, provenance, who)
            return {"block_id": block_id, "until": title.blocks[block_id]["until"], "version": title.version}

        return self._on_title(nib, source, change, actor, command_id, expected_version,
                              certificate_number=certificate_number)

    @use_case
    def lift_block(
        self, nib: str, block_id: str, source: object, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.lift_block(block_id, unit.today, provenance)
            return {"version": title.version}

        return self._on_title(nib, source, change, actor, command_id,
                              expected_version, certificate_number=certificate_number)

    @use_case
    def expire_block(
        self, nib: str, block_id: str, source: object, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.expire_block(block_id, unit.today, provenance)
            return {"version": title.version}

        return self._on_title(nib, source, change, actor, command_id, expected_version,
                              certificate_number=certificate_number)

    @use_case
    def extend_right(
        self, nib: str, ends_on: object, source: object, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Perpanjangan: a later end date before the term ends."""
        end = values.iso_date(ends_on, "ends_on")

        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.extend(end, unit.today, provenance, self._years(title))
            return edition_of(title)

        return self._on_title(nib, source, change, actor, command_id,
                              expected_version, certificate_number=certificate_number)

    @use_case
    def renew_right(
        self, nib: str, ends_on: object, source: object, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Pembaruan: a new term after the old one ended."""
        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            end = rights.end_date(title.right_type, ends_on, unit.today)
            title.renew(end, unit.today, provenance, self._years(title))
            return edition_of(title)

        return self._on_title(nib, source, change, actor, command_id,
                              expected_version, certificate_number=certificate_number)

    @use_case
    def expire_right(
        self, nib: str, source: object, *, actor: values.Actor, certificate_number: str | None = None,
        command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.expire(unit.today, provenance)
            return {"version": title.version}

        return self._on_title(nib, source, change, actor, command_id, expected_version,
                              certificate_number=certificate_number)

    @use_case
    def cancel_right(
        self, nib: str, reason: object, source: object, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Pembatalan by decree or court order. A court's cancellation of a certificate whose parcel
        is in conflict resolves the conflict: the parcel retires and no longer claims the land."""
        why = values.text(reason, "reason")

        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.cancel(why, provenance)
            parcel = unit.parcel(nib)
            if parcel.open_conflicts:
                rights.require_document("cancellation of a certificate in conflict", "court_order", provenance.source)
                met = conflicts.resolve(unit, parcel, "cancellation", provenance)
                parcel.retire("cancelled", [], provenance)
                self.guard.remove(unit.session, nib)
                unit.save(parcel, *met)
            return {"version": title.version}

        return self._on_title(nib, source, change, actor, command_id,
                              expected_version, certificate_number=certificate_number)

    @use_case
    def replace_certificate(
        self, nib: str, reason: object, source: object, *,
        actor: values.Actor, certificate_number: str | None = None, command_id: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Sertipikat pengganti: the next edition replaces a lost or damaged certificate."""
        why = values.text(reason, "reason")

        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.replace_certificate(why, unit.today, provenance)
            return edition_of(title)

        return self._on_title(nib, source, change, actor,
                              command_id, expected_version, certificate_number=certificate_number)

    @use_case
    def annul_dealing(
        self, nib: str, dealing_id: str, reason: object, source: object, *,
        actor: values.Actor, command_id: str | None = None, expected_version: int | None = None,
    ) -> Result:
        """Pembatalan of a dealing by a court decision in force or for an administrative defect
        (on a decree); only the title's latest standing dealing. A new edition."""
        why = values.one_of(reason, set(rights.ANNULMENT_DOCUMENTS), "reason")

        def change(title: Title, unit: UnitOfWork, provenance: Provenance) -> dict[str, Any]:
            title.annul_dealing(dealing_id, why, unit.today, provenance)
            return {**edition_of(title), "dealing_id": dealing_id}

        return self._on_title(nib, source, change, actor, command_id, expected_version,
                              needs=(f"annulment for {why.replace('_', ' ')}", rights.ANNULMENT_DOCUMENTS[why]))

    def _years(self, title: Title) -> tuple[int, int, int]:
        return rights.term_years(title.right_type, self.settings.right_terms) or (0, 0, 0)  # untermed: refused later

    def _on_title(
        self, nib: str, source: object, change: Change,
        actor: values.Actor, command_id: str | None, expected_version: int | None, effective_at: str | None = None,
        needs: tuple[str, str] | None = None, certificate_number: str | None = None, conflict_free: bool = False,
    ) -> Result:
        """Run `change` on the title of parcel `nib`; the legal date defaults to the document's date.
        `needs`: the act and the document kind it must rest on; `certificate_number` addresses a
        title beside the primary one (a right on a right, a strata unit); `conflict_free`: refused
        while the parcel is in a recorded conflict."""
        identifiers.nib(nib)
        document = values.source_document(source, self.clock())
        if needs is not None:
            rights.require_document(*needs, document)
        if effective_at is not None and effective_at < document["date"]:
            raise InvalidInput("effective_at", f"{effective_at} lies before its source document's date "
                                               f"{document['date']}")
        effective, field = (effective_at, "effective_at") if effective_at else (document["date"], "source.date")

        def work(unit: UnitOfWork) -> Result:
            parcel = unit.parcel(nib)
            if conflict_free:
                parcel.require_no_conflict()
            title = unit.title_at(parcel, certificate_number)
            unit.expect(title)
            title.require_dated_from(effective, field)
            latest = title.last_dealing_id
            result = change(title, unit, unit.provenance(document, effective))
            if title.last_dealing_id != latest:  # the change was a dealing: answer its id
                result = {**result, "dealing_id": title.last_dealing_id}
            unit.save(title)
            return result

        return self.execute(actor, command_id, expected_version, work)


def edition_of(title: Title) -> dict[str, Any]:
    return {"certificate_number": title.certificate_number, "edition": title.edition,
            "certificate_hash": title.certificate_hash, "version": title.version}
