"""The auditor's use cases on the live store: seal every write, checkpoint, rotate the key, verify, export."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from eventsourcing.application import AggregateNotFoundError

from registry.application.runner import CommandRunner, Result, use_case
from registry.application.unit_of_work import UnitOfWork
from registry.audit import anchor, audit_store, merkle, seal, signing
from registry.audit.audit_report import Report, StoredRow
from registry.audit.checkpoint import STREAM_ID, Checkpoints, signed_bytes
from registry.audit.keys import retired_path
from registry.audit.verify import Link, Resume, verify
from registry.domain.values import Actor
from registry.persistence.store import EVENTS_TABLE, begin_command, uuid_text


def _state(stored: Any) -> dict[str, Any]:
    """The decoded state; a row edited by hand may hold text, or not JSON at all."""
    try:
        decoded = orjson.loads(stored.encode() if isinstance(stored, str) else bytes(stored))
    except orjson.JSONDecodeError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


class _Snapshot:
    """One read-only transaction: the events, seals and keys as of one instant."""

    def __init__(self, connection: Any, postgres: bool) -> None:
        self.connection, self.postgres = connection, postgres

    def events(self, after: int = 0, until: int | None = None) -> Iterator[StoredRow]:
        originator = "originator_id::text" if self.postgres else "originator_id"
        bound = "" if until is None else f" AND id <= {int(until)}"
        sql = (f"SELECT id, {originator}, originator_version, topic, state FROM {EVENTS_TABLE} "
               f"WHERE id > {int(after)}{bound} ORDER BY id")
        if self.postgres:  # bytea as escaped text, not hex: about half the bytes for JSON, any bytes still read
            self._execute("SET LOCAL bytea_output = 'escape'")
        for row in audit_store.stream(self.connection, sql, "landreg_log", self.postgres, 10_000):
            yield StoredRow(row[0], uuid_text(row[1]), row[2], row[3], _state(row[4]))

    def _execute(self, sql: str) -> None:
        cursor = self.connection.cursor()
        cursor.execute(sql)
        cursor.close()

    def seals(self, after: int = 0) -> Iterator[dict[str, Any]]:
        return audit_store.seal_records(self.connection, self.postgres, after=after)

    def resume(self) -> Resume | None:
        """Where an incremental verify starts: the checkpoint the last sound verify ended on, if the
        seals line up with it (else None: verify in full)."""
        found = audit_store.last_verified(self.connection)
        if found is None:
            return None
        seal, any_seal = audit_store.seal_before(self.connection, found[0])
        if any_seal and (seal is None or seal["to_position"] != found[0]):
            return None
        return Resume(found[0], found[1], seal, lambda originator: self._link_before(originator, found[0]))

    def _link_before(self, originator_id: str, position: int) -> Link | None:
        """An aggregate's newest event at or before `position`, as a verify's chain link."""
        key: Any = originator_id if self.postgres else uuid.UUID(originator_id).bytes
        cursor = self.connection.cursor()
        marker = "%s" if self.postgres else "?"
        cursor.execute(f"SELECT originator_version, state FROM {EVENTS_TABLE} WHERE originator_id = {marker} "
                       f"AND id <= {int(position)} ORDER BY originator_version DESC LIMIT 1", (key,))
        row = cursor.fetchone()
        cursor.close()
        if row is None:
            return None
        state = _state(row[1])
        return (int(row[0]), str(state.get("hash")), state.get("certificate_number") or state.get("nib"),
                state.get("nib"))

    def keys(self) -> list[dict[str, Any]]:
        return audit_store.key_records(self.connection)


class AuditCommands(CommandRunner):
    """Seals (installed on the event store's sessions), checkpoints, key rotation, verification, export."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sealer = seal.Sealer(self.settings)
        self.sealer.install(self.factory.datastore)  # type: ignore[attr-defined]

    @contextmanager
    def snapshot(self) -> Iterator[_Snapshot]:
        """A read-only snapshot on one DBAPI connection (REPEATABLE READ on PostgreSQL, one read
        transaction on SQLite), so the seals read match the events read."""
        postgres = self.engine.dialect.name == "postgresql"
        connection = self.engine.raw_connection()
        try:
            connection.rollback()  # a pool's ping may have begun a transaction: the snapshot must begin it
            cursor = connection.cursor()
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY" if postgres else "BEGIN")
            cursor.close()
            yield _Snapshot(connection, postgres)
        finally:
            connection.rollback()
            connection.close()

    def log_rows(self, after: int = 0, until: int | None = None) -> Iterator[StoredRow]:
        """The stored log in order, streamed through one driver cursor (server-side on PostgreSQL)."""
        with self.snapshot() as snapshot:
            yield from snapshot.events(after, until)

    def anchored(self) -> list[dict[str, Any]]:
        return anchor.read(self.settings.audit_anchor_file)

    def trusted_key(self, anchored: list[dict[str, Any]]) -> str | None:
        """The first key: as the anchor file recorded it, else the key file's (a store never rotated)."""
        first = next((line["public_key"] for line in anchored if line["kind"] == "key"), None)
        key = signing.load(self.settings.audit_key_file) if first is None else None
        return first or (None if key is None else signing.public_hex(key))

    @use_case
    def make_checkpoint(self, *, actor: Actor, command_id: str | None = None,
                        unless_within: timedelta | None = None) -> Result:
        """Sign an RFC 9162 root over every event since the last checkpoint; in the log and the anchor file.
        With `unless_within`, nothing is signed if the last checkpoint is younger than that (the
        service's workers each run the periodic checkpoint; the first of them signs it)."""

        def work(unit: UnitOfWork) -> Result:
            stream = self._checkpoints(unit)
            if unless_within is not None and stream.count and stream.modified_on > datetime.now(UTC) - unless_within:
                return {"to_position": stream.to_position, "count": 0, "skipped": True}  # nothing written
            seal.always(unit.session)
            key = self.sealer.keys.signing_key(unit.session, audit_store.current_key_id(unit.session))
            head = audit_store.head_position(unit.session)
            hashes = [row.state["hash"] for row in self.log_rows(stream.to_position, head)]
            root, signer = merkle.root(hashes), signing.id_of(key)
            message = signed_bytes(stream.to_position, head, len(hashes), root, tree=merkle.TREE, key_id=signer)
            today = unit.today.isoformat()
            source = {"kind": "other", "number": f"checkpoint-{stream.count + 1}", "date": today, "sha256": root}
            stream.record(head, len(hashes), root, signing.public_hex(key), signer, key.sign(message).hex(),
                          unit.provenance(source, today))
            unit.save(stream)
            return {"to_position": head, "count": len(hashes), "merkle_root": root, "key_id": signer}

        return self.execute(actor, command_id, None, work)

    def _checkpoints(self, unit: UnitOfWork) -> Checkpoints:
        try:
            return self.repository.get(STREAM_ID)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            today = date.today().isoformat()
            source = {"kind": "other", "number": "checkpoint-stream", "date": today, "sha256": "0" * 64}
            return Checkpoints.start(unit.provenance(source, today))

    def rotate_key(self) -> Result:
        """Make a new signing key for everything after the log's head; the old key signs the
        hand-over, kept in the store and the anchor file. The old key file is left beside the new one."""
        with self.recorder.transaction() as session:  # type: ignore[attr-defined]
            begin_command(session, self.settings)
            self.sealer.seal(session)  # what is not sealed yet is sealed by the old key
            record = self.sealer.keys.rotate(session, audit_store.head_position(session))
        self.sealer.keys.finish(record["key_id"])
        retired = retired_path(self.settings.audit_key_file, record["previous_key_id"])
        return {**record, "retired_key_file": str(retired)}

    def verify_log(self, progress: Callable[[int], None] = lambda _: None, full: bool = True) -> Report:
        """Recompute every chain, seal and checkpoint from the stored rows, against the trusted first key.
        Not `full`: only what came after the checkpoint the last sound verify ended on (docs/audit.md)."""
        anchored = self.anchored()  # before the snapshot: whatever it names is committed, so in it
        with self.snapshot() as snapshot:
            resume = None if full else snapshot.resume()
            since = 0 if resume is None else resume.since
            report = verify(snapshot.events(after=since), snapshot.seals(after=since), snapshot.keys(),
                            self.trusted_key(anchored), anchored, progress, resume)
        if report.ok and report.checkpoint is not None:
            with self.recorder.transaction() as session:  # type: ignore[attr-defined]
                audit_store.record_verified(session, report.full, report.from_position, report.checkpoint,
                                            report.events_checked)
        return report

    def export_audit(self, folder: Path, progress: Callable[[int], None] = lambda _: None) -> int:
        """Write an auditor's bundle: events, seals and keys as JSON lines, the anchor file, the first key."""
        folder.mkdir(parents=True, exist_ok=True)
        anchored = self.anchored()
        with self.snapshot() as snapshot:
            count = _write_lines(folder / "events.jsonl", (row._asdict() for row in snapshot.events()), progress)
            _write_lines(folder / "seals.jsonl", snapshot.seals())
            keys = snapshot.keys()
        _write_lines(folder / "keys.jsonl", iter(keys))
        _write_lines(folder / "anchor.jsonl", iter(anchored))
        first = keys[0]["public_key"] if keys else self.trusted_key(anchored)
        (folder / "public_key.txt").write_text(f"{first or ''}\n")
        return count


def _write_lines(path: Path, items: Iterator[dict[str, Any]], progress: Callable[[int], None] = lambda _: None) -> int:
    count = 0
    with path.open("wb") as lines:
        for item in items:
            lines.write(orjson.dumps({k: v for k, v in item.items() if k != "line"}) + b"\n")
            count += 1
            if count % 10_000 == 0:
                progress(count)
    return count
