"""Checking the signing keys' hand-overs, and the seals as the log streams past them (registry/audit/verify.py)."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from registry.audit import merkle, signing
from registry.audit.audit_report import Break, StoredRow, span
from registry.domain.chain import GENESIS

Names = Callable[[str], tuple[str | None, str | None]]  # originator id -> (aggregate, NIB), where known


class KeyChain:
    """The trusted public keys in order, each with the position after which it signs."""

    def __init__(self, keys: list[tuple[int, str]]) -> None:
        self.keys = keys

    @classmethod
    def build(cls, records: list[dict[str, Any]], trusted: str | None,
              anchored: list[dict[str, Any]]) -> KeyChain | Break:
        """The first key must be `trusted`; each later one must be handed over to by the key before;
        every key the anchor file names must be among them."""
        known = {(r["key_id"], r["public_key"]) for r in records}
        for line in anchored:
            if (line["key_id"], line["public_key"]) not in known:
                return Break(f"signing key {line['key_id']}, kept in the anchor file, is missing from the store's keys")
        if not records:  # a store signed only by checkpoints of before key records: the trusted key signed them
            return cls([] if trusted is None else [(0, trusted)])
        first = records[0]
        if trusted is None:
            return Break("no trusted key to check the store's signing keys against: neither the anchor file nor the "
                         "key file is here (offline: pass --public-key)")
        if first["public_key"] != trusted or first["since"] != 0 or first["previous_key_id"] is not None:
            return Break(f"the first signing key is {first['key_id']}, not the trusted key {signing.key_id(trusted)}: "
                         "the keys were replaced, or this is another registry's log")
        for before, record in itertools.pairwise(records):
            if not _handed_over(before, record):
                return Break(f"signing key {record['key_id']} was not handed over to by key {before['key_id']}: "
                             "its hand-over is not signed by that key")
        return cls([(r["since"], r["public_key"]) for r in records])

    def in_force(self, position: int) -> str | None:
        """The public key that signs what ends at `position`: the last one handed over before it."""
        found = [key for since, key in self.keys if since < position] or [k for s, k in self.keys if s == 0]
        return found[-1] if found else None


def _handed_over(before: dict[str, Any], record: dict[str, Any]) -> bool:
    message = signing.handover_message(record["public_key"], record["since"], before["key_id"])
    return (record["key_id"] == signing.key_id(record["public_key"]) and record["previous_key_id"] == before["key_id"]
            and record["since"] >= before["since"] and signing.verify(before["public_key"], record["signature"] or "",
                                                                      message))


def _leaves_match(seal: dict[str, Any]) -> bool:
    """The leaves are `count` events in order inside the seal's range, and hash to its root."""
    try:
        positions = [leaf[0] for leaf in seal["leaves"]]
        return (len(positions) == seal["count"] > 0 and positions == sorted(set(positions))
                and seal["from_position"] < positions[0] and positions[-1] == seal["to_position"]
                and merkle.root([leaf[3] for leaf in seal["leaves"]]) == seal["root"])
    except (TypeError, ValueError, IndexError, KeyError):
        return False


class Seals:
    """The seals in log order, consumed as the events stream past; each one checked as it is reached.

    An event must be the next leaf of the current seal, hash for hash. Only events up to where
    the first seal starts may go unsealed (a store sealed late; its checkpoints must cover them).
    """

    def __init__(self, seals: Iterable[dict[str, Any]], keys: KeyChain, anchored: dict[int, dict[str, Any]],
                 names: Names, before: dict[str, Any] | None = None) -> None:
        """`before`: the seal ending where an incremental verify starts (checked then), if any."""
        self._seals = iter(seals)
        self.keys, self.anchored, self.names = keys, anchored, names
        self.current: dict[str, Any] | None = before
        self.upcoming = next(self._seals, None)
        first = before or self.upcoming
        self.first_from = None if first is None else first["from_position"]
        self.leaf = 0 if before is None else len(before["leaves"])
        self.checked = self.unanchored = 0

    def legacy(self, position: int) -> bool:
        """Before the first seal: covered by checkpoints, if at all."""
        return self.first_from is None or position <= self.first_from

    def deleted_before(self, row: StoredRow) -> Break | None:
        """A sealed event missing before `row` (checked before `row`'s chain, which would only name
        the next event of the same aggregate)."""
        leaf = self._leaf(row.position)
        if isinstance(leaf, list) and leaf[0] < row.position:
            return self._missing(leaf)
        return leaf if isinstance(leaf, Break) else None

    def check(self, row: StoredRow) -> Break | None:
        """The event `row` against the seals: it must be the next leaf, hash for hash."""
        leaf = self._leaf(row.position)
        if isinstance(leaf, Break):
            return leaf
        if leaf is None or leaf[0] > row.position:
            return None if self.legacy(row.position) else self._unsealed(row)
        self.leaf += 1
        if leaf[3] != row.state.get("hash"):
            signed = self.names(leaf[1])[0] or leaf[1]
            return self._event(row, f"event at position {row.position} is not the event the seal of positions "
                                    f"{span(self._now())} signed ({signed}, version {leaf[2]}): it was altered, "
                                    "replaced or moved, and its hash chain recomputed to match")
        return None

    def finish(self) -> Break | None:
        """After the last event: any leaf left is an event deleted from the end of the log."""
        leaf = self._leaf(None)
        return self._missing(leaf) if isinstance(leaf, list) else leaf

    def _now(self) -> dict[str, Any]:
        assert self.current is not None
        return self.current

    def _leaf(self, position: int | None) -> list[Any] | Break | None:
        """The next leaf, entering (and checking) the next seal when the current one is done; None
        when no seal is left or the event at `position` comes before the next seal's range."""
        while self.current is None or self.leaf >= len(self.current["leaves"]):
            if self.upcoming is None or (position is not None and position <= self.upcoming["from_position"]):
                return None
            broken = self._enter(self.upcoming)
            if broken is not None:
                return broken
            self.current, self.upcoming, self.leaf = self.upcoming, next(self._seals, None), 0
        return self.current["leaves"][self.leaf]  # type: ignore[no-any-return]

    def _enter(self, seal: dict[str, Any]) -> Break | None:
        """Chaining, key, signature, leaves and root of one seal, and the anchor file's copy of it."""
        before = self.current
        where = span(seal)
        if before is not None and seal["from_position"] != before["to_position"]:
            return Break(f"the seal of positions {span(seal)} follows position {seal['from_position']}, but the seal "
                         f"before it ends at {before['to_position']}: a seal (and its events) was deleted or inserted",
                         seal=where)
        if seal["previous_root"] != (GENESIS if before is None else before["root"]):
            return Break(f"the seal of positions {span(seal)} does not chain to the seal before it", seal=where)
        key = self.keys.in_force(seal["to_position"])
        if key is None or signing.key_id(key) != seal["key_id"]:
            return Break(f"the seal of positions {span(seal)} is signed by key {seal['key_id']}, which is not the "
                         "trusted key in force there (a key no trusted key handed over to)", seal=where)
        message = signing.seal_message(seal["from_position"], seal["to_position"], seal["count"], seal["root"],
                                       seal["previous_root"], seal["key_id"])
        if not signing.verify(key, seal["signature"], message):
            return Break(f"the seal of positions {span(seal)} is not signed by key {seal['key_id']}", seal=where)
        broken = self._leaves(seal)
        if broken is not None:
            return broken
        self.checked += 1
        return self._anchored(seal)

    def _leaves(self, seal: dict[str, Any]) -> Break | None:
        if _leaves_match(seal):
            return None
        leaves = seal["leaves"] if isinstance(seal["leaves"], list) else []
        listed = ", ".join(f"{leaf[0]} ({self.names(leaf[1])[0] or leaf[1]} v{leaf[2]})" for leaf in leaves[:10]
                           if isinstance(leaf, list) and len(leaf) == 4)
        more = f" and {len(leaves) - 10} more" if len(leaves) > 10 else ""
        reason = (f"the seal of positions {span(seal)} does not hash to the root it signed: its record of the "
                  f"events at {listed or '(unreadable)'}{more} was rewritten")
        if len(leaves) == 1 and isinstance(leaves[0], list) and len(leaves[0]) == 4:  # the event is known exactly
            position, originator, version, _ = leaves[0]
            name, nib = self.names(originator)
            return Break(reason, aggregate=name, nib=nib, originator_id=originator, version=version,
                         position=position, seal=span(seal))
        return Break(reason, seal=span(seal))

    def _anchored(self, seal: dict[str, Any]) -> Break | None:
        kept = self.anchored.pop(seal["to_position"], None)
        if kept is None:
            self.unanchored += 1
        elif (kept["from_position"], kept["root"]) != (seal["from_position"], seal["root"]):
            return Break(f"the seal of positions {span(seal)} differs from the one kept in the anchor file",
                         seal=span(seal))
        return None

    def _missing(self, leaf: list[Any]) -> Break:
        position, originator, version, _ = leaf
        name, nib = self.names(originator)
        return Break(f"event at position {position} ({name or originator}, version {version}), signed in the seal of "
                     f"positions {span(self._now())}, is missing from the log: it was deleted",
                     aggregate=name, nib=nib, originator_id=originator, version=version, position=position,
                     seal=span(self._now()))

    def _unsealed(self, row: StoredRow) -> Break:
        seal = self.current
        if seal is not None and row.position <= seal["to_position"]:
            return self._event(row, f"event at position {row.position} is not among the events the seal of positions "
                                    f"{span(seal)} signed: it was inserted")
        return self._event(row, f"event at position {row.position} is in no seal: it was written behind the "
                                "registry's back, or its seal was deleted")

    def _event(self, row: StoredRow, reason: str) -> Break:
        name, nib = self.names(row.originator_id)
        return Break(reason, aggregate=name, nib=nib, originator_id=row.originator_id, version=row.version,
                     position=row.position, line=row.line, seal=None if self.current is None else span(self.current))
