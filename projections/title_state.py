"""The current state of a title as plain data, folded from its events.

Shared by the certificates read model (one row per title) and the parcels read model (the
parcel's current title). Pure: `fold(state, event)` returns the next state, never touching
its argument, so replaying the same events always gives the same rows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.log import LogEvent, plain

Title = dict[str, Any]


def _registered(_: Title | None, event: LogEvent) -> Title:
    data = event.data
    return {
        "certificate_number": data["certificate_number"], "title_id": event.originator_id, "nib": data["nib"],
        "right_type": data["right_type"], "status": "active", "edition": 1, "holders": data["holders"],
        "ends_on": data["ends_on"], "area_m2": plain(data["area_m2"]), "origin": data["origin"],
        "predecessors": data["predecessors"], "successors": [],
        "mortgages": {m["mortgage_id"]: _mortgage(m) for m in data["mortgages"]}, "blocks": {},
    }


def _registered_beside(_: Title | None, event: LogEvent) -> Title:
    """A right on a right or a strata unit: the title with the title it stands on and its unit."""
    return {**_registered(None, event), "on_title": event.data["on_title"], "unit": event.data["unit"]}


def _mortgage(data: dict[str, Any]) -> dict[str, Any]:
    return {"mortgage_id": data["mortgage_id"], "rank": data["rank"], "creditor": data["creditor"],
            "amount": plain(data["amount"]), "status": data.get("status", "active")}


def _holders(title: Title, event: LogEvent) -> Title:
    return {**title, "holders": event.data["holders"], "edition": event.data["edition"]}


def _transferred(title: Title, event: LogEvent) -> Title:
    """The whole right passed on: an ineligible holder's release deadline, if any, is met."""
    return {**_holders(title, event), "release_by": None} if "release_by" in title else _holders(title, event)


def _eligibility_lost(title: Title, event: LogEvent) -> Title:
    return {**_holders(title, event), "release_by": event.data["release_by"]}


def _term(title: Title, event: LogEvent) -> Title:
    renewed = event.kind.endswith("Renewed")
    return {**title, "ends_on": event.data["ends_on"], "edition": event.data["edition"],
            "status": "active" if renewed else title["status"]}


def _mortgage_registered(title: Title, event: LogEvent) -> Title:
    mortgage = _mortgage(event.data)
    return {**title, "mortgages": {**title["mortgages"], mortgage["mortgage_id"]: mortgage}}


def _mortgage_released(title: Title, event: LogEvent) -> Title:
    return {**title, "mortgages": _set_status(title["mortgages"], event.data["mortgage_id"], "released")}


def _set_status(table: dict[str, Any], key: str, status: str | None) -> dict[str, Any]:
    """The table with one entry's status changed, or the entry gone (None). An entry not there is
    left alone: a fold by legal date may leave out the dealing that made it (a release dated
    before its mortgage)."""
    if key not in table:
        return table
    if status is None:
        return {k: v for k, v in table.items() if k != key}
    return {**table, key: {**table[key], "status": status}}


def _annulled(title: Title, event: LogEvent) -> Title:
    """A dealing annulled: holders, mortgages and blocks restored as the event says (a fold that
    leaves the void dealing out passes an event without them, and only the edition changes)."""
    data = event.data
    mortgages, blocks = title["mortgages"], title["blocks"]
    for key, status in data.get("mortgages", {}).items():
        mortgages = _set_status(mortgages, key, status)
    for key, status in data.get("blocks", {}).items():
        blocks = _set_status(blocks, key, status)
    holders = data.get("holders") or title["holders"]
    return {**title, "holders": holders, "mortgages": mortgages, "blocks": blocks, "edition": data["edition"]}


def _block_placed(title: Title, event: LogEvent) -> Title:
    data = event.data
    block = {"block_id": data["block_id"], "kind": data["kind"], "requested_by": data["requested_by"],
             "until": data["until"], "status": "active"}
    return {**title, "blocks": {**title["blocks"], block["block_id"]: block}}


def _block_ended(status: str) -> Callable[[Title, LogEvent], Title]:
    def fold(title: Title, event: LogEvent) -> Title:
        return {**title, "blocks": _set_status(title["blocks"], event.data["block_id"], status)}
    return fold


def _status(status: str) -> Callable[[Title, LogEvent], Title]:
    def fold(title: Title, event: LogEvent) -> Title:
        return {**title, "status": status, "successors": event.data.get("successors", title["successors"])}
    return fold


def _ended(status: str) -> Callable[[Title, LogEvent], Title]:
    """The right ends, and every active mortgage on it with it (UU 4/1996 art. 18)."""
    def fold(title: Title, event: LogEvent) -> Title:
        mortgages = {k: {**m, "status": "ended"} if m["status"] == "active" else m
                     for k, m in title["mortgages"].items()}
        return {**title, "status": status, "mortgages": mortgages}
    return fold


def _edition(title: Title, event: LogEvent) -> Title:
    area = plain(event.data["area_m2"]) if "area_m2" in event.data else title["area_m2"]
    return {**title, "edition": event.data["edition"], "area_m2": area}


FOLDS: dict[str, Callable[[Any, LogEvent], Title]] = {
    "Title.RightRegistered": _registered,
    "Title.SecondaryRightRegistered": _registered_beside,
    "Title.OwnershipTransferred": _transferred,
    "Title.EligibilityLost": _eligibility_lost,
    "Title.RightExtinguished": _ended("forfeited"),
    "Title.HolderDataCorrected": _holders,
    "Title.MortgageRegistered": _mortgage_registered,
    "Title.MortgageReleased": _mortgage_released,
    "Title.BlockPlaced": _block_placed,
    "Title.BlockLifted": _block_ended("lifted"),
    "Title.BlockExpired": _block_ended("expired"),
    "Title.RightExtended": _term,
    "Title.RightRenewed": _term,
    "Title.RightExpired": _ended("expired"),
    "Title.RightCancelled": _ended("cancelled"),
    "Title.LandReturned": _ended("returned"),
    "Title.Closed": _status("closed"),
    "Title.CertificateReplaced": _edition,
    "Title.AreaChanged": _edition,
    "Title.DealingAnnulled": _annulled,
}


def fold(title: Title | None, event: LogEvent) -> Title:
    """The title after `event`, with its version and the time of its last change."""
    folded = FOLDS[event.kind](title, event)
    return {**folded, "version": event.version, "updated_at": event.recorded_at}


def is_title_event(event: LogEvent) -> bool:
    return event.kind.startswith("Title.")
