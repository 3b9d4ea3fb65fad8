"""Dealings on a title (transfers, holder corrections, mortgages and their release, blocks and
their lift): their ids, the record a title keeps of them, and what annulling one restores.

A dealing's id is `DL<version>`, the title's version the dealing's event took; events stored
before ids were written carry none and get the same id from their version, so old logs read alike.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.domain.errors import DealingAnnulled, LaterDealings, NotFound

# The event kinds (class names in Title) that are dealings, and what each one acts on.
HOLDERS = frozenset({"OwnershipTransferred", "HolderDataCorrected"})
MORTGAGES = frozenset({"MortgageRegistered", "MortgageReleased"})
BLOCKS = frozenset({"BlockPlaced", "BlockLifted"})
KINDS = HOLDERS | MORTGAGES | BLOCKS
# Events after which a title's active mortgages have ended with the right (UU 4/1996 art. 18).
ENDING = frozenset({"RightExpired", "LandReturned", "RightCancelled"})


def dealing_id(kind: str, data: Mapping[str, Any], version: int) -> str | None:
    """The id of the dealing an event records (`kind` without the `Title.` prefix), or None."""
    if kind.removeprefix("Title.") not in KINDS:
        return None
    return str(data.get("dealing_id") or f"DL{version}")


def next_id(version: int) -> str:
    """The id of a dealing recorded as the title's next event."""
    return f"DL{version + 1}"


def before(title: Any, kind: str) -> dict[str, Any] | None:
    """What a dealing about to be applied changes, as it stood before (None: not a dealing)."""
    if kind not in KINDS:
        return None
    return {"holders": [dict(h) for h in title.holders]} if kind in HOLDERS else {}


def record(title: Any, kind: str, event: Any, was: dict[str, Any]) -> None:
    """Keep the dealing just applied, with what it changed, in the title's list of dealings."""
    entry = {"dealing_id": dealing_id(kind, event.__dict__, event.originator_version), "kind": kind,
             "version": event.originator_version, "effective_at": event.effective_at, "status": "standing", **was}
    for name in ("mortgage_id", "block_id"):
        if name in event.__dict__:
            entry[name] = event.__dict__[name]
    title.dealings = [*getattr(title, "dealings", []), entry]


def find(title: Any, wanted: str) -> dict[str, Any]:
    """The standing dealing `wanted`, which no standing later dealing depends on."""
    known = getattr(title, "dealings", [])
    found = next((d for d in known if d["dealing_id"] == wanted), None)
    if found is None:
        raise NotFound(f"no dealing {wanted!r} on title {title.certificate_number}", dealing_id=wanted)
    if found["status"] != "standing":
        raise DealingAnnulled(f"dealing {wanted} on title {title.certificate_number} is already annulled",
                              dealing_id=wanted)
    later = [d["dealing_id"] for d in known if d["version"] > found["version"] and d["status"] == "standing"]
    if later:
        raise LaterDealings(f"dealing {wanted} on title {title.certificate_number} is followed by "
                            f"{', '.join(later)}: annul those first, the latest first", dealing_ids=later)
    return found


def restoration(title: Any, dealing: dict[str, Any]) -> dict[str, Any]:
    """Holders, mortgages and blocks as they would stand without the dealing: the fields of the
    annulment event (a mortgage or block set to None no longer exists)."""
    kind, holders = dealing["kind"], None
    mortgages: dict[str, str | None] = {}
    blocks: dict[str, str | None] = {}
    if kind in HOLDERS:
        holders = dealing["holders"]
    elif kind == "MortgageRegistered":
        mortgages[dealing["mortgage_id"]] = None
    elif kind == "MortgageReleased":  # active again, unless the right (and so the mortgage) ended since
        ended = getattr(title, "mortgages_ended_at", 0) > dealing["version"]
        mortgages[dealing["mortgage_id"]] = "ended" if ended else "active"
    elif kind == "BlockPlaced":
        blocks[dealing["block_id"]] = None
    else:
        blocks[dealing["block_id"]] = "active"
    return {"holders": holders, "mortgages": mortgages, "blocks": blocks}


def restore(title: Any, annulled: str, holders: list[dict[str, str]] | None,
            mortgages: Mapping[str, str | None], blocks: Mapping[str, str | None]) -> None:
    """Apply an annulment to a title's state (the event's apply)."""
    title.dealings = [{**d, "status": "annulled"} if d["dealing_id"] == annulled else d
                      for d in getattr(title, "dealings", [])]
    if holders is not None:
        title.holders = [dict(h) for h in holders]
    for table, changes in ((title.mortgages, mortgages), (title.blocks, blocks)):
        for key, status in changes.items():
            if status is None:
                table.pop(key, None)
            elif key in table:
                table[key]["status"] = status
