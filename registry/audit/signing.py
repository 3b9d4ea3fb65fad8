"""The registry's Ed25519 signing keys, kept in files outside the database, and what they sign."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.audit.merkle import TREE


def load(path: Path) -> Ed25519PrivateKey | None:
    """The key in `path` (PEM, PKCS#8), or None when there is no such file."""
    if not path.exists():
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key")  # noqa: TRY004 (the file is wrong, not the caller)
    return key


def write(path: Path, key: Ed25519PrivateKey) -> None:
    """Write `key` to `path` with mode 600, whole or not at all (a new file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def key_id(public_key_hex: str) -> str:
    """How seals, checkpoints and hand-overs name a key: 16 hex digits of sha256 of the raw public key.

    >>> key_id("00" * 32)
    '66687aadf862bd77'
    """
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def id_of(key: Ed25519PrivateKey) -> str:
    return key_id(public_hex(key))


def verify(public_key_hex: str, signature_hex: str, message: bytes) -> bool:
    """True when `signature_hex` is the key's signature of `message`."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _canonical(fields: dict[str, Any]) -> bytes:
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)


def seal_message(from_position: int, to_position: int, count: int, root: str, previous_root: str,
                 signer: str) -> bytes:
    """What a seal's signature covers: its range, its size, its root and the root it follows."""
    return _canonical({"kind": "seal", "tree": TREE, "from": from_position, "to": to_position, "count": count,
                       "root": root, "previous_root": previous_root, "key_id": signer})


def handover_message(new_key: str, since: int, previous_key_id: str) -> bytes:
    """What the old key signs when it hands over: the new public key, and from which position on."""
    return _canonical({"kind": "key", "public_key": new_key, "key_id": key_id(new_key), "since": since,
                       "previous_key_id": previous_key_id})
