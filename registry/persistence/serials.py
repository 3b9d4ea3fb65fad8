"""Serials per village (NIB, right number per right type, complaint number per year): one object
for the single commands and the bulk path, counters in the command's transaction (no gaps, no
duplicates), the same names and the same limit for both."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.domain.errors import SerialsExhausted
from registry.domain.identifiers import MAX_SERIAL, make_certificate_number, make_nib
from registry.persistence.store import counters, next_serial

Key = tuple[str, str]  # (scope, key): ("nib", village), ("right:<digit>", village), ("complaint", year)


class Serials:
    """Hands out the registry's numbers; the right types' digits come from the settings."""

    def __init__(self, right_type_digits: dict[str, str]) -> None:
        self.digits = dict(right_type_digits)

    def nib_key(self, village: str) -> Key:
        return ("nib", village)

    def right_key(self, village: str, right_type: str) -> Key:
        return (f"right:{self.digits[right_type]}", village)

    def nib(self, session: Session, village: str) -> str:
        """A new NIB in the village, allocated in the caller's transaction."""
        return make_nib(village, _take(session, self.nib_key(village), f"village {village} has no NIB serials left"))

    def certificate_number(self, session: Session, village: str, right_type: str) -> str:
        """A new certificate number for a right of this type in the village."""
        serial = _take(session, self.right_key(village, right_type),
                       f"village {village} has no {right_type} numbers left")
        return make_certificate_number(village, self.digits[right_type], serial)

    def complaint_number(self, session: Session, year: int) -> str:
        return f"PGD-{year}-{next_serial(session, 'complaint', str(year)):06d}"

    def batch(self, session: Session, villages: set[str], right_types: set[str]) -> SerialBatch:
        """Numbers for many first registrations: the counters read once, handed out in memory,
        written once by `SerialBatch.store`."""
        keys = {self.nib_key(v) for v in villages} | {self.right_key(v, r) for v in villages for r in right_types}
        return SerialBatch(self, _current(session, keys))


@dataclass
class SerialBatch:
    """Serials handed out in memory for one bulk transaction; `store` writes what was taken."""

    serials: Serials
    last: dict[Key, int]
    taken: Counter[Key] = field(default_factory=Counter)

    def first_registration(self, village: str, right_type: str) -> tuple[str, str]:
        """A NIB and a certificate number together, or SerialsExhausted and neither taken."""
        nib_key, right_key = self.serials.nib_key(village), self.serials.right_key(village, right_type)
        for key, what in ((nib_key, "NIB serials"), (right_key, f"{right_type} numbers")):
            if self._next(key) > MAX_SERIAL:
                raise SerialsExhausted(f"village {village} has no {what} left")
        nib, serial = make_nib(village, self._next(nib_key)), self._next(right_key)
        self.taken.update([nib_key, right_key])
        return nib, make_certificate_number(village, self.serials.digits[right_type], serial)

    def _next(self, key: Key) -> int:
        return self.last[key] + self.taken[key] + 1

    def store(self, session: Session) -> None:
        for (scope, key), count in self.taken.items():
            next_serial(session, scope, key, count)


def _take(session: Session, key: Key, exhausted: str) -> int:
    serial = next_serial(session, *key)
    if serial > MAX_SERIAL:
        raise SerialsExhausted(exhausted)
    return serial


def _current(session: Session, keys: set[Key]) -> dict[Key, int]:
    """The last serial allocated for each key (0 for a key never used), in one query."""
    scopes = {scope for scope, _ in keys}
    rows = session.execute(select(counters.c.scope, counters.c.key, counters.c.value).where(
        counters.c.scope.in_(scopes), counters.c.key.in_({k for _, k in keys}))).all()
    found = {(scope, key): int(value) for scope, key, value in rows}
    return {key: found.get(key, 0) for key in keys}
