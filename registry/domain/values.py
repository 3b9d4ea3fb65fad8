"""Value objects and input parsing: actors, source documents, holders and shares, dates, money.

Each parser takes raw input (as it arrives from JSON) and returns primitives fit for an event,
or raises InvalidInput naming the field and the reason.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from registry.domain.errors import FutureDate, InvalidInput, ShareError

ROLES = frozenset({"surveyor", "officer", "auditor", "admin", "system", "public"})
# Documents (docs/law.md): deed = a PPAT deed (akta), decree = a decision of the land office or
# minister (SK), court_order = a court decision in force, auction_minutes = risalah lelang,
# inheritance_certificate = surat keterangan waris, hpl_agreement = the HPL holder's agreement,
# consent = a creditor's written consent, letter = a letter of an authority (police, prosecutor, KPK).
SOURCE_KINDS = frozenset({"deed", "decree", "court_order", "survey", "other", "auction_minutes",
                          "inheritance_certificate", "hpl_agreement", "consent", "letter"})
# Holders (docs/law.md): Indonesian citizens and legal entities, foreigners and foreign legal
# entities, government bodies (instansi pemerintah), state or regional enterprises (BUMN/BUMD),
# the land bank (Badan Bank Tanah), nazhir of a wakaf, customary law communities (masyarakat hukum
# adat), foreign missions (perwakilan negara asing).
HOLDER_KINDS = frozenset({"citizen", "foreigner", "legal_entity", "foreign_legal_entity", "government",
                          "state_enterprise", "land_bank", "nazhir", "customary_community", "foreign_mission"})
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHARE = re.compile(r"(-?[0-9]{1,18})/(-?[0-9]{1,18})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_AMOUNT = re.compile(r"[0-9]{1,18}(\.[0-9]{1,2})?")
_MAX_TEXT = 500
# Text no record may hold: NUL (PostgreSQL cannot store it in text) and lone UTF-16 surrogates
# (not Unicode characters; no UTF-8 encoder takes them).
_UNFIT = re.compile("[\x00\ud800-\udfff]")
MAX_NUMBER_CHARS = 40  # a number literal longer than this is beyond any reason (coordinates, shares, versions)


@dataclass(frozen=True)
class Actor:
    """Who issues a command: a user id and the role they act in."""

    user_id: str
    role: str

    def __post_init__(self) -> None:
        if not self.user_id:
            raise InvalidInput("actor.user_id", "must not be empty")
        if self.role not in ROLES:
            raise InvalidInput("actor.role", f"must be one of {sorted(ROLES)}, got {self.role!r}")

    def as_dict(self) -> dict[str, str]:
        return {"user_id": self.user_id, "role": self.role}


def text_fault(value: str) -> str | None:
    """Why a string cannot be recorded, or None when it can.

    >>> text_fault("Budi"), text_fault("a\x00b")
    (None, 'must not contain a NUL character')
    """
    found = _UNFIT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain a NUL character"
    return f"must not contain a lone surrogate (U+{ord(found.group()):04X})"


class LongNumber(str):
    """A number literal of more than MAX_NUMBER_CHARS characters, kept unconverted (see find_fault)."""


def find_fault(value: Any, field: str) -> InvalidInput | None:
    """The first string (key or value) or number in JSON-like data that cannot be recorded.

    >>> find_fault({"holders": [{"name": "x\x00"}]}, "body").field
    'holders[0].name'
    """
    if isinstance(value, LongNumber):
        return InvalidInput(field, f"is a number of {len(value)} characters (at most {MAX_NUMBER_CHARS})")
    if isinstance(value, str):
        reason = text_fault(value)
        return None if reason is None else InvalidInput(field, reason)
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key) if field == "body" else f"{field}.{key}"
            found = find_fault(key, f"{field} (a key)") or find_fault(item, name)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := find_fault(item, f"{field}[{index}]")) is not None:
                return found
    return None


def parse_number(literal: str) -> int | float | LongNumber:
    """A JSON number literal, unconverted when it is beyond reason (json.loads' parse_int/parse_float)."""
    if len(literal) > MAX_NUMBER_CHARS:
        return LongNumber(literal)
    return float(literal) if any(c in literal for c in ".eE") else int(literal)


def text(value: object, field: str, max_length: int = _MAX_TEXT) -> str:
    """A non-empty string fit to be recorded, kept verbatim (never interpreted)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "must be a non-empty string")
    if len(value) > max_length:
        raise InvalidInput(field, f"must be at most {max_length} characters")
    if (reason := text_fault(value)) is not None:
        raise InvalidInput(field, reason)
    return value


def iso_date(value: object, field: str, today: date | None = None) -> str:
    """An ISO date 'YYYY-MM-DD'; with `today`, it may not lie after today (invariant 13)."""
    # The pattern first: fromisoformat alone also takes week dates such as '2025-W01-1'.
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InvalidInput(field, f"must be a date 'YYYY-MM-DD', got {value!r}")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"is not a calendar date: {value!r}") from None
    if today is not None and parsed > today:
        raise FutureDate(field, f"{value} lies in the future (today is {today.isoformat()})")
    return parsed.isoformat()


def sha256_hex(value: object, field: str) -> str:
    """A sha256 digest as 64 hex digits (stored lower-case)."""
    if not isinstance(value, str) or not _SHA256.fullmatch(value.lower()):
        raise InvalidInput(field, "must be a sha256 digest of 64 hexadecimal digits")
    return value.lower()


def source_document(value: object, today: date, field: str = "source") -> dict[str, str]:
    """The document a command rests on: kind, number, date and the sha256 of its scan."""
    if not isinstance(value, dict):
        raise InvalidInput(field, "must be an object with kind, number, date and sha256")
    kind = value.get("kind")
    if kind not in SOURCE_KINDS:
        raise InvalidInput(f"{field}.kind", f"must be one of {sorted(SOURCE_KINDS)}, got {kind!r}")
    return {
        "kind": kind,
        "number": text(value.get("number"), f"{field}.number", 100),
        "date": iso_date(value.get("date"), f"{field}.date", today),
        "sha256": sha256_hex(value.get("sha256"), f"{field}.sha256"),
    }


def survey_document(value: object, today: date, field: str = "survey") -> dict[str, str]:
    """A survey (pengukuran) document as a source document of kind 'survey'."""
    if not isinstance(value, dict):
        raise InvalidInput(field, "must be an object with document_number, document_sha256, surveyed_on")
    return {
        "kind": "survey",
        "number": text(value.get("document_number"), f"{field}.document_number", 100),
        "date": iso_date(value.get("surveyed_on"), f"{field}.surveyed_on", today),
        "sha256": sha256_hex(value.get("document_sha256"), f"{field}.document_sha256"),
    }


def share(value: object, field: str) -> Fraction:
    """A positive exact fraction written 'p/q' (invariant 5); never a float.

    >>> share("1/3", "share")
    Fraction(1, 3)
    """
    match = _SHARE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ShareError(field, f"must be an exact fraction 'p/q' of at most 18 digits each, got {str(value)[:40]!r}")
    numerator, denominator = int(match[1]), int(match[2])
    if denominator <= 0:
        raise ShareError(field, f"denominator must be positive, got {value!r}")
    if numerator <= 0:
        raise ShareError(field, f"share must be positive, got {value!r}")
    return Fraction(numerator, denominator)


def format_share(value: Fraction) -> str:
    """Always 'p/q', in lowest terms ('1/1' for a sole holder)."""
    return f"{value.numerator}/{value.denominator}"


def _recorded_share(value: object, field: str) -> Fraction:
    """A share as a holder entry records it: 'p/q', both positive, in lowest terms."""
    numerator, _, denominator = value.partition("/") if isinstance(value, str) else ("", "", "")
    if not all(part.isascii() and part.isdigit() and len(part) <= 18 for part in (numerator, denominator)):
        raise ShareError(field, f"must be a positive fraction 'p/q', got {str(value)[:40]!r}")
    top, bottom = int(numerator), int(denominator)
    if top <= 0 or bottom <= 0 or math.gcd(top, bottom) != 1:
        raise ShareError(field, f"must be a positive fraction in lowest terms, got {value!r}")
    return Fraction(top, bottom)


def holder(value: object, field: str) -> dict[str, str]:
    """One holder (pemegang hak): id, name, kind and share."""
    if not isinstance(value, dict):
        raise InvalidInput(field, "must be an object with id, name, kind and share")
    kind = value.get("kind")
    if kind not in HOLDER_KINDS:
        raise InvalidInput(f"{field}.kind", f"must be one of {sorted(HOLDER_KINDS)}, got {kind!r}")
    return {
        "id": text(value.get("id"), f"{field}.id", 64),
        "name": text(value.get("name"), f"{field}.name", 200),
        "kind": kind,
        "share": format_share(share(value.get("share"), f"{field}.share")),
    }


class Holders:
    """Holders of one right and their shares (invariant 5): at least one, no holder twice, each
    share a positive fraction in lowest terms, together exactly one. Checked when made, so an
    aggregate handed a Holders cannot be handed bad shares; iterates as the holders' dicts.

    >>> [h["share"] for h in Holders.parse([{"id": "a", "name": "A", "kind": "citizen", "share": "2/4"},
    ...                                     {"id": "b", "name": "B", "kind": "citizen", "share": "1/2"}])]
    ['1/2', '1/2']
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: Iterable[Mapping[str, str]], field: str = "holders") -> None:
        copied = tuple(dict(entry) for entry in entries)
        if not copied:
            raise ShareError(field, "must be a non-empty list of holders")
        seen: set[str] = set()
        total = Fraction(0)
        for index, entry in enumerate(copied):
            holder_id = entry.get("id")
            if not isinstance(holder_id, str) or not holder_id:
                raise InvalidInput(f"{field}[{index}].id", "must name the holder")
            if holder_id in seen:
                raise ShareError(f"{field}[{index}].id", f"holder {holder_id!r} is listed twice")
            seen.add(holder_id)
            total += _recorded_share(entry.get("share"), f"{field}[{index}].share")
        if total != 1:
            raise ShareError(field, f"shares must sum to exactly 1, they sum to {format_share(total)}")
        self._entries = copied

    @classmethod
    def parse(cls, value: object, field: str = "holders") -> Holders:
        """A holder list as it arrives from JSON, each holder checked by `holder`."""
        if not isinstance(value, list) or not value:
            raise ShareError(field, "must be a non-empty list of holders")
        return cls([holder(item, f"{field}[{index}]") for index, item in enumerate(value)], field)

    @classmethod
    def of(cls, value: Holders | Iterable[Mapping[str, str]]) -> Holders:
        """`value` itself when it is Holders, else the holders it lists, checked (as recorded on a title)."""
        return value if isinstance(value, Holders) else cls(value)

    def as_list(self) -> list[dict[str, str]]:
        """A fresh copy, fit for an event."""
        return [dict(entry) for entry in self._entries]

    def shares(self) -> dict[str, str]:
        """Each holder's id and share."""
        return {entry["id"]: entry["share"] for entry in self._entries}

    def __iter__(self) -> Iterator[dict[str, str]]:
        return (dict(entry) for entry in self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> dict[str, str]:
        return dict(self._entries[index])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Holders) and self._entries == other._entries

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Holders({self.as_list()!r})"


def amount(value: object, field: str) -> Decimal:
    """A positive money amount in rupiah as a plain decimal string such as '250000000.00'.

    Never a float, and none of the other spellings Decimal would take ('1E+2', '1_000', ' 5 ').
    """
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        raise InvalidInput(field,
                           f"must be a decimal string such as '250000000.00' (at most 2 decimals), got {value!r}")
    parsed = Decimal(value)
    if parsed <= 0:
        raise InvalidInput(field, f"must be a positive amount, got {value!r}")
    return parsed


def party(value: object, field: str) -> dict[str, str]:
    """A party without a share, such as a creditor (kreditur): id and name."""
    if not isinstance(value, dict):
        raise InvalidInput(field, "must be an object with id and name")
    return {"id": text(value.get("id"), f"{field}.id", 64), "name": text(value.get("name"), f"{field}.name", 200)}


def one_of(value: object, allowed: frozenset[str] | set[str], field: str) -> str:
    """One of a fixed set of words."""
    if value not in allowed:
        raise InvalidInput(field, f"must be one of {sorted(allowed)}, got {value!r}")
    return str(value)


def plain(value: Any) -> Any:
    """A deep copy of JSON-like data (events must not share mutable state with callers)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
