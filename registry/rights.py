"""Right types (jenis hak) and who may hold them for how long: invariants 6 and 7."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from registry.errors import EligibilityError, InvalidInput, TermError
from registry.values import iso_date

RIGHT_TYPES = frozenset({"HM", "HGB", "HGU", "HP", "HPL", "HMSRS", "WAKAF"})
# Rights granted for a term: hak guna bangunan, hak guna usaha, hak pakai.
TERMED = frozenset({"HGB", "HGU", "HP"})
TRANSFER_KINDS = frozenset({"sale", "gift", "inheritance", "auction", "exchange"})


def right_type(value: object, field: str = "right_type") -> str:
    """Validate a right type; 'wakaf' may be written in any case."""
    word = value.upper() if isinstance(value, str) else value
    if word not in RIGHT_TYPES:
        raise InvalidInput(field, f"must be one of {sorted(RIGHT_TYPES)}, got {value!r}")
    return str(word)


def check_eligibility(kind: str, holders: Iterable[dict[str, str]], designated: Iterable[str]) -> None:
    """Invariant 6: HM only for citizens and designated legal entities; foreigners only HP."""
    designated_ids = set(designated)
    for index, holder in enumerate(holders):
        where = f"holders[{index}]"
        if holder["kind"] == "foreigner" and kind != "HP":
            raise EligibilityError(
                f"{where}: a foreign party may hold only hak pakai (HP), not {kind}",
                field=where, holder_id=holder["id"],
            )
        if kind == "HM" and holder["kind"] == "legal_entity" and holder["id"] not in designated_ids:
            raise EligibilityError(
                f"{where}: legal entity {holder['id']!r} is not designated to hold hak milik (HM)",
                field=where, holder_id=holder["id"],
            )


def check_term(kind: str, ends_on: object, today: date, field: str = "ends_on") -> str | None:
    """Invariant 7: HGB, HGU and HP need an end date after today; other rights have none."""
    if kind not in TERMED:
        if ends_on is not None:
            raise TermError(field, f"{kind} is not granted for a term; leave {field} empty")
        return None
    if ends_on is None:
        raise TermError(field, f"{kind} is granted for a term: an end date is required")
    parsed = iso_date(ends_on, field)
    if date.fromisoformat(parsed) <= today:
        raise TermError(field, f"end date {parsed} is not after today ({today.isoformat()})")
    return parsed
