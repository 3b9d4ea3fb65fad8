"""The benchmark runner: `python -m benchmarks national --parcels N` (and the other commands)
prints one table of figures, each beside its peer measured in the same run, with the ratio."""
from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from benchmarks import read_side
from benchmarks.report import new_results_file

app = typer.Typer(no_args_is_help=True, help="Seeded, sized benchmarks of landreg (opt-in, long).")
console = Console(width=150)
DEFAULT_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/landreg_bench"


@app.callback()
def benchmarks() -> None:
    """Each command prints a table; record the figures with the machine in benchmarks/README.md."""


@app.command("national")
def national_command(
    parcels: int = typer.Option(100_000, help="first registrations in the stock"),
    activity: float = typer.Option(0.1, help="commands in the year per parcel of the stock"),
    commands: int = typer.Option(1_000, help="single commands of each kind, per client setting"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="PostgreSQL database to drop and fill"),
    folder: str = typer.Option("/tmp/landreg-bench", help="where the generated files go"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
    year_only: bool = typer.Option(False, help="the year at scale only: import, rebuild, queries, disk, memory"),
) -> None:
    """Every hot path beside its peer on one cadastre: import, commands, rebuild, queries, audit."""

    from benchmarks import national

    Path(folder).mkdir(parents=True, exist_ok=True)
    out = Path(results) / f"{'year' if year_only else 'national'}-postgresql-{parcels}.json"
    run = national.run(url, f"{url}_peer", Path(folder), parcels, activity, commands, report=console.print,
                       save=lambda so_far: _save(out, so_far.facts, so_far.figures), year_only=year_only)
    _print(f"national, {parcels:,} parcels", run.figures)
    console.print(run.facts)


@app.command("hotpaths")
def hotpaths_command(
    parcels: int = typer.Option(100_000, help="first registrations in the stock"),
    activity: float = typer.Option(0.1, help="commands in the year per parcel of the stock (0: the stock alone)"),
    workers: int = typer.Option(os.cpu_count() or 1, help="rebuild worker processes"),
    fresh: int = typer.Option(10_000, help="new events before the incremental verify"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="PostgreSQL database (named *bench*) to drop and fill"),
    folder: str = typer.Option("/tmp/landreg-hotpaths", help="where the generated files, keys and anchors go"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
    label: str = typer.Option("", help="a word for the file name (e.g. before, after)"),
) -> None:
    """Bulk import, rebuild of every read model, full and incremental verify, beside their raw peers."""
    import sys

    from benchmarks import hotpaths

    facts, figures = hotpaths.run(url, Path(folder), parcels, activity, workers, fresh, report=console.print)
    _print(f"hot paths, {parcels:,} parcels", figures)
    facts["command"] = "python -m benchmarks " + " ".join(sys.argv[1:])
    _save(new_results_file(Path(results), f"hotpaths-postgresql-{parcels}{'-' + label if label else ''}"),
          facts, figures)


@app.command("sqlite")
def sqlite_command(
    parcels: int = typer.Option(100_000, help="first registrations imported into a fresh SQLite file"),
    folder: str = typer.Option("/tmp/landreg-bench-sqlite", help="where the SQLite files go"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
) -> None:
    """The embedded SQLite default beside plain SQLite peers: import, commands, rebuild, queries."""

    from benchmarks import sqlite_side

    figures = sqlite_side.run(Path(folder), parcels, report=console.print)
    _print(f"SQLite, {parcels:,} parcels", figures)
    _save(Path(results) / f"national-sqlite-{parcels}.json", {"parcels": parcels, "store": "sqlite"}, figures)


def _save(out: Path, facts: dict[str, Any], figures: list[read_side.Figure]) -> None:
    """The run as JSON, for benchmarks/README.md and `python -m benchmarks plot`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = [{**f.__dict__, "ratio": f.ratio} for f in figures]
    out.write_text(json.dumps({**facts, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                               "date": datetime.date.today().isoformat(), "figures": rows}, indent=1))
    console.print(f"written to {out}")


@app.command("legal-time")
def legal_time_command(
    base: str = typer.Option(..., help="the code before the two time axes "
                                       "(e.g. `git archive ab882f3 | tar -x -C DIR`)"),
    parcels: int = typer.Option(100_000, help="first registrations imported by each tree"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="PostgreSQL database to drop and fill"),
    folder: str = typer.Option("/tmp/landreg-bench", help="where the generated stock goes"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
) -> None:
    """Import and reads before and after the legal-date axis, in one run; the overlap report after."""
    from benchmarks import legal_time

    ours = Path(__file__).resolve().parent.parent
    facts = legal_time.run(url, parcels, Path(base).resolve(), ours, Path(folder), report=console.print)
    before, after = facts["before"], facts["after"]
    facts["after_over_before"] = {k: after[k] / before[k] for k in before if k.endswith("per_s")}
    facts["command"] = f"python -m benchmarks legal-time --base {base} --parcels {parcels}"
    out = Path(results) / f"legal-time-postgresql-{parcels}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(facts, indent=1))
    console.print(facts["after_over_before"])
    console.print(f"written to {out}")


@app.command("seal")
def seal_command(
    commands: int = typer.Option(1_000, help="single commands of each kind, per client setting and sealing setting"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="PostgreSQL database to drop and fill"),
    sqlite: bool = typer.Option(False, help="measure on SQLite too (a temporary file)"),
    rounds: int = typer.Option(2, help="runs of each setting, alternating; the best of each figure is kept"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
) -> None:
    """What sealing every commit costs: single commands with LANDREG_AUDIT_SEAL_EVERY_COMMIT on and off."""
    import sys

    from benchmarks import seal_cost

    stores = ["postgresql", "sqlite"] if sqlite else ["postgresql"]
    facts, figures = seal_cost.run(url, commands, stores, rounds, report=console.print)
    _print(f"sealing every commit, {commands:,} commands of each kind", figures)
    command = "python -m benchmarks " + " ".join(sys.argv[1:])
    _save(Path(results) / f"seal-{'-'.join(stores)}-{commands}.json", {**facts, "command": command}, figures)


@app.command("ogc")
def ogc_command(
    parcels: int = typer.Option(1_000_000, help="parcels of the synthetic stock, imported by the bulk path"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="PostgreSQL database to drop and fill"),
    reuse: bool = typer.Option(False, help="keep the database's log if it has one (skip seeding)"),
    samples: int = typer.Option(1_000, help="boxes and pages timed, each"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
) -> None:
    """OGC API - Features items (a ~100 m bbox, a 1,000-feature page) against the raw PostGIS query."""
    import sys

    from benchmarks import ogc_side

    facts, figures = ogc_side.run(url, parcels, report=console.print, reuse=reuse, samples=samples)
    _print(f"OGC API - Features, {facts['parcels']:,} parcels", figures)
    command = "python -m benchmarks " + " ".join(sys.argv[1:])
    _save(Path(results) / f"ogc-postgresql-{parcels}.json", {**facts, "command": command}, figures)


@app.command("observe")
def observe_command(
    seconds: float = typer.Option(15, help="how long each kind of request is driven, per round"),
    threads: int = typer.Option(4, help="concurrent keep-alive clients"),
    parcels: int = typer.Option(500, help="titled parcels to read"),
    rounds: int = typer.Option(2, help="runs of each app, alternating; the best of each figure is kept"),
    store: str = typer.Option("sqlite", help="postgresql (a fresh database) or sqlite (a temporary file)"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="PostgreSQL database to drop and fill"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
) -> None:
    """What metrics, the access log and the read log cost HTTP reads: the same app with and without them."""
    import sys
    import tempfile

    from benchmarks import observe_cost

    with tempfile.TemporaryDirectory() as folder:
        if store == "postgresql":
            read_side.fresh_database(url)
        else:
            url = f"sqlite:///{folder}/bench.db"
        facts, figures = observe_cost.run(url, Path(folder), seconds, threads, parcels, rounds, report=console.print)
    _print(f"observing HTTP reads, {store}, {threads} client threads", figures)
    command = "python -m benchmarks " + " ".join(sys.argv[1:])
    _save(Path(results) / f"observe-{store}-{parcels}.json", {**facts, "store": store, "command": command}, figures)


@app.command("names")
def names_command(
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="a PostgreSQL database already filled"),
    results: str = typer.Option("", help="a result JSON of a run on that database, to add the figures to"),
) -> None:
    """Holder-name search on a filled database (e.g. after `national`): trigram index, raw SQL, no index."""
    from api.bootstrap import build
    from registry.persistence.settings import Settings

    services = build(Settings(database_url=url, first_registration_announcement="off"), inline_projections=False)
    try:
        figures = read_side.name_search_figures(services)
    finally:
        services.close()
    _print("holder-name search", figures)
    if results:
        run = json.loads(Path(results).read_text())
        kept = [read_side.Figure(**{k: v for k, v in f.items() if k != "ratio"}) for f in run.pop("figures")
                if not f["name"].startswith("holder name search")]
        facts = {k: v for k, v in run.items() if k not in ("machine", "date")}
        source = Path(results)  # a new file beside the run: the run's own figures stay as measured
        _save(new_results_file(source.parent, f"{source.stem}-names"), {**facts, "names_added_to": source.name},
              kept + figures)


def _print(title: str, figures: list[read_side.Figure]) -> None:
    table = Table(title=f"{title}, {platform.machine()}, {os.cpu_count()} cores")
    for column in ("figure", "landreg", "peer", "unit", "ratio", "peer is", "target"):
        table.add_column(column)
    for f in figures:
        table.add_row(f.name, f"{f.ours:,.3f}" if f.unit == "ms" else f"{f.ours:,.0f}",
                      f"{f.peer:,.3f}" if f.unit == "ms" else f"{f.peer:,.0f}", f.unit, f"{f.ratio:.2f}x",
                      f.peer_name, f.target)
    console.print(table)


@app.command("http")
def http_command(
    seconds: float = typer.Option(20, help="how long each kind of request is driven"),
    threads: int = typer.Option(16, help="concurrent keep-alive clients"),
    workers: str = typer.Option("1,2", help="worker process counts of `landreg serve`, one run each"),
    parcels: int = typer.Option(2_000, help="parcels surveyed first, for the NIB reads"),
    store: str = typer.Option("postgresql", help="postgresql (a fresh database) or sqlite (a temporary file)"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="PostgreSQL database to drop and fill"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
) -> None:
    """Requests/s and latency of `landreg serve` on loopback, for NIB reads and survey submissions."""
    import sys
    import tempfile

    from benchmarks import http_load

    table = Table(title=f"HTTP on loopback, {store}, {threads} client threads, {os.cpu_count()} cores")
    for column in ("workers", "request", "requests/s", "p50 ms", "p99 ms", "errors"):
        table.add_column(column)
    measured = []
    for count in [int(w) for w in workers.split(",")]:
        with tempfile.TemporaryDirectory() as folder:
            target = url if store == "postgresql" else f"sqlite:///{folder}/bench.db"
            if store == "postgresql":
                read_side.fresh_database(url)
            for name, rate, p50, p99, errors in http_load.run(target, Path(folder), seconds, threads, parcels,
                                                              report=console.print, workers=count):
                table.add_row(str(count), name, f"{rate:,.0f}", f"{p50:.1f}", f"{p99:.1f}", str(errors))
                measured.append({"workers": count, "request": name, "requests_per_s": rate, "p50_ms": p50,
                                 "p99_ms": p99, "errors": errors})
    console.print(table)
    out = Path(results) / f"http-{store}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": "python -m benchmarks " + " ".join(sys.argv[1:]), "threads": threads,
                               "seconds": seconds, "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared",
                               "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
                               "rows": measured}, indent=1))
    console.print(f"written to {out}")


@app.command("writes")
def writes_command(
    commands: int = typer.Option(500, help="commands of each kind, per client count"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="PostgreSQL database to drop and fill"),
    folder: str = typer.Option("/tmp/landreg-bench-writes", help="where the audit key and anchor go"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
    name: str = typer.Option("writes-postgresql", help="the JSON's file name, without .json"),
) -> None:
    """The write path: commands at 1, 16 and 64 clients beside the plain save, with round trips."""
    import sys

    from benchmarks import write_path

    rows = write_path.run(url, Path(folder), commands, report=console.print)
    table = Table(title=f"write path, {commands:,} commands a cell, {platform.machine()}, {os.cpu_count()} cores")
    for column in ("system", "command", "clients", "commands/s", "p50 ms", "p99 ms", "statements", "round trips"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["system"], r["command"], str(r["clients"]), f"{r['rate']:,.0f}", f"{r['p50_ms']:.1f}",
                      f"{r['p99_ms']:.1f}", write_path.count(r["statements_per_command"]),
                      write_path.count(r["round_trips_per_command"]))
    console.print(table)
    out = Path(results) / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": "python -m benchmarks " + " ".join(sys.argv[1:]), "commands": commands,
                               "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared (noisy)",
                               "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
                               "rows": rows}, indent=1))
    console.print(f"written to {out}")


@app.command("soak")
def soak_command(
    minutes: float = typer.Option(30, help="how long the mixed load runs"),
    clients: int = typer.Option(32, help="concurrent keep-alive clients"),
    workers: int = typer.Option(2, help="worker processes of `landreg serve`"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="PostgreSQL database to drop and fill"),
    results: str = typer.Option("benchmarks/results", help="where the JSON of the run is written"),
) -> None:
    """A soak over HTTP: 70% reads, 20% survey + title, 10% transfers; errors, p50/p99, memory."""
    import sys
    import tempfile

    from benchmarks import soak

    read_side.fresh_database(url)
    with tempfile.TemporaryDirectory() as folder:
        found = soak.run(url, Path(folder), minutes, clients, workers, report=console.print)
    table = Table(title=f"soak, {minutes} min, {clients} clients, {workers} worker(s), {os.cpu_count()} cores")
    for column in ("request", "count", "errors", "p50 ms", "p99 ms"):
        table.add_column(column)
    for kind, figures in found["kinds"].items():
        table.add_row(kind, f"{figures['count']:,}", str(figures["errors"]), f"{figures['p50_ms']:.1f}",
                      f"{figures['p99_ms']:.1f}")
    console.print(table)
    console.print(f"server memory: {found['memory_bytes']}")
    out = Path(results) / f"soak-postgresql-{minutes:g}min.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": "python -m benchmarks " + " ".join(sys.argv[1:]), "clients": clients,
                               "workers": workers, "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared",
                               "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"), **found},
                              indent=1))
    console.print(f"written to {out}")


@app.command("generate")
def generate_command(
    out: str = typer.Option(..., help="the JSON lines file to write, for `landreg import`"),
    parcels: int = typer.Option(100_000, help="parcels of the stock, each surveyed and titled"),
    seed: int = typer.Option(1, help="the same seed and sizes give the same bytes"),
    activity: float = typer.Option(0.1, help="commands in the year per parcel of the stock"),
    bulk_stock: bool = typer.Option(True, help="the stock as register_parcel lines (else survey + title)"),
    overlapping: float = typer.Option(0, help="share of the stock given a second, overlapping legacy certificate "
                                             "(the stock alone: with --activity 0)"),
) -> None:
    """A synthetic cadastre as commands: the stock's first registrations, then a year of activity."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from benchmarks import cadastre

    if overlapping:
        _overlapping_stock(out, parcels, seed, activity, overlapping)
        return
    total = cadastre.Plan(parcels, seed, activity, bulk_stock=bulk_stock).lines()
    started = time.perf_counter()
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task("lines", total=total)
        counts = cadastre.write(out, parcels, seed, activity, progress=lambda done: bar.update(task, completed=done),
                                bulk_stock=bulk_stock)
    seconds = time.perf_counter() - started
    size = Path(out).stat().st_size
    console.print(f"{out}: {total:,} lines in {seconds:,.1f} s ({total / seconds:,.0f} lines/s), "
                  f"{size:,} bytes ({size / total:,.0f} a line)")
    table = Table(title="lines per command")
    table.add_column("command")
    table.add_column("lines", justify="right")
    for name, count in counts.most_common():
        table.add_row(name, f"{count:,}")
    console.print(table)


def _overlapping_stock(out: str, parcels: int, seed: int, activity: float, overlapping: float) -> None:
    """The stock with overlapping legacy certificates (benchmarks/cadastre_conflicts.py)."""
    import orjson

    from benchmarks import cadastre_conflicts

    if activity:
        console.print("[red]--overlapping writes the stock alone: give --activity 0 (the year's commands on parcels "
                      "in conflict would be refused).")
        raise typer.Exit(2)
    lines = 0
    with open(out, "wb") as file:
        for command in cadastre_conflicts.generate(parcels, overlapping, seed):
            file.write(orjson.dumps(command) + b"\n")
            lines += 1
    console.print(f"{out}: {lines:,} lines, {lines - parcels:,} of them overlapping certificates")


@app.command("report")
def report_command(result: Annotated[str, typer.Argument(help="a run's JSON result file")]) -> None:
    """A run's figures as a markdown table (for benchmarks/README.md)."""
    from benchmarks import report

    print(report.markdown(Path(result)))


@app.command("extrapolate")
def extrapolate_command(
    result: Annotated[str, typer.Argument(help="a national run's JSON result file")],
) -> None:
    """Measured unit costs of a run scaled to 126 million parcels and 10^9 events (markdown)."""
    from benchmarks import extrapolate

    print(extrapolate.markdown(Path(result)))


@app.command("extrapolate-hotpaths")
def extrapolate_hotpaths_command(
    result: Annotated[str, typer.Argument(help="a hotpaths run's JSON result file")],
    single: str = typer.Option("", help="the same run with LANDREG_IMPORT_WORKERS=0, for the parallel efficiency"),
) -> None:
    """Import, rebuild and verify hours at 126M parcels / 10^9 events per 1, 2, 8, 32 cores (markdown)."""
    from benchmarks import extrapolate

    print(extrapolate.hotpaths_markdown(Path(result), Path(single) if single else None))


@app.command("plot")
def plot_command(
    results: Annotated[list[str], typer.Argument(help="the runner's JSON result files, one a run and size")],
    out: str = typer.Option("benchmarks/results/scale.png", help="the PNG to write"),
) -> None:
    """Throughput and latency against parcels (log axes), ours solid and peers dashed, as one PNG."""
    from benchmarks import plot

    plot.plot([Path(result) for result in results], Path(out))
    console.print(f"wrote {out} from {len(results)} result files")


app()
