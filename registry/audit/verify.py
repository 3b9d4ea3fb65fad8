"""Verifying the log from its stored rows alone: every aggregate's hash chain, every seal and checkpoint
against the trusted keys, and what the anchor file kept outside the database (docs/audit.md)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from registry.audit import signing
from registry.audit.audit_report import Break, Report, StoredRow
from registry.audit.checkpoint import LEGACY_TREE, TOPICS, signed_bytes, tree_root
from registry.audit.verify_seals import KeyChain, Seals
from registry.domain.chain import GENESIS, stored_digest

Link = tuple[int, str, str | None, str | None]  # an aggregate's last version, last hash, its name and NIB


@dataclass(frozen=True)
class Resume:
    """Where an incremental verify starts: a checkpoint an earlier verify found sound (the events up
    to `since` are trusted as verified then), the seal ending there, and each aggregate's link
    before `since` (looked up when an aggregate's first event after `since` needs it)."""

    since: int
    root: str
    seal: dict[str, Any] | None
    link_before: Callable[[str], Link | None]


@dataclass
class _Chains:
    """Per aggregate: last version, last hash, its name and NIB."""

    last: dict[str, Link] = field(default_factory=dict)
    before: Callable[[str], Link | None] = lambda _: None  # an incremental verify's look-up

    def get(self, originator_id: str, version: int) -> Link | None:
        known = self.last.get(originator_id)
        if known is None and version > 1:
            known = self.before(originator_id)
        return known

    def names(self, originator_id: str) -> tuple[str | None, str | None]:
        known = self.last.get(originator_id)
        return (None, None) if known is None else (known[2], known[3])


def _link(chains: _Chains, row: StoredRow) -> Break | None:
    """Check one event against the one before it in its aggregate; the hot loop of a verify."""
    known = chains.get(row.originator_id, row.version)
    version, previous, name, nib = known or (0, GENESIS, row.state.get("certificate_number") or
                                             row.state.get("nib"), row.state.get("nib"))
    stored = row.state.get("hash")
    if row.version != version + 1:
        return _where(f"version {row.version} follows version {version}: an event was deleted, inserted or "
                      "moved", row, name, nib)
    if stored != stored_digest(previous, row.topic, row.originator_id, row.version, row.state):
        return _where("the stored hash does not match the event's contents: the event was altered", row, name, nib)
    chains.last[row.originator_id] = (row.version, stored, name, nib)
    return None


def _where(reason: str, row: StoredRow, name: str | None, nib: str | None) -> Break:
    return Break(reason, aggregate=name, nib=nib, originator_id=row.originator_id, version=row.version,
                 position=row.position, line=row.line)


class _Checkpoints:
    """The periodic checkpoints, each checked when it streams past (the range it signs is behind it)."""

    def __init__(self, keys: KeyChain, since: int = 0, root: str | None = None) -> None:
        self.keys = keys
        self.since = since  # checkpoints cover the log up to here
        self.root = root  # the root of the checkpoint ending at `since`, when one was found sound
        self.hashes: list[tuple[int, str]] = []  # events after `since`: what the next checkpoint signs
        self.unsealed: list[StoredRow] = []  # events before the first seal and after `since`
        self.signed: set[tuple[int, str]] = set()
        self.checked = 0

    def add(self, row: StoredRow, sealed: bool) -> Break | None:
        self.hashes.append((row.position, row.state["hash"]))
        if not sealed:
            self.unsealed.append(row)
        return self._check(row) if row.topic in TOPICS else None

    def _check(self, row: StoredRow) -> Break | None:
        data = row.state
        where: dict[str, Any] = {"position": row.position, "line": row.line, "aggregate": "checkpoints"}
        if data["to_position"] == self.since and self.root is not None:  # where an incremental verify resumed
            if data["merkle_root"] != self.root:
                return Break("the checkpoint an earlier verify found sound was rewritten since", **where)
            self.signed.add((self.since, self.root))
            return None
        if data["from_position"] != self.since:
            return Break(f"checkpoint starts at {data['from_position']}, the one before ended at {self.since}", **where)
        covered = [h for p, h in self.hashes if p <= data["to_position"]]
        self.hashes = [(p, h) for p, h in self.hashes if p > data["to_position"]]
        tree = data.get("tree", LEGACY_TREE)
        if len(covered) != data["count"] or tree_root(tree, covered) != data["merkle_root"]:
            return Break(f"events {data['from_position'] + 1}..{data['to_position']} differ from what the checkpoint "
                         f"signed ({len(covered)} events now, {data['count']} then), and no seal covers them: "
                         "deleted, inserted or reordered", **where)
        named = {"tree": tree, "key_id": data.get("key_id")} if "tree" in data else {}
        message = signed_bytes(data["from_position"], data["to_position"], data["count"], data["merkle_root"], **named)
        key = self.keys.in_force(data["to_position"])
        if data["public_key"] != key or not signing.verify(data["public_key"], data["signature"], message):
            return Break("the checkpoint is not signed by the trusted key in force there", **where)
        self.since, self.root = data["to_position"], data["merkle_root"]
        self.unsealed = [r for r in self.unsealed if r.position > self.since]
        self.signed.add((self.since, data["merkle_root"]))
        self.checked += 1
        return None

    def finish(self, names: Callable[[str], tuple[str | None, str | None]],
               anchored: list[dict[str, Any]]) -> Break | None:
        """Every anchored checkpoint is in the log, and every event before the first seal is covered."""
        for line in anchored:
            if (line["to_position"], line["merkle_root"]) not in self.signed:
                return Break(f"checkpoint up to position {line['to_position']}, kept outside the database, is "
                             "missing from the log: the log was truncated or rewritten")
        if self.unsealed:
            row = self.unsealed[0]
            name, nib = names(row.originator_id)
            return Break(f"event at position {row.position} is in no seal and no checkpoint covers it: nothing signs "
                         "it (a store written before seals: `landreg audit checkpoint` signs it)", aggregate=name,
                         nib=nib, originator_id=row.originator_id, version=row.version, position=row.position,
                         line=row.line)
        return None


def verify(rows: Iterable[StoredRow], seals: Iterable[dict[str, Any]] = (), keys: Iterable[dict[str, Any]] = (),
           trusted_key: str | None = None, anchored: list[dict[str, Any]] | None = None,
           progress: Callable[[int], None] = lambda _: None, resume: Resume | None = None) -> Report:
    """Check every chain, seal and checkpoint: keys handed over from `trusted_key`, the first key;
    `anchored` are the anchor file's lines (read before the rows, so all of them are in the rows).
    `resume`: an incremental verify, given the rows and seals after `resume.since` only."""
    since = 0 if resume is None else resume.since
    report = Report(full=resume is None, from_position=since)
    chains = _Chains() if resume is None else _Chains(before=resume.link_before)
    lines = [line for line in anchored or [] if line["kind"] == "key" or line["to_position"] >= since]
    chain = KeyChain.build(list(keys), trusted_key, [line for line in lines if line["kind"] == "key"])
    if isinstance(chain, Break):
        return report.failed(chain)
    report.keys_checked = len(chain.keys)
    kept = {line["to_position"]: line for line in lines if line["kind"] == "seal" and line["to_position"] > since}
    sealed = Seals(seals, chain, kept, chains.names, None if resume is None else resume.seal)
    checkpoints = _Checkpoints(chain, since, None if resume is None else resume.root)
    for row in rows:
        broken = sealed.deleted_before(row) or _link(chains, row) or sealed.check(row) \
            or checkpoints.add(row, not sealed.legacy(row.position))
        if broken is not None:
            return report.failed(broken)
        report.events_checked += 1
        if report.events_checked % 10_000 == 0:
            progress(report.events_checked)
    broken = sealed.finish() or _kept(kept) or checkpoints.finish(
        chains.names, [line for line in lines if line["kind"] == "checkpoint"])
    report.seals_checked, report.checkpoints_checked = sealed.checked, checkpoints.checked
    report.unanchored_seals = sealed.unanchored
    report.checkpoint = None if checkpoints.root is None else (checkpoints.since, checkpoints.root)
    progress(report.events_checked)
    return report if broken is None else report.failed(broken)


def _kept(kept: dict[int, dict[str, Any]]) -> Break | None:
    """Seals the anchor file holds that the store does not (those found were taken out of `kept`)."""
    if not kept:
        return None
    line = kept[min(kept)]
    first, last = line["from_position"] + 1, line["to_position"]
    which = f"event at position {last}" if first == last else f"events at positions {first}..{last}"
    return Break(f"the seal of {which} ({line['count']} events), kept in the anchor file, is missing from the store: "
                 "the seal and its events were deleted", position=last if first == last else None,
                 seal=f"{first}..{last}")
