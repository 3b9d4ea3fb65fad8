"""The Merkle Tree Hash of RFC 9162 (Certificate Transparency 2.0), section 2.1.1, over event hashes.

RFC 9162 defines, for an ordered list of n inputs D[n] = {d(0), ..., d(n-1)}:

    MTH({})   = SHA-256()                                  (the hash of the empty string)
    MTH({d})  = SHA-256(0x00 || d)                         (a leaf)
    MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) for n > 1, where k is the largest
                power of two smaller than n                (a node)

The 0x00 / 0x01 prefixes keep a leaf from ever passing for a node (the second-preimage attack on
plain binary trees). Here every input is the 32 bytes of one event's chain hash, in log order.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

TREE = "rfc9162"  # how seals and new checkpoints name the tree their root is of
LEAF_PREFIX, NODE_PREFIX = b"\x00", b"\x01"
EMPTY = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d).

    >>> leaf_hash(b"").hex()
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'
    """
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def tree_hash(inputs: Sequence[bytes]) -> bytes:
    """MTH(D[n]), computed level by level without recursion.

    Pairing neighbours from the left and carrying an odd last node up unchanged builds exactly
    the RFC's tree: at every level the nodes left of the carried one are complete subtrees of
    a power-of-two size, which is where the RFC splits. (tests/unit/registry/test_merkle.py
    checks this against a literal transcription of the recursive definition.)

    The reference inputs and roots of Certificate Transparency's own Merkle tree tests:

    >>> data = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243",
    ...                                    "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
    >>> tree_hash([]).hex()
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    >>> tree_hash(data[:2]).hex()
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'
    >>> tree_hash(data[:3]).hex()
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77'
    >>> tree_hash(data[:7]).hex()
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c'
    >>> tree_hash(data).hex()
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'
    """
    level = [leaf_hash(d) for d in inputs]
    if not level:
        return EMPTY
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = paired + level[-1:] if len(level) % 2 else paired
    return level[0]


def root(hashes: Sequence[str]) -> str:
    """The tree hash, in hex, over event hashes given in hex (each leaf is one hash's 32 bytes).

    >>> root([]) == EMPTY.hex()
    True
    >>> root(["00" * 32]) == leaf_hash(bytes(32)).hex()
    True
    """
    return tree_hash([bytes.fromhex(h) for h in hashes]).hex()
