"""The base of the registry application: construction, the command runner, and reads."""
from __future__ import annotations

import functools
import hashlib
import inspect
import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol, TypeVar

import sqlalchemy.exc
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, OperationalError
from eventsourcing.utils import Environment
from sqlalchemy.orm import Session

from registry.application.group_commit import GroupCommit
from registry.application.guard import SpatialGuard
from registry.application.registration import parcel_footprint
from registry.application.unit_of_work import UnitOfWork, resource_version
from registry.application.writer_cache import WriterCache
from registry.domain.announcement import Announcement, announcement_key
from registry.domain.complaint import Complaint, complaint_key
from registry.domain.errors import (
    CommandIdReused,
    NotFound,
    StoreBusy,
    VersionConflict,
)
from registry.domain.identifiers import parcel_id, title_id
from registry.domain.parcel import Parcel
from registry.domain.title import Title
from registry.domain.values import Actor
from registry.persistence import schema
from registry.persistence.serials import Serials
from registry.persistence.settings import Settings
from registry.persistence.store import (
    APPLICATION_NAME,
    Appended,
    RegistryFactory,
    begin_command,
    clash,
    find_command,
    footprint_index,
    library_env,
    record_command,
)
from spatial.crs import Footprint

# The legal day is the registry's time zone (LANDREG_TIME_ZONE). The default is Indonesia's latest,
# WIT (UTC+9): a date that has begun in Papua is not "future" anywhere in the country.
ZONES = {"WIB": timezone(timedelta(hours=7)), "WITA": timezone(timedelta(hours=8)),
         "WIT": timezone(timedelta(hours=9))}
WIT = ZONES["WIT"]
Result = dict[str, Any]


def registry_today(zone: str = "WIT") -> date:
    """Today's legal date in the registry's time zone."""
    return datetime.now(ZONES[zone]).date()


class AfterSave(Protocol):
    """What runs in a write transaction after its events are saved; `appended` are those
    events as stored, when the writer has them at hand (else the callee reads the log)."""

    def __call__(self, session: Session, appended: Sequence[Appended] = ()) -> None: ...


class CommandRunner(Application[uuid.UUID]):
    """Everything a use case needs: settings, the clock, the guard, reads, and `execute`."""

    name = APPLICATION_NAME  # the prefix of the library's tables: landreg_events, landreg_snapshots

    def __init__(
        self, settings: Settings | None = None, clock: Callable[[], date] | None = None,
        after_save: AfterSave | None = None,
    ) -> None:
        """`after_save` runs in each command's transaction once its events are saved: the
        composition root passes the inline read-model update here (registry knows no read models)."""
        self.settings = settings or Settings()
        zone = self.settings.time_zone
        self.clock = clock or (lambda: registry_today(zone))
        self.after_save = after_save
        self.committer: GroupCommit | None = None
        interval = self.settings.snapshot_interval
        self.snapshotting_intervals = {Parcel: interval, Title: interval, Announcement: interval}  # type: ignore[misc]
        prepare_sqlite_folder(self.settings.database_url)
        super().__init__(env=library_env(self.settings))
        engine = self.factory.datastore.engine  # type: ignore[attr-defined]
        self.footprints = footprint_index(engine.dialect.name)
        schema.ensure(engine)  # a new store is made; an outdated one is refused (`landreg migrate`)
        self.guard = SpatialGuard(self.footprints, self.settings)
        self.serials = Serials(self.settings.right_type_digits)
        self.writer_cache = WriterCache(self.events, self.repository.get, self.settings.aggregate_cache_size)
        if self.settings.group_commit:
            self.committer = GroupCommit(self.batch, self.settings.group_commit_max)

    def close(self) -> None:
        if self.committer is not None:
            self.committer.close()
            self.committer = None
        super().close()

    def construct_factory(self, env: Environment) -> InfrastructureFactory:  # type: ignore[type-arg]
        return RegistryFactory(env)  # type: ignore[return-value]

    @property
    def engine(self) -> sqlalchemy.Engine:
        return self.factory.datastore.engine  # type: ignore[attr-defined, no-any-return]

    # -- reads -----------------------------------------------------------------------------

    def get_parcel(self, nib: str, version: int | None = None) -> Parcel:
        """The parcel now, or after its event number `version`."""
        return self._read(parcel_id(nib), version, f"parcel with NIB {nib}")  # type: ignore[no-any-return]

    def get_title(self, certificate_number: str, version: int | None = None) -> Title:
        return self._read(title_id(certificate_number), version, f"title {certificate_number}")  # type: ignore[no-any-return]

    def get_complaint(self, number: str) -> Complaint:
        return self._read(complaint_key(number), None, f"complaint {number}")  # type: ignore[no-any-return]

    def get_announcement(self, nib: str) -> Announcement:
        return self._read(announcement_key(nib), None, f"announcement of parcel {nib}")  # type: ignore[no-any-return]

    def title_on(self, nib: str) -> Title | None:
        parcel = self.get_parcel(nib)
        return None if parcel.certificate_number is None else self.get_title(parcel.certificate_number)

    def resource_version(self, nib: str) -> int:
        """The parcel resource's version (its ETag), read from the event store."""
        certificate_number = self.get_parcel(nib).certificate_number
        with self.recorder.transaction(commit=False) as session:  # type: ignore[attr-defined]
            return resource_version(session, nib, certificate_number)

    def _read(self, aggregate_id: uuid.UUID, version: int | None, what: str) -> Any:
        try:
            aggregate: Any = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound(f"no {what}") from None
        if version is not None and aggregate.version != version:
            raise NotFound(f"{what} has no version {version}; its latest is {aggregate.version}")
        return aggregate

    # -- the command runner ----------------------------------------------------------------

    def footprint(self, geometry: object, crs: object, field: str = "geometry", crs_field: str = "crs",
                  parcel: bool = True) -> Footprint:
        """Parse and validate a submitted geometry (invariant 1), outside any transaction; a
        `parcel` must also reach the smallest parcel area (a search probe need not)."""
        return parcel_footprint(self.settings, geometry, crs, field, crs_field, parcel)

    def execute(
        self, actor: Actor, command_id: str | None, expected_version: int | None,
        work: Callable[[UnitOfWork], Result],
    ) -> Result:
        """Run `work` in a transaction with idempotency, retrying lost races that may be retried.

        Called by a method decorated with @use_case, after it has parsed its input. Inside
        `batch()` the command shares the batch's transaction; with a group committer attached,
        it is handed to the committer's writer thread, which batches it with other waiting ones.
        """
        name, fingerprint = _current_use_case.get()
        attempt = functools.partial(
            self._with_retries, name, command_id or uuid.uuid4().hex, fingerprint, actor, expected_version, work,
            command_id is None,
        )
        if self.committer is not None and _in_batch.get() is None:
            return self.committer.run(attempt)
        return attempt()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group commit (docs/architecture.md): every command executed inside shares one transaction, each
        in its own savepoint, so a refused command rolls back alone and the others commit
        together. The read models are brought up to date once, just before the commit, from
        the events the batch's commands saved, as they are in memory."""
        batch = _Batch()
        try:
            with self.recorder.transaction() as session:  # type: ignore[attr-defined]
                begin_command(session, self.settings)
                token = _in_batch.set(batch)
                try:
                    yield
                finally:
                    _in_batch.reset(token)
                if self.after_save is not None and batch.appended:
                    self.after_save(session, batch.appended)
        except BaseException:
            self.writer_cache.drop(a.id for a in batch.saved)
            raise
        self.writer_cache.keep(batch.saved)

    def _with_retries(
        self, name: str, command_id: str, fingerprint: str, actor: Actor, expected_version: int | None,
        work: Callable[[UnitOfWork], Result], made_up: bool = False,
    ) -> Result:
        for attempt in range(self.settings.command_retries + 1):
            try:
                return self._attempt(name, command_id, fingerprint, actor, expected_version, work, made_up)
            except (IntegrityError, sqlalchemy.exc.IntegrityError) as error:
                kind = clash(error)  # type: ignore[arg-type]
                if kind == "version" and expected_version is not None:
                    raise VersionConflict(
                        f"the aggregate changed after version {expected_version}", expected=expected_version,
                    ) from None
                if kind not in ("version", "command"):
                    raise
            except (OperationalError, sqlalchemy.exc.OperationalError):
                time.sleep(0.01 * (attempt + 1))
        raise StoreBusy(f"command {name} lost every race for the store; send it again (same command id)")

    def _attempt(
        self, name: str, command_id: str, fingerprint: str, actor: Actor, expected_version: int | None,
        work: Callable[[UnitOfWork], Result], made_up: bool,
    ) -> Result:
        """One try. The order inside the transaction matters (docs/architecture.md, Locks): the writers' lock, the
        command-id lookup, the use case's checks, save(), the inline read models, the commit.
        What it saved goes into the writer's cache once committed; a rollback drops it."""
        done = _Done({})
        try:
            with self.recorder.transaction() as session:  # type: ignore[attr-defined]
                batch = _in_batch.get()
                if batch is None:
                    begin_command(session, self.settings)
                    done = self._command(session, name, command_id, fingerprint, actor, expected_version, work,
                                         made_up)
                    if self.after_save is not None and done.appended:
                        self.after_save(session, done.appended)
                else:
                    with session.begin_nested():
                        done = self._command(session, name, command_id, fingerprint, actor, expected_version,
                                             work, made_up)
                    batch.appended += done.appended
                    batch.saved += done.saved
                    return done.result  # kept in the cache when the batch commits
        except BaseException:
            self.writer_cache.drop(a.id for a in done.saved)
            raise
        self.writer_cache.keep(done.saved)
        return done.result

    def _command(
        self, session: Session, name: str, command_id: str, fingerprint: str, actor: Actor,
        expected_version: int | None, work: Callable[[UnitOfWork], Result], made_up: bool,
    ) -> _Done:
        """The command's result, the events it appended and the aggregates it saved. Only a
        client's command id is recorded (invariant 12): one the runner made up is never sent again."""
        earlier = None if made_up else find_command(session, command_id)
        if earlier is not None:
            return _Done(replay(command_id, name, fingerprint, earlier))
        unit = UnitOfWork(self, session, self.clock(), command_id, actor, expected_version=expected_version)
        done = _Done(work(unit), saved=list(unit.pending))
        if unit.pending:
            done.appended = [_appended(r.notification) for r in self.save(*unit.pending)]
            # The log position of the command's last event: the version of what it changed.
            done.result = {**done.result, "position": done.appended[-1][0]}
        if not made_up:
            record_command(session, command_id, name, fingerprint, done.result)
        return done

    def earlier_result(self, command_id: str) -> tuple[str, str, Result] | None:
        """What a command id already recorded returned, read outside any command's transaction."""
        with self.recorder.transaction(commit=False) as session:  # type: ignore[attr-defined]
            return find_command(session, command_id)


_current_use_case: ContextVar[tuple[str, str]] = ContextVar("landreg_use_case")


@dataclass
class _Done:
    """What one command did: its result, the events it appended (in log order), what it saved."""

    result: Result
    appended: list[Appended] = field(default_factory=list)
    saved: list[Aggregate] = field(default_factory=list)


@dataclass
class _Batch:
    """An open batch: what its savepoints that were released appended and saved."""

    appended: list[Appended] = field(default_factory=list)
    saved: list[Aggregate] = field(default_factory=list)


def _appended(notification: Any) -> Appended:
    return (notification.id, notification.originator_id, notification.originator_version, notification.topic,
            notification.state)


_in_batch: ContextVar[_Batch | None] = ContextVar("landreg_in_batch", default=None)
UseCase = TypeVar("UseCase", bound=Callable[..., Result])
_NOT_PAYLOAD = ("self", "actor", "command_id", "expected_version")


def use_case(method: UseCase) -> UseCase:
    """Mark a command method of the registry. A repeated command id returns the first result
    before the input is even parsed (a date valid then may have passed since, invariant 12);
    the method's other arguments are the command's fingerprint."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def run(self: CommandRunner, *args: Any, **kwargs: Any) -> Result:
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        payload = {k: v for k, v in bound.arguments.items() if k not in _NOT_PAYLOAD}
        fingerprint = command_fingerprint(method.__name__, payload, bound.arguments["actor"])
        command_id = bound.arguments.get("command_id")
        earlier = self.earlier_result(command_id) if command_id else None
        if earlier is not None:
            return replay(str(command_id), method.__name__, fingerprint, earlier)
        token = _current_use_case.set((method.__name__, fingerprint))
        try:
            return method(self, *args, **kwargs)
        finally:
            _current_use_case.reset(token)

    return run  # type: ignore[return-value]


def command_fingerprint(name: str, payload: dict[str, Any], actor: Actor) -> str:
    body = json.dumps([name, actor.as_dict(), payload], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def replay(command_id: str, name: str, fingerprint: str, earlier: tuple[str, str, Result]) -> Result:
    """Invariant 12: a repeated command id returns the first result and writes nothing new."""
    earlier_name, earlier_fingerprint, result = earlier
    if (earlier_name, earlier_fingerprint) != (name, fingerprint):
        raise CommandIdReused(
            f"command id {command_id!r} was already used for a different {earlier_name} command",
            command_id=command_id,
        )
    return result


def prepare_sqlite_folder(url: str) -> None:
    """Create the folder of an SQLite file so the first run needs no set-up."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url[len(prefix):].split("?")[0]).parent.mkdir(parents=True, exist_ok=True)
