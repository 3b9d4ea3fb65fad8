"""The auditor's use cases on the live store: make a checkpoint, verify the log, export a bundle."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import text

from registry import signing
from registry.audit import Report, StoredRow, verify
from registry.checkpoint import STREAM_ID, Checkpoints, merkle_root, signed_bytes
from registry.runner import CommandRunner, Result, use_case
from registry.store import EVENTS_TABLE, uuid_text
from registry.unit_of_work import UnitOfWork
from registry.values import Actor


def _state(stored: Any) -> dict[str, Any]:
    """The decoded state; a row edited by hand may hold text, or not JSON at all."""
    try:
        decoded = orjson.loads(stored.encode() if isinstance(stored, str) else bytes(stored))
    except orjson.JSONDecodeError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


class AuditCommands(CommandRunner):
    """Checkpoints, verification and export."""

    def log_rows(self, after: int = 0, until: int | None = None, batch: int = 10_000) -> Iterator[StoredRow]:
        """The stored log in order, streamed through one driver cursor (server-side on PostgreSQL)."""
        postgres = self.engine.dialect.name == "postgresql"
        originator = "originator_id::text" if postgres else "originator_id"
        bound = "" if until is None else f" AND id <= {int(until)}"
        sql = (f"SELECT id, {originator}, originator_version, topic, state FROM {EVENTS_TABLE} "
               f"WHERE id > {int(after)}{bound} ORDER BY id")
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor("landreg_log") if postgres else connection.cursor()
            cursor.execute(sql)
            while rows := cursor.fetchmany(batch):
                for row in rows:
                    yield StoredRow(row[0], uuid_text(row[1]), row[2], row[3], _state(row[4]))
            cursor.close()
        finally:
            connection.rollback()
            connection.close()

    def public_key(self) -> str:
        return signing.public_hex(signing.load_or_create(self.settings.audit_key_file))

    @use_case
    def make_checkpoint(self, *, actor: Actor, command_id: str | None = None) -> Result:
        """Sign a Merkle root over every event since the last checkpoint, in the log and the anchor file."""
        key = signing.load_or_create(self.settings.audit_key_file)

        def work(unit: UnitOfWork) -> Result:
            stream = self._checkpoints(unit)
            head = int(unit.session.execute(text(f"SELECT coalesce(max(id), 0) FROM {EVENTS_TABLE}")).scalar_one())
            hashes = [row.state["hash"] for row in self.log_rows(stream.to_position, head)]
            root = merkle_root(hashes)
            signature = key.sign(signed_bytes(stream.to_position, head, len(hashes), root)).hex()
            today = unit.today.isoformat()
            source = {"kind": "other", "number": f"checkpoint-{stream.count + 1}", "date": today, "sha256": root}
            stream.record(head, len(hashes), root, signing.public_hex(key), signature,
                          unit.provenance(source, today))
            unit.save(stream)
            return {"to_position": head, "count": len(hashes), "merkle_root": root}

        result = self.execute(actor, command_id, None, work)
        anchor = self.settings.audit_anchor_file
        anchor.parent.mkdir(parents=True, exist_ok=True)
        with anchor.open("ab") as lines:
            lines.write(orjson.dumps({"to_position": result["to_position"], "merkle_root": result["merkle_root"]})
                        + b"\n")
        return result

    def _checkpoints(self, unit: UnitOfWork) -> Checkpoints:
        try:
            return self.repository.get(STREAM_ID)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            today = date.today().isoformat()
            source = {"kind": "other", "number": "checkpoint-stream", "date": today, "sha256": "0" * 64}
            return Checkpoints.start(unit.provenance(source, today))

    def verify_log(self, progress: Callable[[int], None] = lambda _: None) -> Report:
        """Recompute every chain and checkpoint from the stored rows, against the registry's key."""
        return verify(self.log_rows(), self.public_key(), self.anchored(), progress)

    def anchored(self) -> list[dict[str, Any]]:
        anchor = self.settings.audit_anchor_file
        if not anchor.exists():
            return []
        return [orjson.loads(line) for line in anchor.read_bytes().splitlines() if line.strip()]

    def export_audit(self, folder: Path, progress: Callable[[int], None] = lambda _: None) -> int:
        """Write an auditor's bundle: events as JSON lines, the anchored checkpoints, the public key."""
        folder.mkdir(parents=True, exist_ok=True)
        count = 0
        with (folder / "events.jsonl").open("wb") as lines:
            for row in self.log_rows():
                lines.write(orjson.dumps({"position": row.position, "originator_id": row.originator_id,
                                          "version": row.version, "topic": row.topic, "state": row.state}) + b"\n")
                count += 1
                if count % 10_000 == 0:
                    progress(count)
        (folder / "checkpoints.jsonl").write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in self.anchored()))
        (folder / "public_key.txt").write_text(self.public_key() + "\n")
        return count
