"""`landreg import`: surveys from a GeoJSON FeatureCollection, or any commands from JSON lines.

Each line (or feature) is one command in its own transaction: it lands whole or not at all.
Its command id is derived from the file's content and the line number, so running the same file
again after a crash skips what already landed (invariant 12) and carries on.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from registry.application import Registry
from registry.errors import RegistryError
from registry.values import Actor

# Commands an import may carry: the registry's use cases (see registry/application.py).
COMMANDS = frozenset({
    "submit_survey", "correct_boundary", "subdivide", "separate", "merge", "register_title",
    "transfer_ownership", "correct_holder_data", "register_mortgage", "release_mortgage", "place_block",
    "lift_block", "expire_block", "extend_right", "renew_right", "expire_right", "cancel_right",
    "replace_certificate",
})


@dataclass
class ImportReport:
    """What happened to each line: counts, and every refusal with its reason."""

    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def commands(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, command) pairs; a line that cannot be read yields the reason instead."""
    raw = path.read_bytes()
    if raw.lstrip()[:1] == b"{" and b'"FeatureCollection"' in raw[:2_000]:
        yield from _features(raw)
        return
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield number, f"not JSON: {error}"
            continue
        yield number, item if isinstance(item, dict) else "each line must be a JSON object"


def _features(raw: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    collection = orjson.loads(raw)
    for number, feature in enumerate(collection.get("features", []), start=1):
        properties = feature.get("properties") or {}
        survey = {k: properties.get(k) for k in ("document_number", "document_sha256", "surveyed_on")}
        yield number, {"command": "submit_survey", "args": {
            "village_code": properties.get("village_code"), "geometry": feature.get("geometry"),
            "crs": properties.get("crs"), "survey": survey}}


def run(registry: Registry, path: Path, actor: Actor, advance: Callable[[], None] = lambda: None) -> ImportReport:
    """Send every command of the file; a refused one is reported and the import goes on."""
    prefix = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    report = ImportReport()
    for number, item in commands(path):
        reason = item if isinstance(item, str) else _send(registry, item, actor, f"import:{prefix}:{number}")
        if reason is None:
            report.accepted += 1
        else:
            report.rejected.append({"line": number, **reason} if isinstance(reason, dict) else
                                   {"line": number, "error": "unreadable", "reason": reason})
        advance()
    return report


def _send(registry: Registry, item: dict[str, Any], actor: Actor, command_id: str) -> dict[str, Any] | None:
    name, args = item.get("command"), item.get("args")
    if name not in COMMANDS or not isinstance(args, dict):
        return {"error": "invalid_input", "field": "command",
                "reason": f"must name one of {sorted(COMMANDS)} with an object of args"}
    try:
        getattr(registry, str(name))(**args, actor=actor, command_id=command_id)
    except RegistryError as error:
        return {"error": error.code, "reason": error.message, **error.details}
    except TypeError as error:  # args that are not the command's parameters
        return {"error": "invalid_input", "field": "args", "reason": str(error)}
    return None
