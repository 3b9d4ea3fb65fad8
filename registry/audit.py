"""Proving the log was not tampered with: every aggregate's hash chain, every signed checkpoint,
and the checkpoints also written outside the database (the anchor file), recomputed from the
stored rows alone. The same `verify` checks the live database and an exported bundle offline:

    python -m registry.audit BUNDLE_DIR
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from registry import signing
from registry.chain import GENESIS, stored_digest
from registry.checkpoint import merkle_root, signed_bytes

CHECKPOINT = "registry.checkpoint:Checkpoints.Recorded"


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


@dataclass
class Report:
    ok: bool = True
    events_checked: int = 0
    checkpoints_checked: int = 0
    uncovered: int = 0  # events after the last checkpoint: chained, not yet signed
    first_break: Break | None = None

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        if self.first_break is not None:
            found["first_break"] = {k: v for k, v in asdict(self.first_break).items() if v is not None}
        return found


@dataclass
class _Chains:
    """Per aggregate: last version, last hash and its name; and every hash in log order."""

    last: dict[str, tuple[int, str, str | None, str | None]] = field(default_factory=dict)
    hashes: list[tuple[int, str]] = field(default_factory=list)
    checkpoints: list[StoredRow] = field(default_factory=list)


def _link(chains: _Chains, row: StoredRow) -> Break | None:
    """Check one event against the one before it in its aggregate; the hot loop of a verify."""
    known = chains.last.get(row.originator_id)
    version, previous, name, nib = known or (0, GENESIS, row.state.get("certificate_number") or
                                             row.state.get("nib"), row.state.get("nib"))
    stored = row.state.get("hash")
    if row.version != version + 1:
        return _where(f"version {row.version} follows version {version}: an event was deleted, inserted or "
                      "moved", row, name, nib)
    if stored != stored_digest(previous, row.topic, row.originator_id, row.version, row.state):
        return _where("the stored hash does not match the event's contents: the event was altered", row, name, nib)
    chains.last[row.originator_id] = (row.version, stored, name, nib)
    chains.hashes.append((row.position, stored))
    if row.topic == CHECKPOINT:
        chains.checkpoints.append(row)
    return None


def _where(reason: str, row: StoredRow, name: str | None, nib: str | None) -> Break:
    return Break(reason, aggregate=name, nib=nib, originator_id=row.originator_id, version=row.version,
                 position=row.position, line=row.line)


def _checkpoint(chains: _Chains, row: StoredRow, public_key: str, since: int) -> Break | None:
    data = row.state
    where: dict[str, Any] = {"position": row.position, "line": row.line, "aggregate": "checkpoints"}
    if data["from_position"] != since:
        return Break(f"checkpoint starts at {data['from_position']}, the one before ended at {since}", **where)
    covered = [h for p, h in chains.hashes if data["from_position"] < p <= data["to_position"]]
    if len(covered) != data["count"] or merkle_root(covered) != data["merkle_root"]:
        return Break(f"events {data['from_position'] + 1}..{data['to_position']} differ from what the checkpoint "
                     f"signed ({len(covered)} events now, {data['count']} then): deleted, inserted or reordered",
                     **where)
    message = signed_bytes(data["from_position"], data["to_position"], data["count"], data["merkle_root"])
    if data["public_key"] != public_key or not signing.verify(public_key, data["signature"], message):
        return Break("the checkpoint is not signed by the registry's key", **where)
    return None


def verify(rows: Iterable[StoredRow], public_key: str, anchored: list[dict[str, Any]] | None = None,
           progress: Callable[[int], None] = lambda _: None) -> Report:
    """Check every chain, every checkpoint against `public_key`, and the anchored checkpoints."""
    chains, report = _Chains(), Report()
    for row in rows:
        broken = _link(chains, row)
        if broken is not None:
            return _failed(report, broken)
        report.events_checked += 1
        if report.events_checked % 10_000 == 0:
            progress(report.events_checked)
    since = 0
    for row in chains.checkpoints:
        broken = _checkpoint(chains, row, public_key, since)
        if broken is not None:
            return _failed(report, broken)
        since = row.state["to_position"]
        report.checkpoints_checked += 1
    signed = {(c.state["to_position"], c.state["merkle_root"]) for c in chains.checkpoints}
    for anchor in anchored or []:
        if (anchor["to_position"], anchor["merkle_root"]) not in signed:
            return _failed(report, Break(f"checkpoint up to position {anchor['to_position']}, kept outside the "
                                         "database, is missing from the log: the log was truncated or rewritten"))
    report.uncovered = sum(1 for p, _ in chains.hashes if p > since)
    progress(report.events_checked)
    return report


def _failed(report: Report, broken: Break) -> Report:
    report.ok = False
    report.first_break = broken
    return report


# -- exported bundles ------------------------------------------------------------------------

def bundle_rows(folder: Path) -> Iterator[StoredRow]:
    """The events of an exported bundle; an unreadable line stops with its number."""
    with (folder / "events.jsonl").open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                item = orjson.loads(line)
                yield StoredRow(item["position"], item["originator_id"], item["version"], item["topic"],
                                item["state"], line=number)
            except (orjson.JSONDecodeError, KeyError, TypeError):
                raise BundleError(f"events.jsonl line {number} is not an exported event") from None


class BundleError(ValueError):
    """A bundle file that cannot be read."""


def verify_bundle(folder: Path) -> Report:
    public_key = (folder / "public_key.txt").read_text().strip()
    anchors = folder / "checkpoints.jsonl"
    anchored = [orjson.loads(line) for line in anchors.read_bytes().splitlines() if line.strip()] \
        if anchors.exists() else []
    try:
        return verify(bundle_rows(folder), public_key, anchored)
    except BundleError as error:
        return Report(ok=False, first_break=Break(str(error)))


def main(argv: list[str]) -> int:
    """Offline verifier: `python -m registry.audit BUNDLE_DIR`; exit 0 when the bundle verifies."""
    if len(argv) != 1:
        print("usage: python -m registry.audit BUNDLE_DIR", file=sys.stderr)
        return 2
    report = verify_bundle(Path(argv[0]))
    print(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
