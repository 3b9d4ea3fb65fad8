"""From one national run's measured unit costs to the national stock: 126 million parcels and
10^9 events. Every output line is a measured figure times a count, labelled as such; nothing here
is a measurement of its own.

    python -m benchmarks extrapolate benchmarks/results/national-postgresql-1000000.json
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PARCELS = 126_000_000
EVENTS = 1_000_000_000
GB = 1e9


def figure(run: dict[str, Any], prefix: str, unit: str) -> float | None:
    """Our value of the run's first figure named `prefix...` in `unit`; None if the run has none."""
    found = [f["ours"] for f in run["figures"] if f["name"].startswith(prefix) and f["unit"] == unit]
    return float(found[0]) if found else None


def lines(path: Path) -> list[tuple[str, str, str]]:
    """(quantity, measured unit cost, at national scale) rows."""
    run = json.loads(path.read_text())
    events, parcels = run["events"], run["parcels_now"]
    tables, indexes = run["table_bytes"], run.get("index_bytes", {})
    import_rate = figure(run, "bulk import", "parcels/s") or float("nan")
    rebuilds = {name: figure(run, f"rebuild {name}", "events/s") or float("nan")
                for name in ("parcels", "certificates")}
    verify = figure(run, "audit verify", "events/s")  # a --year-only run has none
    event_bytes, event_index = tables["landreg_events"] / events, indexes.get("landreg_events", 0) / events
    read_side = run["read_side_bytes_per_parcel"]
    gist = indexes.get("landreg_footprints", 0) / parcels
    read_indexes = sum(v for k, v in indexes.items() if k != "landreg_events") / parcels
    hours = 3600
    rows = [
        ("events table with its indexes", f"{event_bytes:,.0f} B an event", f"{event_bytes * EVENTS / GB:,.0f} GB"),
        ("  of which indexes (id, aggregate+version, topic)", f"{event_index:,.0f} B an event",
         f"{event_index * EVENTS / GB:,.0f} GB"),
        ("read side (parcels, certificates, holdings, footprints, commands)", f"{read_side:,.0f} B a parcel",
         f"{read_side * PARCELS / GB:,.0f} GB"),
        ("  of which indexes (B-tree, GiST, trigram)", f"{read_indexes:,.0f} B a parcel",
         f"{read_indexes * PARCELS / GB:,.0f} GB"),
        ("  of which the footprints' GiST index", f"{gist:,.0f} B a parcel", f"{gist * PARCELS / GB:,.1f} GB"),
        ("bulk import of the stock (one process)", f"{import_rate:,.0f} parcels/s",
         f"{PARCELS / import_rate / hours:,.1f} h"),
    ]
    rows += [(f"rebuild `{name}` (one process)", f"{rate:,.0f} events/s", f"{EVENTS / rate / hours:,.1f} h")
             for name, rate in rebuilds.items()]
    if verify is not None:
        rows.append(("audit verify of the whole log (one process)", f"{verify:,.0f} events/s",
                     f"{EVENTS / verify / hours:,.1f} h"))
    return rows


def markdown(path: Path) -> str:
    run = json.loads(path.read_text())
    head = (f"From `{path.name}` ({run['parcels']:,} parcels, {run['events']:,} events, {run['machine']}, "
            f"{run['date']}), scaled to {PARCELS:,} parcels and {EVENTS:,} events:\n\n"
            "| quantity | measured unit cost | national scale |\n|---|---|---|\n")
    return head + "\n".join(f"| {q} | {u} | {n} |" for q, u, n in lines(path)) + "\n"


def hotpaths_markdown(path: Path, single: Path | None = None) -> str:
    """A hotpaths run's import, rebuild and verify rates scaled to 126M parcels / 10^9 events, per
    1, 2, 8 and 32 cores. Only the import has a parallel path (checking in worker processes); its
    efficiency is measured by `single` (the same run with LANDREG_IMPORT_WORKERS=0): the speedup of
    2 processes over 1, divided by 2, and is assumed to hold beyond 2 (a stated assumption, not a
    measurement). The rebuild and the verify run in one process: their hours do not fall with cores."""
    run = json.loads(path.read_text())
    rates = {"import": figure(run, "bulk import", "parcels/s"), "rebuild": figure(run, "rebuild", "events/s"),
             "verify": figure(run, "audit verify, full", "events/s")}
    efficiency = None
    if single is not None:
        alone = figure(json.loads(single.read_text()), "bulk import", "parcels/s")
        efficiency = (rates["import"] or 0) / alone / 2 if alone else None
    rows = ["| path | measured rate | 1 core | 2 cores | 8 cores | 32 cores |", "|---|---|---|---|---|---|"]
    for name, count, unit in (("import", PARCELS, "parcels/s"), ("rebuild", EVENTS, "events/s"),
                              ("verify", EVENTS, "events/s")):
        rate = rates[name]
        if not rate:
            continue
        one = count / rate / 3600
        if name == "import" and efficiency:
            # the measured rate is that of 2 processes; one process ran at rate / (2 e)
            hours = [one * 2 * efficiency] + [one * 2 * efficiency / (n * efficiency) for n in (2, 8, 32)]
        else:
            hours = [one] * 4
        rows.append(f"| {name} | {rate:,.0f} {unit} | " + " | ".join(f"{h:,.1f} h" for h in hours) + " |")
    note = f"measured parallel efficiency of the import, 1 vs 2 processes: {efficiency:.2f}" if efficiency else \
        "no single-process run given: no parallel efficiency"
    return "\n".join(rows) + f"\n\n{note}\n"
