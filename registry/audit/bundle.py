"""The offline verifier: an exported bundle checked without the database, against a pinned key.

    python -m registry.audit BUNDLE_DIR [--public-key HEX | --key-id ID]

A bundle (`landreg audit export`) holds events.jsonl, seals.jsonl, keys.jsonl, anchor.jsonl and
public_key.txt (the registry's first key). Without a pin the bundle's own public_key.txt is
trusted; with one, a bundle whose first key is another key is refused.
"""
from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from registry.audit import anchor, signing
from registry.audit.audit_report import Break, Report, StoredRow
from registry.audit.verify import verify

__all__ = ["BundleError", "Report", "StoredRow", "bundle_rows", "main", "verify_bundle"]


class BundleError(ValueError):
    """A bundle file that cannot be read."""


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    if not path.exists():
        return
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError:
                raise BundleError(f"{path.name} line {number} is not JSON") from None


def bundle_rows(folder: Path) -> Iterator[StoredRow]:
    """The events of an exported bundle; an unreadable line stops with its number."""
    for number, item in _lines(folder / "events.jsonl"):
        try:
            yield StoredRow(item["position"], item["originator_id"], item["version"], item["topic"], item["state"],
                            line=number)
        except (KeyError, TypeError):
            raise BundleError(f"events.jsonl line {number} is not an exported event") from None


def trusted(folder: Path, public_key: str | None = None, key_id: str | None = None) -> str | Break:
    """The first key to trust: the pinned one, else the bundle's public_key.txt."""
    bundled = (folder / "public_key.txt").read_text().strip() if (folder / "public_key.txt").exists() else ""
    if public_key is not None:
        return public_key.strip().lower()
    if key_id is not None and (not bundled or signing.key_id(bundled) != key_id.strip().lower()):
        found = signing.key_id(bundled) if bundled else "missing"
        return Break(f"the bundle's first key is {found}, not the expected key {key_id}: refused")
    return bundled


def verify_bundle(folder: Path, public_key: str | None = None, key_id: str | None = None) -> Report:
    root = trusted(folder, public_key, key_id)
    if isinstance(root, Break):
        return Report().failed(root)
    kept = folder / ("anchor.jsonl" if (folder / "anchor.jsonl").exists() else "checkpoints.jsonl")
    try:
        keys = [item for _, item in _lines(folder / "keys.jsonl")]
        seals = (item for _, item in _lines(folder / "seals.jsonl"))
        return verify(bundle_rows(folder), seals, keys, root or None, anchor.read(kept))
    except BundleError as error:
        return Report().failed(Break(str(error)))


def main(argv: list[str]) -> int:
    """Exit 0 when the bundle verifies, 1 when it does not, 2 on a usage error."""
    parser = argparse.ArgumentParser(prog="python -m registry.audit", description="Verify an audit bundle offline.")
    parser.add_argument("bundle", type=Path, help="the folder `landreg audit export` wrote")
    pin = parser.add_mutually_exclusive_group()
    pin.add_argument("--public-key", help="the registry's first public key (64 hex digits), trusted instead of "
                                          "the bundle's own public_key.txt")
    pin.add_argument("--key-id", help="the first key's id (16 hex digits): the bundle's key must be that one")
    arguments = parser.parse_args(argv)
    report = verify_bundle(arguments.bundle, arguments.public_key, arguments.key_id)
    print(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode())
    return 0 if report.ok else 1

