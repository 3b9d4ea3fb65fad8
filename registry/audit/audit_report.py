"""What an audit verify reads and finds: the stored rows, the first broken link, the report."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, NamedTuple


class StoredRow(NamedTuple):
    """One row of the log as stored: position, aggregate, version, topic and decoded state."""

    position: int
    originator_id: str
    version: int
    topic: str
    state: dict[str, Any]
    line: int | None = None  # in an exported bundle


@dataclass(frozen=True)
class Break:
    """The first broken link: where, and what is wrong."""

    reason: str
    aggregate: str | None = None  # certificate number of a title, NIB of a parcel, where known
    nib: str | None = None
    originator_id: str | None = None
    version: int | None = None
    position: int | None = None
    line: int | None = None
    seal: str | None = None  # "from..to": the positions of the seal concerned


@dataclass
class Report:
    ok: bool = True
    events_checked: int = 0
    seals_checked: int = 0
    checkpoints_checked: int = 0
    keys_checked: int = 0
    unanchored_seals: int = 0  # signed and chained, not (yet) in the anchor file: a crash, or a lost file
    first_break: Break | None = None
    full: bool = True  # False: an incremental verify, of the events after `from_position`
    from_position: int = 0
    checkpoint: tuple[int, str] | None = None  # the last checkpoint found sound: (to_position, root)

    def as_dict(self) -> dict[str, Any]:
        found = {k: v for k, v in asdict(self).items() if k != "checkpoint"}
        if self.first_break is not None:
            found["first_break"] = {k: v for k, v in asdict(self.first_break).items() if v is not None}
        return found

    def failed(self, broken: Break) -> Report:
        self.ok = False
        self.first_break = broken
        return self


def span(record: dict[str, Any]) -> str:
    """The positions a seal covers, as a verify names them: "41..43"."""
    return f"{record['from_position'] + 1}..{record['to_position']}"
