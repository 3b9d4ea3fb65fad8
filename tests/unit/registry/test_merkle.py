"""The RFC 9162 Merkle Tree Hash: the reference vectors, and the same root as the RFC's recursion."""
from __future__ import annotations

import doctest
import hashlib

from hypothesis import given
from hypothesis import strategies as st

from registry.audit import checkpoint, merkle


def rfc_mth(inputs: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1, word for word."""
    n = len(inputs)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + inputs[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + rfc_mth(inputs[:k]) + rfc_mth(inputs[k:])).digest()


def test_the_reference_vectors_in_the_docstrings_hold() -> None:
    for module in (merkle, checkpoint):
        assert doctest.testmod(module).failed == 0


@given(st.lists(st.binary(min_size=0, max_size=40), max_size=70))
def test_the_level_by_level_root_is_the_rfc_root(inputs: list[bytes]) -> None:
    assert merkle.tree_hash(inputs) == rfc_mth(inputs)


def test_every_tree_size_up_to_a_few_hundred_matches() -> None:
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(300)]
    for n in range(len(hashes) + 1):
        assert merkle.root(hashes[:n]) == rfc_mth([bytes.fromhex(h) for h in hashes[:n]]).hex()


def test_a_leaf_never_passes_for_a_node() -> None:
    """The second-preimage attack the prefixes prevent: two leaves and their parent as one leaf."""
    left, right = hashlib.sha256(b"a").digest(), hashlib.sha256(b"b").digest()
    assert merkle.tree_hash([left, right]) != merkle.tree_hash([merkle.node_hash(merkle.leaf_hash(left),
                                                                                 merkle.leaf_hash(right))])
