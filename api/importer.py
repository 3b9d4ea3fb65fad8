"""`landreg import`: surveys from a GeoJSON FeatureCollection or a GIS file (GeoPackage,
Shapefile, FlatGeobuf: api/gisfiles.py), or any commands from JSON lines.

The bulk path for a legacy stock. Lines are read as a stream and sent in batches: each batch is
one transaction (group commit) in which every line is a command in its own savepoint, so a line
lands whole or not at all and a refused line never takes the others with it. Every command still
goes through the registry's use cases and all their invariants.

A line's command id is derived from the file's content and the line number, so running the same
file again after a crash skips what already landed (invariant 12) and carries on; a batch cut off
by the crash had not committed and is simply done again.
"""
from __future__ import annotations

import hashlib
import inspect
import itertools
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import orjson

from api import gisfiles
from registry.application.registry import Registry
from registry.application.stock_commands import ARGUMENTS, Prepared, prepare
from registry.domain.errors import RegistryError
from registry.domain.values import Actor, find_fault
from registry.persistence.store import analyze

# A legacy-stock line: a parcel surveyed and titled at once (registry/application/stock_commands.py).
STOCK = "register_parcel"
# Commands an import may carry: the registry's use cases (see registry/application/registry.py).
COMMANDS = frozenset({
    STOCK,
    "submit_survey", "correct_boundary", "subdivide", "separate", "merge", "register_title",
    "transfer_ownership", "correct_holder_data", "register_mortgage", "release_mortgage", "place_block",
    "lift_block", "expire_block", "extend_right", "renew_right", "expire_right", "cancel_right",
    "replace_certificate", "annul_dealing",
})


@dataclass
class ImportReport:
    """What happened to each line: counts, and every refusal with its reason."""

    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


BATCH = 500  # commands per transaction: big enough to share the flush, small enough to redo
ANALYZE_AFTER = 10_000  # lines; then each time the import has doubled (registry/persistence/store.py analyze)


def is_geojson(path: Path) -> bool:
    with path.open("rb") as file:
        head = file.read(2_000)
    return head.lstrip()[:1] == b"{" and b'"FeatureCollection"' in head


def count(path: Path) -> int:
    """How many commands the file holds, for a progress bar (lines are counted, not parsed)."""
    if gisfiles.is_gis_file(path):
        return gisfiles.count(path)
    if is_geojson(path):
        return sum(1 for _ in commands(path))
    with path.open("rb") as file:
        return sum(1 for line in file if line.strip())


def commands(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, command) pairs, read as a stream; a line that cannot be read yields the
    reason instead. A GeoJSON FeatureCollection is one document and is read whole."""
    if gisfiles.is_gis_file(path):
        yield from gisfiles.surveys(path)
        return
    if is_geojson(path):
        yield from _features(path.read_bytes())
        return
    with path.open("rb") as file:
        yield from _lines(file)


def _lines(file: Iterator[bytes]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(file, start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield number, f"not JSON: {error}"
            continue
        if not isinstance(item, dict):
            yield number, "each line must be a JSON object"
        elif (fault := find_fault(item, "line")) is not None:  # the same text rule as the HTTP edge
            yield number, fault.message
        else:
            yield number, item


class Unreadable(ValueError):
    """The file as a whole cannot be read as an import (a line that cannot is only refused)."""


def _features(raw: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    try:
        collection = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise Unreadable(f"not a GeoJSON FeatureCollection: {error}") from None
    if not isinstance(collection, dict) or not isinstance(collection.get("features", []), list):
        raise Unreadable("not a GeoJSON FeatureCollection: needs an object with a list of features")
    named = collection.get("crs")  # ogr2ogr writes the collection's CRS here; it is never ignored
    for number, feature in enumerate(collection.get("features", []), start=1):
        if not isinstance(feature, dict):
            yield number, "each feature must be a JSON object"
            continue
        if (fault := find_fault(feature, f"features[{number - 1}]")) is not None:
            yield number, fault.message
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            yield number, f"features[{number - 1}].properties must be a JSON object"
            continue
        survey = {k: properties.get(k) for k in ("document_number", "document_sha256", "surveyed_on")}
        yield number, {"command": "submit_survey", "args": {
            "village_code": properties.get("village_code"), "geometry": feature.get("geometry"),
            "crs": properties.get("crs") or named, "survey": survey}}


def run(
    registry: Registry, path: Path, actor: Actor, advance: Callable[[int], None] = lambda _: None,
    batch: int = BATCH,
) -> ImportReport:
    """Send every command of the file, `batch` to a transaction; a refused one is reported and
    the import goes on. `advance` is told how many lines each committed batch held."""
    prefix = digest(path)
    report = ImportReport()
    lines = commands(path)
    done, analyzed = 0, 0
    with Preparer(registry, actor) as preparer:
        for runs in preparer.ahead(iter(lambda: list(itertools.islice(lines, batch)), [])):
            for run_ in runs:
                refused = _stock(registry, run_, actor, prefix) if run_.stock else \
                    _batch(registry, run_.lines, actor, prefix)
                report.accepted += len(run_.lines) - len(refused)
                report.rejected += refused
                done += len(run_.lines)
            if done - analyzed >= max(ANALYZE_AFTER, analyzed):  # at 10k, 20k, 40k... lines: a small share of the time
                analyze(registry.engine)
                analyzed = done
            advance(sum(len(r.lines) for r in runs))
    if done > analyzed:
        analyze(registry.engine)
    return report


@dataclass
class Run:
    """Consecutive lines of one kind: legacy stock (with its entries being checked) or other commands."""

    stock: bool
    lines: list[tuple[int, Any]]
    known: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # stock lines with only known fields
    refused: list[dict[str, Any]] = field(default_factory=list)
    prepared: Future[Prepared] | None = None


class Preparer:
    """Checks the stock lines of the next chunk in worker processes (LANDREG_IMPORT_WORKERS) while
    the registry writes the chunk before: the pure half of the bulk path off the writer's core."""

    def __init__(self, registry: Registry, actor: Actor) -> None:
        self.registry, self.actor = registry, actor
        self.pool: ProcessPoolExecutor | None = None  # started for a second chunk: one chunk has nothing to overlap

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def ahead(self, chunks: Iterator[list[tuple[int, Any]]]) -> Iterator[list[Run]]:
        """The chunks' runs, each chunk's stock already being checked when the one before is handed out."""
        waiting: list[Run] | None = None
        for chunk in chunks:
            if waiting is not None and self.pool is None and self.registry.settings.import_workers:
                # spawn: a forked child would share the parent's connections and writer thread
                self.pool = ProcessPoolExecutor(self.registry.settings.import_workers,
                                                mp_context=multiprocessing.get_context("spawn"))
            runs = [self._run(stock, list(lines)) for stock, lines in
                    itertools.groupby(chunk, key=lambda pair: _is_stock(pair[1]))]
            if waiting is not None:
                yield waiting
            waiting = runs
        if waiting is not None:
            yield waiting

    def _run(self, stock: bool, lines: list[tuple[int, Any]]) -> Run:
        run_ = Run(stock, lines)
        if stock:
            _sort_stock(run_)
            entries = [args for _, args in run_.known]
            if self.pool is not None and entries:
                run_.prepared = self.pool.submit(prepare, self.registry.settings, self.registry.clock(), entries,
                                                 self.actor)
        return run_


def digest(path: Path) -> str:
    """What names the file's content in its lines' command ids: its digest, or for a dataset of
    several files (a Shapefile) the digest of their digests."""
    digests = []
    for part in gisfiles.sidecars(path) if gisfiles.is_gis_file(path) else [path]:
        with part.open("rb") as file:
            digests.append(hashlib.file_digest(file, "sha256"))
    if len(digests) == 1:
        return digests[0].hexdigest()[:16]
    return hashlib.sha256(b"".join(d.digest() for d in digests)).hexdigest()[:16]


def _is_stock(item: dict[str, Any] | str) -> bool:
    return isinstance(item, dict) and item.get("command") == STOCK and isinstance(item.get("args"), dict)


def _batch(registry: Registry, lines: list[tuple[int, Any]], actor: Actor, prefix: str) -> list[dict[str, Any]]:
    """Commands one by one, in one transaction with a savepoint each; the refusals."""
    refused = []
    with registry.batch():
        for number, item in lines:
            reason = item if isinstance(item, str) else _send(registry, item, actor, f"import:{prefix}:{number}")
            if reason is not None:
                refused.append(_refusal(number, reason))
    return refused


def _sort_stock(run_: Run) -> None:
    """A stock line with an unknown field is refused; the others go to the bulk path."""
    for number, item in run_.lines:
        extra = sorted(set(item["args"]) - set(ARGUMENTS))
        if extra:
            run_.refused.append(_refusal(number, {"error": "invalid_input", "field": "args",
                                                  "reason": f"unknown fields {extra}"}))
        else:
            run_.known.append((number, item["args"]))


def _stock(registry: Registry, run_: Run, actor: Actor, prefix: str) -> list[dict[str, Any]]:
    """Legacy-stock lines through the bulk path, in one transaction; the refusals."""
    known = run_.known
    if not known:
        return run_.refused
    outcomes = registry.register_parcels([args for _, args in known], [f"import:{prefix}:{n}" for n, _ in known],
                                         actor=actor,
                                         prepared=None if run_.prepared is None else run_.prepared.result())
    refused = run_.refused + [_refusal(n, _problem(o)) for (n, _), o in zip(known, outcomes)
                              if isinstance(o, RegistryError)]
    return sorted(refused, key=lambda r: r["line"])


def _problem(error: RegistryError) -> dict[str, Any]:
    return {"error": error.code, "reason": error.message, **error.details}


def _refusal(number: int, reason: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(reason, dict):
        return {"line": number, **reason}
    return {"line": number, "error": "unreadable", "reason": reason}


def _send(registry: Registry, item: dict[str, Any], actor: Actor, command_id: str) -> dict[str, Any] | None:
    name, args = item.get("command"), item.get("args")
    if name not in COMMANDS:
        return {"error": "invalid_input", "field": "command", "reason": f"must name one of {sorted(COMMANDS)}"}
    if not isinstance(args, dict):  # (register_parcel lines with an object of args go to _stock)
        return {"error": "invalid_input", "field": "args", "reason": f"{name} needs an object of arguments"}
    command = getattr(registry, str(name))
    try:  # args that are not the command's parameters are the line's fault; a TypeError inside is a bug
        inspect.signature(command).bind(**args, actor=actor, command_id=command_id)
    except TypeError as error:
        return {"error": "invalid_input", "field": "args", "reason": str(error)}
    try:
        command(**args, actor=actor, command_id=command_id)
    except RegistryError as error:
        return _problem(error)
    return None
