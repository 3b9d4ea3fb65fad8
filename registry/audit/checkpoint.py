"""Audit checkpoints: a signed Merkle root over a range of the global log, in a stream of its own."""
from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, Any

import orjson

from registry.audit import merkle
from registry.domain.chain import ChainedAggregate
from registry.domain.identifiers import NAMESPACE
from registry.domain.provenance import Provenance, RecordedEvent
from registry.persistence.topics import older_topics

STREAM_ID = uuid.uuid5(NAMESPACE, "audit:checkpoints")
# The checkpoint event as stored: its topic now and before registry/ was split in layers.
TOPICS = older_topics("registry.audit.checkpoint:Checkpoints.Recorded")
LEGACY_TREE = "binary"  # checkpoints recorded before `tree` existed: no leaf or node prefixes


def tree_root(tree: str, hashes: list[str]) -> str:
    """The root a checkpoint of this tree kind signs: RFC 9162 (`merkle.TREE`), or the legacy tree."""
    return merkle.root(hashes) if tree == merkle.TREE else legacy_root(hashes)


def legacy_root(hashes: list[str]) -> str:
    """Root of the binary tree of the first checkpoints: pairs hashed with no prefix, an odd node
    carried up, the event hashes themselves as leaves. Only read now, never written.

    >>> legacy_root([]) == hashlib.sha256(b"").hexdigest()
    True
    """
    level = [bytes.fromhex(h) for h in hashes]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        paired = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0].hex()


def signed_bytes(from_position: int, to_position: int, count: int, root: str, **named: Any) -> bytes:
    """What the signature covers: the range, how many events it holds, and their Merkle root; a
    checkpoint since seals also signs its tree kind and key id (`named`), a legacy one does not."""
    return orjson.dumps({"from": from_position, "to": to_position, "count": count, "root": root, **named},
                        option=orjson.OPT_SORT_KEYS)


class Checkpoints(ChainedAggregate):
    """The stream of checkpoints (one aggregate); each covers the log after the one before."""

    class Event(RecordedEvent):
        pass

    class Started(Event, ChainedAggregate.Created):
        """The checkpoint stream begins."""

        def apply(self, stream: Checkpoints) -> None:
            stream.to_position = 0
            stream.count = 0

    class Recorded(Event):
        """Events (from_position, to_position] hold `count` events whose Merkle root is `merkle_root`."""

        from_position: int
        to_position: int
        count: int
        merkle_root: str
        public_key: str
        key_id: str  # not in checkpoints recorded before key rotation existed
        tree: str  # merkle.TREE; absent: LEGACY_TREE
        signature: str

        def apply(self, stream: Checkpoints) -> None:
            stream.to_position = self.to_position
            stream.count += 1

    if TYPE_CHECKING:
        to_position: int
        count: int

    @classmethod
    def start(cls, provenance: Provenance) -> Checkpoints:
        return cls._create(cls.Started, id=STREAM_ID, **provenance.fields())

    def record(self, to_position: int, count: int, root: str, public_key: str, key_id: str, signature: str,
               provenance: Provenance) -> None:
        self.trigger_event(self.Recorded, from_position=self.to_position, to_position=to_position, count=count,
                           merkle_root=root, public_key=public_key, key_id=key_id, tree=merkle.TREE,
                           signature=signature, **provenance.fields())
