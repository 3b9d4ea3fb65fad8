"""Issue 17's benchmark: the stock import and the parcel reads before and after the two time axes,
in one run on one store, so both share the machine's noise; then the overlap report over the store.

    python -m benchmarks legal-time --parcels 100000 --base DIR   # DIR: `git archive` of the commit before

Each code tree runs in its own process (PYTHONPATH=tree) on a fresh store: this file is the child
too (`python benchmarks/legal_time.py child ...`), using only what both trees have, plus the
legal-date read and the overlap report where the tree has them.
"""
from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SAMPLE = 2_000  # parcels read by each kind of read


def run(url: str, parcels: int, base: Path, ours: Path, folder: Path, report: Any = print) -> dict[str, Any]:
    """Import the same stock with each tree (base first, then ours), read, report; the facts."""
    from benchmarks import cadastre

    folder.mkdir(parents=True, exist_ok=True)
    stock = folder / f"legal-time-{parcels}.jsonl"
    if not stock.exists():
        report(f"generating {parcels:,} stock lines into {stock}")
        cadastre.write(stock, parcels, seed=1, activity=0)
    facts: dict[str, Any] = {"parcels": parcels, "store": "postgresql", "machine":
                             f"{platform.machine()}, {os.cpu_count()} cores (shared with other sessions: noisy)",
                             "date": datetime.now(UTC).date().isoformat()}
    for name, tree in (("before", base), ("after", ours)):
        report(f"{name}: importing with {tree}")
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "child", url, str(stock)],
                              env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree, check=True,
                              capture_output=True, text=True)
        facts[name] = json.loads(done.stdout.strip().splitlines()[-1])
        report(f"{name}: {facts[name]}")
    return facts


def child(url: str, stock: Path) -> dict[str, Any]:
    """In a code tree: a fresh store, the import, the reads; the figures."""
    from sqlalchemy import create_engine, inspect, text

    from api import importer
    from api.bootstrap import build
    from projections import history
    from registry.domain.values import Actor
    from registry.persistence.settings import Settings

    engine = create_engine(url)
    with engine.begin() as connection:
        for name in inspect(connection).get_table_names():
            if name.startswith("landreg_"):
                connection.execute(text(f"DROP TABLE IF EXISTS {name} CASCADE"))
    engine.dispose()
    keys = Path(tempfile.mkdtemp())
    settings = Settings(database_url=url, audit_key_file=keys / "key.pem", audit_anchor_file=keys / "anchor.jsonl")
    services = build(settings)
    started = time.perf_counter()
    outcome = importer.run(services.registry, stock, Actor("import", "system"))
    figures: dict[str, Any] = {"import_s": time.perf_counter() - started, "accepted": outcome.accepted,
                               "refused": len(outcome.rejected)}
    figures["import_parcels_per_s"] = outcome.accepted / figures["import_s"]
    with services.queries.engine.connect() as connection:
        nibs = [r[0] for r in connection.execute(text("SELECT nib FROM landreg_parcels"))]
    chosen = random.Random(1).sample(nibs, min(SAMPLE, len(nibs)))
    figures["read_now_per_s"] = _rate(chosen, services.queries.parcel)
    now = datetime.now(UTC).isoformat()

    def fold(nib: str, **axes: Any) -> Any:
        with services.queries.engine.connect() as connection:
            return history.state_after(history.parcel_events(connection, nib), **axes)

    figures["read_as_of_per_s"] = _rate(chosen, lambda nib: fold(nib, recorded_by=now))
    if "effective_on" in history.state_after.__code__.co_varnames:
        figures["read_effective_on_per_s"] = _rate(chosen, lambda nib: fold(nib, effective_on="2010-01-01"))
        figures["read_both_axes_per_s"] = _rate(chosen,
                                                lambda nib: fold(nib, recorded_by=now, effective_on="2010-01-01"))
        figures.update(_overlap_report(services))
    services.close()
    return figures


def _rate(nibs: list[str], read: Any) -> float:
    started = time.perf_counter()
    for nib in nibs:
        read(nib)
    return len(nibs) / (time.perf_counter() - started)


def _overlap_report(services: Any) -> dict[str, Any]:
    from projections import overlaps

    settings, found = services.settings, 0
    started = time.perf_counter()
    with services.queries.engine.connect() as connection:
        for page, _ in overlaps.pairs(connection, "", "a", settings.overlap_tolerance_m2,
                                      settings.overlap_tolerance_fraction):
            found += len(page)
    spent = time.perf_counter() - started
    return {"overlap_report_s": spent, "overlap_pairs": found,
            "overlap_report_parcels_per_s": services.queries.active_count() / spent}


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    print(json.dumps(child(sys.argv[2], Path(sys.argv[3]))))
