"""The anchor file: every key, seal and checkpoint also written outside the database, one JSON a line.

A line is appended only after the transaction that made it has committed, so the file never
names what the store does not hold; a crash in between leaves the file a line or so behind.
Lines of a transaction wait in its session until then (`later`); a session that rolls back is
thrown away with them.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.orm import Session

_WAITING = "landreg_anchor_lines"


def append(path: Path, lines: list[dict[str, Any]]) -> None:
    """Append `lines` in one write to a file opened for appending (whole lines, even from
    several processes at once)."""
    if not lines:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, b"".join(orjson.dumps(line) + b"\n" for line in lines))
    finally:
        os.close(descriptor)


def read(path: Path) -> list[dict[str, Any]]:
    """Every line of the file; none when there is no file. A line without `kind` is a checkpoint
    (the anchor file before seals existed)."""
    if not path.exists():
        return []
    lines = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    return [line if "kind" in line else {"kind": "checkpoint", **line} for line in lines]


def later(session: Session, line: dict[str, Any]) -> None:
    """Keep `line` until the session's transaction commits (then `committed` hands it out)."""
    session.info.setdefault(_WAITING, []).append(line)


def committed(session: Session) -> list[dict[str, Any]]:
    """The lines the committed transaction left waiting; forgets them."""
    return session.info.pop(_WAITING, [])  # type: ignore[no-any-return]
