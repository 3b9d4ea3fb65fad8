"""How long a block (blokir) or seizure (sita) lasts, by who asked for it (Permen ATR/BPN 13/2017)."""
from __future__ import annotations

from datetime import date, timedelta

from registry.domain.errors import InvalidInput

KINDS = frozenset({"blokir", "sita"})
PARTY_DAYS = 30  # a blokir asked for by a party lapses after 30 days (Permen ATR/BPN 13/2017 art. 13)
AUTHORITIES = frozenset({"police", "prosecutor", "kpk", "court"})  # their blokir lasts until they lift it
APPLICANTS = frozenset({"party"}) | AUTHORITIES


def block_until(kind: str, applicant: str, until: str | None, source: dict[str, str], today: date) -> str | None:
    """The last day a new block holds, or None for "until lifted".

    >>> block_until("blokir", "party", None, {"kind": "letter"}, date(2025, 1, 1))
    '2025-01-31'
    """
    if kind == "sita":
        if until is not None:
            raise InvalidInput("until", "a sita lasts until the seizing authority lifts it; leave until empty")
        return None
    if until is not None and date.fromisoformat(until) < today:
        raise InvalidInput("until", f"{until} has already passed")
    if applicant in AUTHORITIES:
        return until
    limit = (today + timedelta(days=PARTY_DAYS)).isoformat()
    if until is None:
        return limit
    if until > limit and source["kind"] != "court_order":
        raise InvalidInput("until", f"a party's blokir lasts at most {PARTY_DAYS} days (until {limit}) unless a "
                                    "court order sets more")
    return until
