"""Right types (jenis hak) and the law of each, in one table: who may hold it, for how long, how
it is extended and renewed, whether it may be transferred or mortgaged (invariants 6 and 7).

Every number and list here cites its source; docs/law.md gives the table in words. Where the law
changed (PP 40/1996 gave hak pakai 25 + 20 + 25 years; PP 18/2021 gives 30 + 20 + 30), the
registry follows PP 18/2021; `LANDREG_RIGHT_TERMS` overrides the years.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from registry.domain.errors import DealingNotAllowed, EligibilityError, InvalidInput, TermError
from registry.domain.values import iso_date

INDONESIAN = frozenset({"citizen", "legal_entity", "state_enterprise"})


@dataclass(frozen=True)
class Right:
    """The law of one right type."""

    code: str
    holders: frozenset[str]  # holder kinds that may hold it
    source: str  # where the law says so
    term: tuple[int, int, int] | None = None  # years: first grant, the one extension, the one renewal
    untermed_holders: frozenset[str] = frozenset()  # may hold a termed right "for as long as it is used"
    transferable: bool = True
    mortgageable: bool = True  # an object of hak tanggungan (UU 4/1996 art. 4; UU 20/2011 art. 47)
    designated_only: frozenset[str] = frozenset()  # kinds that need the government's designation


RIGHTS: dict[str, Right] = {r.code: r for r in (
    Right("HM", frozenset({"citizen", "legal_entity"}), "UUPA art. 20-21; PP 38/1963 (designated entities)",
          designated_only=frozenset({"legal_entity"})),
    Right("HGU", INDONESIAN, "UUPA art. 28-30; PP 18/2021 art. 19, 22", term=(35, 25, 35)),
    Right("HGB", INDONESIAN, "UUPA art. 35-36; PP 18/2021 art. 34, 37", term=(30, 20, 30)),
    Right("HP", INDONESIAN | {"foreigner", "foreign_legal_entity", "government", "foreign_mission"},
          "UUPA art. 41-42; PP 18/2021 art. 45, 49", term=(30, 20, 30),
          untermed_holders=frozenset({"government", "foreign_mission"})),
    Right("HPL", frozenset({"government", "state_enterprise", "land_bank", "customary_community", "legal_entity"}),
          "PP 18/2021 art. 5, 7; UU 4/1996 art. 4 (no object of hak tanggungan)",
          transferable=False, mortgageable=False, designated_only=frozenset({"legal_entity"})),
    Right("WAKAF", frozenset({"nazhir"}), "UU 41/2004 art. 40 (not sold, inherited or pledged); PP 42/2006",
          transferable=False, mortgageable=False),
    Right("HMSRS", INDONESIAN | {"government", "foreigner", "foreign_legal_entity"},
          "UU 20/2011 art. 47 as amended by UU 11/2020 art. 144; PP 18/2021 art. 67-71"),
)}
RIGHT_TYPES = frozenset(RIGHTS)
TERMED = frozenset(code for code, right in RIGHTS.items() if right.term is not None)
RENEWAL_WINDOW_YEARS = 2  # a renewal is applied for within two years after the end (PP 18/2021 art. 22, 37, 49)

# Transfer kinds and the instrument each needs (PP 24/1997 art. 37, 41, 42, 55).
TRANSFER_DOCUMENTS: dict[str, str] = {
    "sale": "deed", "gift": "deed", "exchange": "deed", "inbreng": "deed", "apbh": "deed", "company_merger": "deed",
    "auction": "auction_minutes", "inheritance": "inheritance_certificate", "court_decision": "court_order",
}
TRANSFER_KINDS = frozenset(TRANSFER_DOCUMENTS)
# Pembatalan of a dealing (Permen ATR/BPN 21/2020): for a court decision in force, on the court's
# order; for an administrative defect, on the land office's decree.
ANNULMENT_DOCUMENTS = {"court_decision": "court_order", "administrative_defect": "decree"}

# Rights a holder may keep for a while after becoming ineligible by operation of law (an heir who
# is a foreigner, a holder who lost Indonesian citizenship): released within a year, or extinguished.
RELEASE_ON_INELIGIBILITY: dict[str, str] = {"HM": "UUPA art. 21(3)-(4)", "HGU": "UUPA art. 30(2)",
                                            "HGB": "UUPA art. 36(2)"}
RELEASE_YEARS = 1
# How eligibility is lost, and the instrument that shows it.
LOSS_DOCUMENTS: dict[str, str] = {"inheritance": "inheritance_certificate", "citizenship": "decree"}


def right_type(value: object, field: str = "right_type") -> str:
    """Validate a right type; 'wakaf' may be written in any case."""
    word = value.upper() if isinstance(value, str) else value
    if word not in RIGHT_TYPES:
        raise InvalidInput(field, f"must be one of {sorted(RIGHT_TYPES)}, got {value!r}")
    return str(word)


def check_eligibility(kind: str, holders: Iterable[dict[str, str]], designated: Mapping[str, Iterable[str]]) -> None:
    """Invariant 6: every holder's kind may hold this right; a kind that needs the government's
    designation (a legal entity holding HM or HPL) is named in `designated[kind]`."""
    right = RIGHTS[kind]
    for index, holder in enumerate(holders):
        where = f"holders[{index}]"
        if holder["kind"] not in right.holders:
            raise EligibilityError(
                f"{where}: a holder of kind {holder['kind']} may not hold {kind} ({right.source})",
                field=where, holder_id=holder["id"],
            )
        if holder["kind"] in right.designated_only and holder["id"] not in set(designated.get(kind, ())):
            raise EligibilityError(
                f"{where}: {holder['kind']} {holder['id']!r} is not designated to hold {kind} ({right.source})",
                field=where, holder_id=holder["id"],
            )


def loss_of_eligibility(kind: str, holders: Iterable[dict[str, str]], designated: Mapping[str, Iterable[str]],
                        ) -> list[str]:
    """The ids of the holders who may not hold this right, which the law lets them keep for a
    year to release it; at least one, or the change is an ordinary transfer or correction."""
    if kind not in RELEASE_ON_INELIGIBILITY:
        raise InvalidInput("cause", f"a loss of eligibility is recorded on {sorted(RELEASE_ON_INELIGIBILITY)}, not "
                                    f"on {kind}")
    lost = []
    for holder in holders:
        try:
            check_eligibility(kind, [holder], designated)
        except EligibilityError:
            lost.append(holder["id"])
    if not lost:
        raise InvalidInput("holders", f"every holder may hold {kind}: record a transfer or a holder correction")
    return lost


def require_dealing(kind: str, act: str, termed: bool) -> None:
    """Wakaf and HPL are not sold, inherited or mortgaged (`act` 'transfer' or 'mortgage'), nor is
    a hak pakai held without a term (while used by a government body or foreign mission)."""
    right = RIGHTS[kind]
    allowed = right.transferable if act == "transfer" else right.mortgageable
    if right.term is not None and not termed:
        allowed, why = False, f"{kind} held without a term, while used"
    else:
        why = kind
    if not allowed:
        raise DealingNotAllowed(f"{why} may not be the object of a {act} ({right.source})", right_type=kind, act=act)


def require_document(act: str, needed: str, source: dict[str, str]) -> None:
    """The act rests on its own instrument (PP 24/1997): e.g. a sale on a PPAT deed."""
    if source["kind"] != needed:
        raise InvalidInput("source.kind", f"a {act} rests on a {needed}, not a {source['kind']}")


def add_years(start: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February); the last day there is beyond 9999.

    >>> add_years(date(2024, 2, 29), 1), add_years(date(9990, 1, 1), 30)
    (datetime.date(2025, 2, 28), datetime.date(9999, 12, 31))
    """
    if start.year + years > date.max.year:
        return date.max
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def term_years(kind: str, overrides: Mapping[str, list[int]] | None = None) -> tuple[int, int, int] | None:
    """(first grant, extension, renewal) in years for a termed right, with settings' overrides."""
    given = (overrides or {}).get(kind)
    if given is not None:
        first, extension, renewal = given
        return first, extension, renewal
    return RIGHTS[kind].term


def end_date(kind: str, ends_on: object, today: date, field: str = "ends_on") -> str | None:
    """A term's end as given: none for a right not granted for a term; else a date after today,
    or None where the caller's Term decides whether the holders may go without one."""
    if kind not in TERMED:
        if ends_on is not None:
            raise TermError(field, f"{kind} is not granted for a term; leave {field} empty")
        return None
    if ends_on is None:
        return None
    parsed = iso_date(ends_on, field)
    if date.fromisoformat(parsed) <= today:
        raise TermError(field, f"end date {parsed} is not after today ({today.isoformat()})")
    return parsed


@dataclass(frozen=True)
class Term:
    """How long a right runs (invariant 7), checked when made: no end for a right not granted for
    a term; for a termed right an end no later than its first grant allows from `granted_on`
    (`first_years` None: a term already recorded, under older law or on a predecessor title).
    Whether a termed right may go without an end depends on its holders: `require_fits`."""

    right_type: str
    granted_on: str
    ends_on: str | None
    first_years: int | None = None
    field: str = "ends_on"

    def __post_init__(self) -> None:
        if self.right_type not in TERMED and self.ends_on is not None:
            raise TermError(self.field, f"{self.right_type} is not granted for a term; leave {self.field} empty")
        if self.first_years is not None and self.ends_on is not None and date.fromisoformat(self.ends_on) > (
                last := add_years(date.fromisoformat(self.granted_on), self.first_years)):
            raise TermError(self.field, f"a first grant of {self.right_type} lasts at most {self.first_years} years "
                                        f"from {self.granted_on}: end on or before {last.isoformat()} "
                                        f"({RIGHTS[self.right_type].source})")

    @classmethod
    def grant(cls, kind: str, ends_on: object, today: date, holders: Iterable[Mapping[str, str]], granted_on: str,
              overrides: Mapping[str, list[int]] | None = None, recorded: bool = False) -> Term:
        """The term of a first grant of `kind` to `holders` (a `recorded` term, of the legacy stock,
        keeps what the old book says: no first-grant maximum)."""
        years = term_years(kind, overrides)
        term = cls(kind, granted_on, end_date(kind, ends_on, today),
                   None if recorded or years is None else years[0])
        term.require_fits(holders)
        return term

    def require_fits(self, holders: Iterable[Mapping[str, str]]) -> None:
        """A termed right goes without an end only while every holder may hold it "as long as it is used"."""
        if self.right_type in TERMED and self.ends_on is None:
            kinds = {h["kind"] for h in holders}
            if not kinds or not kinds <= RIGHTS[self.right_type].untermed_holders:
                raise TermError(self.field, f"{self.right_type} is granted for a term: an end date is required")
