"""The benchmark runner: `python -m benchmarks read-side --parcels N` prints one table of figures,
each beside its peer measured in the same run, with the ratio."""
from __future__ import annotations

import os
import platform

import typer
from rich.console import Console
from rich.table import Table

from benchmarks import read_side

app = typer.Typer(no_args_is_help=True, help="Seeded, sized benchmarks of landreg (opt-in, long).")
console = Console(width=150)
DEFAULT_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/landreg_bench"


@app.callback()
def benchmarks() -> None:
    """Each command prints a table; record the figures with the machine in benchmarks/README.md."""


@app.command("read-side")
def read_side_command(
    parcels: int = typer.Option(300_000, help="parcels to seed (about 3.5 events each)"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL),
                            help="a PostgreSQL database to drop and fill"),
    reuse: bool = typer.Option(False, help="keep the database's log if it has one (skip seeding)"),
) -> None:
    """Rebuild throughput and query latency against raw SQL, on PostgreSQL."""
    _print(f"read side, {parcels:,} parcels", read_side.run(url, parcels, report=console.print, reuse=reuse))


@app.command("audit")
def audit_command(
    parcels: int = typer.Option(300_000, help="parcels to seed (about 3.5 events each)"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL), help="PostgreSQL database to drop and fill"),
    reuse: bool = typer.Option(False, help="keep the database's log if it has one (skip seeding)"),
) -> None:
    """Audit verify throughput against a raw read and raw sha256 of the same rows."""
    from benchmarks import audit_side

    _print(f"audit verify, {parcels:,} parcels", audit_side.run(url, parcels, console.print, reuse))


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
    threads: int = typer.Option(8, help="concurrent keep-alive clients"),
    store: str = typer.Option("postgresql", help="postgresql (a fresh database) or sqlite (a temporary file)"),
    url: str = typer.Option(os.environ.get("LANDREG_BENCH_URL", DEFAULT_URL), help="PostgreSQL database to drop and fill"),
) -> None:
    """Requests/s and latency of `landreg serve` on loopback, for NIB reads and survey submissions."""
    import tempfile
    from pathlib import Path

    from benchmarks import http_load

    with tempfile.TemporaryDirectory() as folder:
        if store == "postgresql":
            read_side.fresh_database(url)
        else:
            url = f"sqlite:///{folder}/bench.db"
        rows = http_load.run(url, Path(folder), seconds, threads, report=console.print)
    table = Table(title=f"HTTP on loopback, {store}, {threads} client threads, {os.cpu_count()} cores")
    for column in ("request", "requests/s", "p50 ms", "p99 ms", "errors"):
        table.add_column(column)
    for name, rate, p50, p99, errors in rows:
        table.add_row(name, f"{rate:,.0f}", f"{p50:.1f}", f"{p99:.1f}", str(errors))
    console.print(table)


app()
