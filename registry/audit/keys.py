"""Which key signs: the one the store names as current, read from the key file; a first key made
only for a store nothing was ever signed in; a hand-over to a new key (`landreg audit rotate-key`).

A missing or different key file is an error naming where the key was expected, never a new key:
a key made silently would sign what no auditor can tie to the registry's earlier signatures.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from registry.audit import anchor, audit_store, signing


class SigningKeyMissing(RuntimeError):
    """The store is signed, but the key that signs it is not in the key file."""


def next_path(path: Path) -> Path:
    """Where a rotation writes the new key until the hand-over has committed."""
    return path.with_name(f"{path.name}.next")


def retired_path(path: Path, key_id: str) -> Path:
    """Where a rotation leaves a copy of the key it retires (for the operator to move offline)."""
    return path.with_name(f"{path.stem}.{key_id}.retired{path.suffix}")


def finish_rotation(path: Path, current: str) -> None:
    """Put the new key in place if a hand-over to `current` committed but its key file was not moved
    yet (a crash, or another process that rotated a moment ago). Safe to run twice or at once."""
    waiting = next_path(path)
    candidate = signing.load(waiting) if waiting.exists() else None
    if candidate is not None and signing.id_of(candidate) == current:
        try:
            os.replace(waiting, path)
        except FileNotFoundError:  # another process moved it in first
            pass


class KeyRing:
    """The private key that signs this store, loaded once and again when the store's current key changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: Ed25519PrivateKey | None = None
        self._id: str | None = None

    def signing_key(self, session: Session, current: str | None) -> Ed25519PrivateKey:
        """The key to sign with now; `current` is the store's current key id (None: no key yet)."""
        if current is None:
            return self._first(session)
        if self._key is None or self._id != current:
            self._key, self._id = self._load(current), current
        return self._key

    def _load(self, current: str) -> Ed25519PrivateKey:
        finish_rotation(self.path, current)
        key = signing.load(self.path)
        if key is None:
            raise SigningKeyMissing(f"no audit signing key at {self.path} (LANDREG_AUDIT_KEY_FILE), but the store is "
                                    f"signed by key {current}: restore that key file from backup")
        if signing.id_of(key) != current:
            raise SigningKeyMissing(f"the audit signing key at {self.path} is key {signing.id_of(key)}, but the store "
                                    f"is signed by key {current}: restore key {current} from backup")
        return key

    def _first(self, session: Session) -> Ed25519PrivateKey:
        """Register the first key: the key file's, or a new one if nothing was ever signed here."""
        if audit_store.has_seals(session):
            raise SigningKeyMissing(f"the store holds seals but no signing-key records ({audit_store.KEYS_TABLE}): "
                                    "they were deleted; restore the database from backup")
        key, checkpoint = signing.load(self.path), audit_store.last_checkpoint(session)
        if key is None:
            if checkpoint is not None:
                raise SigningKeyMissing(f"no audit signing key at {self.path} (LANDREG_AUDIT_KEY_FILE), but the store "
                                        "holds signed checkpoints: restore the key file from backup")
            key = Ed25519PrivateKey.generate()
            signing.write(self.path, key)
        if checkpoint is not None and checkpoint["public_key"] != signing.public_hex(key):
            raise SigningKeyMissing(f"the audit signing key at {self.path} did not sign the store's checkpoints (key "
                                    f"{signing.key_id(checkpoint['public_key'])} did): restore that key from backup")
        self._register(session, {"key_id": signing.id_of(key), "public_key": signing.public_hex(key), "since": 0,
                                 "previous_key_id": None, "signature": None})
        self._key, self._id = key, signing.id_of(key)
        return key

    def rotate(self, session: Session, since: int) -> dict[str, Any]:
        """Hand over to a new key for what ends after `since`; signed by the current key. The new
        key waits in `next_path` until the caller has committed and calls `finish`."""
        old = self.signing_key(session, audit_store.current_key_id(session))
        new = Ed25519PrivateKey.generate()
        new_key, old_id = signing.public_hex(new), signing.id_of(old)
        signing.write(retired_path(self.path, old_id), old)
        signing.write(next_path(self.path), new)
        signature = old.sign(signing.handover_message(new_key, since, old_id)).hex()
        record = {"key_id": signing.key_id(new_key), "public_key": new_key, "since": since,
                  "previous_key_id": old_id, "signature": signature}
        self._register(session, record)
        return record

    def finish(self, key_id: str) -> None:
        finish_rotation(self.path, key_id)
        self._key = self._id = None

    @staticmethod
    def _register(session: Session, record: dict[str, Any]) -> None:
        audit_store.insert_key(session, record)
        anchor.later(session, {"kind": "key", **record})
