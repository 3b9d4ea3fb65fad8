"""Seals: just before a write transaction commits, a signed RFC 9162 root over the events after the
last seal (the transaction's own, and older ones never sealed), chained to the seal before.

Every write path (a command, a group-commit batch, the bulk stock path, a checkpoint) begins with
`store.begin_command`, which marks its session and takes the writers' lock: the events after the
last seal are then exactly what is not sealed yet, and no other writer can seal them meanwhile.
After the commit each seal is also appended to the anchor file. docs/audit.md says why.
"""
from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.orm import Session

from registry.audit import anchor, audit_store, merkle, signing
from registry.audit.audit_store import Head, Unsealed
from registry.audit.checkpoint import TOPICS as CHECKPOINT_TOPICS
from registry.audit.keys import KeyRing
from registry.domain.chain import GENESIS
from registry.persistence.settings import Settings
from registry.persistence.store import WRITE_TRANSACTION, uuid_text

SEAL_LEAVES = 10_000  # the most events one seal holds; a bigger transaction writes several
_ALWAYS = "landreg_seal_always"


def always(session: Session) -> None:
    """Seal this transaction even when LANDREG_AUDIT_SEAL_EVERY_COMMIT is off (checkpoints do)."""
    session.info[_ALWAYS] = True


class Sealer:
    """Seals the write transactions of one registry's sessions, with the key its settings name."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys = KeyRing(settings.audit_key_file)

    def install(self, datastore: Any) -> None:
        """Hook into every session the event store's datastore makes (the migrations made the tables)."""
        event.listen(datastore.session_maker, "before_commit", self._before_commit)
        event.listen(datastore.session_maker, "after_commit", self._after_commit)

    def _before_commit(self, session: Session) -> None:
        if session.in_nested_transaction() or not session.info.get(WRITE_TRANSACTION):
            return
        if self.settings.audit_seal_every_commit or session.info.get(_ALWAYS):
            self.seal(session)

    def _after_commit(self, session: Session) -> None:
        if not session.in_nested_transaction():
            anchor.append(self.settings.audit_anchor_file, anchor.committed(session))

    def seal(self, session: Session) -> None:
        """Seal every event after the last seal, SEAL_LEAVES at most to a seal. A store sealed for
        the first time starts where its last checkpoint ends (or at the start of the log)."""
        session.flush()
        head = audit_store.head(session)
        if head.to_position is None:
            checkpoint = audit_store.last_checkpoint(session)
            head = Head(0 if checkpoint is None else checkpoint["to_position"], GENESIS, head.key_id)
        events = audit_store.events_after(session, head.to_position or 0, SEAL_LEAVES)
        while events:
            head = self._seal(session, head, events)
            full = len(events) == SEAL_LEAVES
            events = audit_store.events_after(session, head.to_position or 0, SEAL_LEAVES) if full else []

    def _seal(self, session: Session, head: Head, events: list[Unsealed]) -> Head:
        key = self.keys.signing_key(session, head.key_id)
        signer, start, previous = signing.id_of(key), head.to_position or 0, head.root or GENESIS
        states = [orjson.loads(bytes(e.state)) for e in events]
        leaves = [[e.id, uuid_text(e.originator_id), e.originator_version, s["hash"]] for e, s in zip(events, states)]
        root = merkle.root([leaf[3] for leaf in leaves])
        to = leaves[-1][0]
        message = signing.seal_message(start, to, len(leaves), root, previous, signer)
        audit_store.insert_seal(session, {"from_position": start, "to_position": to, "count": len(leaves),
                                          "leaves": leaves, "root": root, "previous_root": previous,
                                          "key_id": signer, "signature": key.sign(message).hex()})
        for row, state in zip(events, states):
            if row.topic in CHECKPOINT_TOPICS:
                anchor.later(session, {"kind": "checkpoint", "to_position": state["to_position"],
                                       "merkle_root": state["merkle_root"]})
        anchor.later(session, {"kind": "seal", "from_position": start, "to_position": to, "count": len(leaves),
                               "root": root, "key_id": signer})
        return Head(to, root, signer)
