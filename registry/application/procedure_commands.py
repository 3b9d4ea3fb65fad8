"""Use cases of the public procedures: the announcement before a first title and its objections
(PP 18/2021; PP 24/1997 art. 26), and complaints tracked to their resolution (pengaduan)."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Collection, Iterable
from datetime import date, timedelta

from registry.application.runner import CommandRunner, Result, use_case
from registry.application.unit_of_work import UnitOfWork
from registry.domain import identifiers, rights, values
from registry.domain.announcement import KINDS, OUTCOMES, Announcement
from registry.domain.complaint import CATEGORIES, Complaint
from registry.domain.complaint import OUTCOMES as COMPLAINT_OUTCOMES
from registry.domain.errors import InvalidInput, NotAnnounced, NotFound, TitleAlreadyRegistered

PUBLIC = values.Actor("public", "public")  # whoever uses the public endpoints (rate-limited per address)
_ANNOUNCEMENT_ID = re.compile(r"([0-9]{13})-([0-9]{1,6})")
_COMPLAINT_NUMBER = re.compile(r"PGD-[0-9]{4}-[0-9]{6}")
MAX_TEXT = 5_000


def working_days_after(day: date, count: int, holidays: Collection[date] = ()) -> date:
    """The day `count` working days after `day`: Monday to Friday, not a public holiday.

    >>> working_days_after(date(2026, 8, 14), 1, {date(2026, 8, 17)})  # a Friday; Monday is 17 Agustus
    datetime.date(2026, 8, 18)
    """
    while count > 0:
        day += timedelta(days=1)
        count -= day.weekday() < 5 and day not in holidays
    return day


def _document_of_text(kind: str, number: str, day: str, text: str) -> dict[str, str]:
    """The source of a submission made online: the text itself, by its digest."""
    return {"kind": kind, "number": number, "date": day, "sha256": hashlib.sha256(text.encode()).hexdigest()}


def _party(value: object, field: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InvalidInput(field, "must be an object with name and contact")
    return {"name": values.text(value.get("name"), f"{field}.name", 200),
            "contact": values.text(value.get("contact"), f"{field}.contact", 200)}


class ProcedureCommands(CommandRunner):
    """Announcements, objections and complaints."""

    @use_case
    def announce(
        self, nib: str, kind: object, started_on: object, right_type: object, claimants: object, source: object, *,
        actor: values.Actor, command_id: str | None = None,
    ) -> Result:
        """Pengumuman: the parcel's map, area, claimants and right, publicly for the period."""
        identifiers.nib(nib)
        today = self.clock()
        announced = values.one_of(kind, KINDS, "kind")
        start = values.iso_date(started_on, "started_on", today)
        right = rights.right_type(right_type)
        owners = values.Holders.parse(claimants, "claimants")
        rights.check_eligibility(right, owners, self.settings.designated_entities)
        document = values.source_document(source, today)
        days = self.settings.announcement_days_systematic if announced == "systematic" \
            else self.settings.announcement_days_sporadic
        ends = (date.fromisoformat(start) + timedelta(days=days - 1)).isoformat()
        round_ = {"kind": announced, "started_on": start, "ends_on": ends, "right_type": right,
                  "claimants": owners.as_list()}

        def work(unit: UnitOfWork) -> Result:
            parcel = unit.parcel(nib)
            parcel.require_active()
            if parcel.certificate_number is not None:
                raise TitleAlreadyRegistered(f"parcel {nib} already carries title {parcel.certificate_number}",
                                             certificate_number=parcel.certificate_number)
            provenance = unit.provenance(document, start)
            found = unit.announcement(nib)
            if found is None:
                found = Announcement.start(nib, parcel.village_code, round_, provenance)
            else:
                found.restart(round_, unit.today, provenance)
            unit.save(found)
            return {"announcement_id": found.announcement_id, "ends_on": ends}

        return self.execute(actor, command_id, None, work)

    @use_case
    def lodge_objection(
        self, nib: str, announcement_id: str | None, objector: object, grounds: object, lodged_on: object = None,
        source: object = None, *, actor: values.Actor, command_id: str | None = None,
    ) -> Result:
        """Keberatan online (no source, today) or on paper at the office (its source and date)."""
        identifiers.nib(nib)
        today = self.clock()
        who = _party(objector, "objector")
        why = values.text(grounds, "grounds", MAX_TEXT)
        day = today.isoformat() if lodged_on is None else values.iso_date(lodged_on, "lodged_on", today)
        channel = "online" if source is None else "office"
        document = _document_of_text("letter", "keberatan-online", day, why) if source is None \
            else values.source_document(source, today)

        def work(unit: UnitOfWork) -> Result:
            found = unit.announcement(nib)
            if found is None:
                raise NotFound(f"parcel {nib} has not been announced")
            objection_id = found.lodge(announcement_id or found.announcement_id, who, why, day, channel,
                                       unit.provenance(document, day))
            unit.save(found)
            return {"objection_id": objection_id, "announcement_id": found.announcement_id, "lodged_on": day,
                    "receipt": f"{found.announcement_id}/{objection_id}/{day}"}

        return self.execute(actor, command_id, None, work)

    @use_case
    def resolve_objection(
        self, nib: str, objection_id: str, outcome: object, source: object, *,
        actor: values.Actor, command_id: str | None = None,
    ) -> Result:
        """Dismiss or uphold an objection; an upheld one ends the announcement."""
        identifiers.nib(nib)
        decided = values.one_of(outcome, OUTCOMES, "outcome")
        document = values.source_document(source, self.clock())

        def work(unit: UnitOfWork) -> Result:
            found = unit.announcement(nib)
            if found is None:
                raise NotFound(f"parcel {nib} has not been announced")
            found.resolve(objection_id, decided, unit.provenance(document, document["date"]))
            unit.save(found)
            return {"objection_id": objection_id, "outcome": decided, "announcement_status": found.status}

        return self.execute(actor, command_id, None, work)

    def public_objection(self, announcement_id: str, objector: object, grounds: object) -> Result:
        """An objection sent through the public page, to a running announcement."""
        match = _ANNOUNCEMENT_ID.fullmatch(announcement_id)
        if match is None:
            raise NotFound(f"no announcement {announcement_id[:40]!r}")
        return self.lodge_objection(match[1], announcement_id, objector, grounds, actor=PUBLIC)

    # -- complaints ------------------------------------------------------------------------

    @use_case
    def file_complaint(
        self, about: object, category: object, text: object, contact: object, *, actor: values.Actor = PUBLIC,
        command_id: str | None = None,
    ) -> Result:
        """Pengaduan from anyone: numbered, answered by `respond_by`; the secret is shown once
        (only its digest is kept, and it is not part of the result kept for a repeated command)."""
        today = self.clock()
        subject, village = _about(about)
        kind = values.one_of(category, CATEGORIES, "category")
        body = values.text(text, "text", MAX_TEXT)
        who = _contact(contact)
        secret = secrets.token_urlsafe(18)
        respond_by = working_days_after(today, self.settings.complaint_response_working_days,
                                        self.settings.public_holidays).isoformat()

        def work(unit: UnitOfWork) -> Result:
            number = self.serials.complaint_number(unit.session, today.year)
            facts = {"number": number, "about": subject, "village_code": village, "category": kind, "text": body,
                     "contact": who, "secret_sha256": _digest(secret), "filed_on": today.isoformat(),
                     "respond_by": respond_by}
            document = _document_of_text("letter", number, today.isoformat(), body)
            unit.save(Complaint.file(facts, unit.provenance(document, today.isoformat())))
            return {"complaint_number": number, "respond_by": respond_by}

        result = self.execute(actor, command_id, None, work)
        return {**result, "secret": secret}

    def complaint_for(self, number: str, secret: str | None) -> Complaint:
        """A complaint as its complainant may see it; a wrong number or secret is simply not found."""
        found = self._complaint_or_none(number)
        if found is None or secret is None or not hmac.compare_digest(_digest(secret), found.secret_sha256):
            raise NotFound("no complaint with that number and secret")
        return found

    def _complaint_or_none(self, number: str) -> Complaint | None:
        if not _COMPLAINT_NUMBER.fullmatch(number):
            return None
        try:
            return self.get_complaint(number)
        except NotFound:
            return None

    @use_case
    def handle_complaint(
        self, number: str, step: str, text: object = None, outcome: object = None, assigned_to: object = None, *,
        actor: values.Actor, command_id: str | None = None,
    ) -> Result:
        """An officer's step on a complaint: `reply`, `assign` or `close` (resolved or rejected)."""
        if not _COMPLAINT_NUMBER.fullmatch(number):
            raise NotFound(f"no complaint {number[:40]!r}")
        today = self.clock().isoformat()
        words = None if text is None else values.text(text, "text", MAX_TEXT)
        decided = None if outcome is None else values.one_of(outcome, COMPLAINT_OUTCOMES, "outcome")
        officer = None if assigned_to is None else values.text(assigned_to, "assigned_to", 100)
        if step in ("reply", "close") and words is None:
            raise InvalidInput("text", "must be a non-empty string")

        def work(unit: UnitOfWork) -> Result:
            complaint = unit.complaint(number)
            provenance = unit.provenance(_document_of_text("letter", number, today, words or officer or step), today)
            if step == "reply":
                complaint.reply(words or "", today, provenance)
            elif step == "assign":
                complaint.assign(officer or actor.user_id, provenance)
            else:
                complaint.close(decided or "resolved", words or "", today, provenance)
            unit.save(complaint)
            return {"complaint_number": number, "status": complaint.status}

        return self.execute(actor, command_id, None, work)


def require_announced(unit: UnitOfWork, nib: str, right_type: str, holders: Iterable[dict[str, str]]) -> None:
    """A first title only after its announcement (LANDREG_FIRST_REGISTRATION_ANNOUNCEMENT)."""
    if unit.registry.settings.first_registration_announcement == "off":
        return
    found = unit.announcement(nib)
    if found is None:
        raise NotAnnounced(f"parcel {nib} was never announced; announce it first")
    found.require_clear(unit.today, right_type, holders)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _about(value: object) -> tuple[dict[str, str], str | None]:
    """What a complaint is about: exactly one of nib, certificate_number, office; and its village."""
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("nib", "certificate_number",
                                                                                      "office"):
        raise InvalidInput("about", "must name exactly one of nib, certificate_number or office")
    (key, raw), = value.items()
    if key == "nib":
        return {"nib": identifiers.nib(raw, "about.nib")}, str(raw)[:8]
    if key == "certificate_number":
        number = values.text(raw, "about.certificate_number", 14)
        if not number.isdigit() or len(number) != 14:
            raise InvalidInput("about.certificate_number", "must be a certificate number of 14 digits")
        return {"certificate_number": number}, number[:8]
    return {"office": values.text(raw, "about.office", 100)}, None


def _contact(value: object) -> dict[str, str]:
    """The complainant's name and a phone number or an e-mail address."""
    if not isinstance(value, dict):
        raise InvalidInput("contact", "must be an object with name and phone or email")
    found = {"name": values.text(value.get("name"), "contact.name", 200)}
    for key in ("phone", "email"):
        if value.get(key) is not None:
            found[key] = values.text(value.get(key), f"contact.{key}", 200)
    if len(found) == 1:
        raise InvalidInput("contact", "give a phone number or an e-mail address")
    return found
