"""The titles a parcel carries beside its primary one (rights on rights, strata units), now from
the certificates table or at any earlier point from the parcel's history, each with its version."""
from __future__ import annotations

from typing import Any

from projections import title_state
from projections.log import LogEvent

Titled = tuple[title_state.Title, int]  # a title's state and its version (the log position of its newest event)


def is_beside(title: dict[str, Any]) -> bool:
    """A title registered on a parcel beside the primary one."""
    return title.get("on_title") is not None


def from_rows(rows: list[dict[str, Any]]) -> list[Titled]:
    """From the certificates rows of one parcel (projections/queries.py: certificates_on)."""
    return [(row["title"], int(row["position"])) for row in rows if is_beside(row["title"])]


def from_events(events: list[LogEvent], position: int | None = None, recorded_by: str | None = None) -> list[Titled]:
    """Folded from a parcel's history up to a log position or a recorded time, as state_after does."""
    titles: dict[str, title_state.Title] = {}
    last: dict[str, int] = {}
    for event in events:
        if position is not None and event.position > position or recorded_by is not None and \
                event.recorded_at > recorded_by:
            continue
        if event.kind == "Title.SecondaryRightRegistered" or (event.originator_id in titles
                                                               and title_state.is_title_event(event)):
            titles[event.originator_id] = title_state.fold(titles.get(event.originator_id), event)
            last[event.originator_id] = event.position
    return sorted(((t, last[key]) for key, t in titles.items()), key=lambda pair: pair[0]["certificate_number"])
