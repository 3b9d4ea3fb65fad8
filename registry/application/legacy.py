"""The dates a legacy stock line carries (konversi of the old books): when the right was first
registered and the transfers it went through since, so the register answers by legal date as the
old book (buku tanah) did: a title registered in 1997 reads as held in 2000, by whoever held it then.

A line's `holders` are those of the first registration; each of `transfers` passes the right on,
in order, on its own date and document, under the rules of `Title.transfer`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from registry.domain import rights, values
from registry.domain.errors import InvalidInput
from registry.domain.provenance import Provenance
from registry.domain.title import Title

FIELDS = ("registered_on", "transfers")  # optional fields of a register_parcel line


@dataclass(frozen=True)
class Transfer:
    kind: str
    holders: values.Holders
    effective_at: str
    source: dict[str, str]


@dataclass(frozen=True)
class LegacyDates:
    """When the right was registered (None: on its document's date) and its transfers since."""

    registered_on: str | None = None
    transfers: list[Transfer] = field(default_factory=list)

    def registration(self, deed: dict[str, str]) -> str:
        return self.registered_on or deed["date"]


def parse(entry: Mapping[str, Any], deed: dict[str, str], today: date) -> LegacyDates:
    """The dates of a line, each no earlier than the one before it and none in the future."""
    registered = entry.get("registered_on")
    registered_on = None if registered is None else values.iso_date(registered, "registered_on", today)
    given = entry.get("transfers") or []
    if not isinstance(given, list) or len(given) > 100:
        raise InvalidInput("transfers", "must be a list of at most 100 transfers")
    transfers, last = [], registered_on or deed["date"]
    for n, item in enumerate(given):
        transfer = _transfer(item, f"transfers[{n}]", today)
        if transfer.effective_at < last:
            raise InvalidInput(f"transfers[{n}].effective_at", f"{transfer.effective_at} lies before {last}, "
                                                               "the registration or the transfer before it")
        transfers.append(transfer)
        last = transfer.effective_at
    return LegacyDates(registered_on, transfers)


def _transfer(item: object, where: str, today: date) -> Transfer:
    if not isinstance(item, dict):
        raise InvalidInput(where, "must be an object {kind, to, effective_at, source}")
    kind = values.one_of(item.get("kind"), rights.TRANSFER_KINDS, f"{where}.kind")
    source = values.source_document(item.get("source"), today)
    rights.require_document(f"transfer by {kind}", rights.TRANSFER_DOCUMENTS[kind], source)
    effective = values.iso_date(item.get("effective_at", source["date"]), f"{where}.effective_at", today)
    if effective < source["date"]:
        raise InvalidInput(f"{where}.effective_at", f"{effective} lies before its document's date {source['date']}")
    return Transfer(kind, values.Holders.parse(item.get("to"), f"{where}.to"), effective, source)


def check(right_type: str, ends_on: str | None, dates: LegacyDates, designated: Mapping[str, list[str]]) -> None:
    """Before the transaction: the right may be transferred, to each transfer's holders."""
    for step in dates.transfers:
        rights.require_dealing(right_type, "transfer", ends_on is not None)
        rights.check_eligibility(right_type, step.holders, designated)


def transfer(title: Title, dates: LegacyDates, designated: Mapping[str, list[str]], today: date,
             actor: values.Actor, command_id: str, recorded_at: datetime) -> None:
    """Record the line's transfers on its newly registered title, each on its own date."""
    for step in dates.transfers:
        title.transfer(step.kind, step.holders, designated, today,
                       Provenance(actor, step.source, step.effective_at, command_id, recorded_at))
