"""The `landreg` command line."""
from __future__ import annotations

import getpass
import os
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress
from rich.table import Table

from api import cli_ops, exporter, importer, logs
from api import demo as demo_village
from api.auth import TokenStore
from api.bootstrap import build, build_existing
from api.failures import Landreg
from api.readlog import Reader
from projections import overlaps
from registry.application.registry import Registry
from registry.domain.errors import NotFound
from registry.domain.values import Actor
from registry.persistence import schema
from registry.persistence.settings import Settings

app = typer.Typer(help="landreg: the event-sourced land registry.", no_args_is_help=True, cls=Landreg,
                  pretty_exceptions_show_locals=False)  # locals may hold the settings, passwords and all
console = Console()


@app.callback()
def landreg(debug: Annotated[bool, typer.Option("--debug", help="show the traceback of a failure")] = False) -> None:
    """Settings come from LANDREG_* variables; LANDREG_DATABASE_URL picks the store (SQLite by default)."""


@app.command()
def init() -> None:
    """Create the store at LANDREG_DATABASE_URL (every migration) if it is not there; change nothing else."""
    settings = Settings()
    with build(settings, inline_projections=False):
        pass
    console.print(f"store ready: {settings.store} ({settings.shown_database_url}), schema revision {schema.head()}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int | None, typer.Option(min=1, show_default="the cores; 1 with async read models",
                                                help="worker processes, each with its own pools and group-commit "
                                                "writer; they share the public rate limit")] = None,
    proxy_headers: Annotated[bool, typer.Option(
        help="behind a reverse proxy: take the client address and scheme from X-Forwarded-For/-Proto")] = False,
    forwarded_allow_ips: Annotated[str, typer.Option(
        help="comma-separated addresses or networks (or *) whose X-Forwarded-* headers are trusted")] = "127.0.0.1",
    root_path: Annotated[str, typer.Option(help="the path prefix the proxy serves landreg under, e.g. /landreg")] = "",
) -> None:
    """Run the HTTP service (OpenAPI at /docs) on LANDREG_DATABASE_URL, SQLite by default."""
    import uvicorn

    from api.app import create_app

    settings = Settings()
    if workers is None:
        workers = (os.cpu_count() or 1) if settings.projections == "inline" else 1
    if workers > 1 and settings.projections == "async":
        raise typer.BadParameter("--workers above 1 needs LANDREG_PROJECTIONS=inline: with async read models "
                                 "each worker would follow the log on its own")
    services = build(settings, inline_projections=settings.projections == "inline")  # tables exist before any worker
    console.print(f"landreg on http://{host}:{port}{root_path} (docs at {root_path}/docs), {workers} worker(s), "
                  f"store: {settings.store} ({settings.shown_database_url})", soft_wrap=True)
    options: dict[str, Any] = {"host": host, "port": port, "proxy_headers": proxy_headers, "root_path": root_path,
                               "forwarded_allow_ips": forwarded_allow_ips, "log_level": "info", "access_log": False,
                               "log_config": logs.config(settings.log_format)}  # the service logs each request
    if workers == 1:
        uvicorn.run(create_app(services=services), **options)
        return
    services.close()  # each worker process builds its own from the same LANDREG_* settings
    with tempfile.TemporaryDirectory(prefix="landreg-serve-") as folder:
        if settings.rate_limit_file is None:  # one set of public rate buckets for all the workers
            os.environ["LANDREG_RATE_LIMIT_FILE"] = str(Path(folder) / "public-rate-buckets")
        # uvicorn restarts a worker that does not answer its health check within this many seconds; its
        # default (5) kills workers still building their services on a busy machine, again and again.
        uvicorn.run("api.app:create_app", factory=True, workers=workers, timeout_worker_healthcheck=60, **options)


tokens_app = typer.Typer(help="Bearer tokens for the HTTP service.")
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("create")
def tokens_create(
    role: Annotated[str, typer.Option(help="surveyor, officer, auditor or admin")],
    name: Annotated[str, typer.Option(help="who the token is for; recorded as the actor of every event")],
) -> None:
    """Create a token. It is printed once and only its hash is kept: store it now."""
    with build_existing(Settings()) as services:
        try:
            token = TokenStore(services.registry.engine).create(name, role)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None
    print(token)


@tokens_app.command("revoke")
def tokens_revoke(name: Annotated[str, typer.Option(help="revoke every live token of this name")]) -> None:
    """Revoke tokens: requests with them get 401 from now on."""
    with build_existing(Settings()) as services:
        count = TokenStore(services.registry.engine).revoke(name)
    console.print(f"revoked {count} token(s) of {name!r}" if count else f"[yellow]{name!r} has no live token")


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="GeoJSON FeatureCollection, GeoPackage, Shapefile, FlatGeobuf "
                                              "or JSON lines")],
    actor: Annotated[str, typer.Option(help="recorded as the actor of every event")] = "import",
    report: Annotated[Path | None, typer.Option(help="write refused lines here as JSON lines")] = None,
    batch: Annotated[int, typer.Option(min=1, help="commands per transaction")] = importer.BATCH,
) -> None:
    """Import surveys (GeoJSON, GeoPackage, Shapefile, FlatGeobuf) or commands (JSON lines: {"command": ..., "args": {...}}).

    Each line lands whole or not at all; running the same file again resumes where it stopped.
    """  # noqa: E501 (the first line is the command's one-line summary in `landreg --help`, shown as written)
    with build(Settings()) as services, \
            Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console) as progress:
        task = progress.add_task(f"Importing {path.name}", total=importer.count(path))
        result = importer.run(services.registry, path, Actor(actor, "system"),
                              lambda done: progress.advance(task, done), batch)
    console.print(f"{result.accepted:,} accepted, {len(result.rejected):,} refused")
    for refusal in result.rejected[:20]:  # one line each, on stderr
        said = " ".join(f"{refusal.get('field', '')} {refusal['reason']}".split())
        typer.echo(f"line {refusal['line']}: {said}", err=True)
    if report is not None:
        report.write_bytes(b"".join(orjson.dumps(r, default=str) + b"\n" for r in result.rejected))
        console.print(f"refusals written to {report}")
    if result.rejected:
        raise typer.Exit(1)


class ExportFormat(str, Enum):
    gpkg = "gpkg"
    fgb = "fgb"
    geojson = "geojson"
    csv = "csv"


@app.command("export")
def export_file(
    out: Annotated[Path, typer.Option(dir_okay=False, help="the file to write (replaced if it exists)")],
    village: Annotated[str | None, typer.Option(help="8-digit village code")] = None,
    bbox: Annotated[str | None, typer.Option(help="minx,miny,maxx,maxy in degrees (EPSG:4326)")] = None,
    kind: Annotated[ExportFormat, typer.Option("--format", help="GeoPackage, FlatGeobuf, GeoJSON (RFC 7946) "
                                                                 "or CSV (WKT)")] = ExportFormat.gpkg,
    holders: Annotated[bool, typer.Option(help="add the holders' names and shares (personal data)")] = False,
    actor: Annotated[str, typer.Option(help="who exports, for the read log (with --holders)")] = "",
    purpose: Annotated[str | None, typer.Option(help="why, for the read log (with --holders)")] = None,
) -> None:
    """Write the active parcels of a village or a box as a file QGIS opens; `landreg import` reads it back."""
    if (village is None) == (bbox is None):
        console.print("[red]Give exactly one of --village or --bbox.")
        raise typer.Exit(2)
    box = _box(bbox) if bbox else None
    with build(Settings(), inline_projections=False) as services:
        with Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console) as progress:
            task = progress.add_task("Reading parcels", total=None)
            rows = exporter.parcels(services.queries, village, box, lambda done: progress.advance(task, done))
            progress.update(task, total=len(rows), description=f"Writing {out.name}")
            exporter.write(out, kind.value, rows, exporter.records(services.queries, rows, holders))
        if holders:
            _read_logged(services, actor, purpose, "export", rows)
    console.print(f"{len(rows):,} parcels written to {out}")


def _read_logged(services: Any, actor: str, purpose: str | None, access: str, shown: Any) -> None:
    """Record in the read log that the person at this terminal was shown the people in `shown`."""
    services.read_log.record(Reader(Actor(actor or f"cli:{getpass.getuser()}", "system"), purpose), access, shown)
    services.read_log.flush()


def _box(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        console.print("[red]--bbox must be four numbers: minx,miny,maxx,maxy")
        raise typer.Exit(2) from None
    return west, south, east, north


report_app = typer.Typer(help="Reports over the register.")
app.add_typer(report_app, name="report")


class ReportFormat(str, Enum):
    csv = "csv"
    gpkg = "gpkg"


@report_app.command("overlaps")
def report_overlaps(
    out: Annotated[Path, typer.Option(dir_okay=False, help="the file to write (replaced if it exists)")],
    kind: Annotated[ReportFormat, typer.Option("--format", help="CSV (WKT) or GeoPackage")] = ReportFormat.csv,
    village: Annotated[str | None, typer.Option(help="8-digit village code")] = None,
    province: Annotated[str | None, typer.Option(help="2-digit province code")] = None,
) -> None:
    """Every pair of parcels overlapping beyond the tolerance (legacy conflicts), with its area and shared part,
    duplicate certificates flagged; the whole register unless --village or --province."""
    if (village and not (len(village) == 8 and village.isdigit())) or \
            (province and not (len(province) == 2 and province.isdigit())):
        console.print("[red]--village is 8 digits and --province 2 digits; give one of them or neither.")
        raise typer.Exit(2)
    found: list[Any] = []
    with build_existing(Settings()) as services:
        settings = services.settings
        with services.queries.engine.connect() as connection, \
                Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console) as progress:
            whole = village is None and province is None
            task = progress.add_task("Scanning parcels", total=services.queries.active_count() if whole else None)
            low, below = overlaps.area_range(village, province)
            for page, _ in overlaps.pairs(connection, low, below, settings.overlap_tolerance_m2,
                                          settings.overlap_tolerance_fraction):
                found += page
                progress.advance(task, 5_000)
        exporter.write_overlaps(out, kind.value, found)
    console.print(f"{len(found):,} overlapping pairs written to {out}")


audit_app = typer.Typer(help="Tamper evidence: checkpoints, verification, export for auditors.")
app.add_typer(audit_app, name="audit")


@audit_app.command("checkpoint")
def audit_checkpoint(actor: Annotated[str, typer.Option(help="recorded as the actor")] = "audit") -> None:
    """Sign an RFC 9162 Merkle root over the log since the last checkpoint (also in the anchor file)."""
    with build_existing(Settings()) as services:
        result = services.registry.make_checkpoint(actor=Actor(actor, "auditor"))
    console.print(f"checkpoint up to position {result['to_position']:,}: {result['count']:,} events, "
                  f"root {result['merkle_root']}")


@audit_app.command("rotate-key")
def audit_rotate_key() -> None:
    """Make a new signing key; the old key signs the hand-over, kept in the store and the anchor file."""
    with build_existing(Settings()) as services:
        handed = services.registry.rotate_key()
    console.print(f"signing key {handed['previous_key_id']} handed over to {handed['key_id']} after position "
                  f"{handed['since']:,}; the old key is now {handed['retired_key_file']}: "
                  "move it offline or destroy it")


@audit_app.command("verify")
def audit_verify(
    full: Annotated[bool, typer.Option(
        "--full", help="every event from the first, trusting no earlier verify")] = False,
) -> None:
    """Recompute the hash chains, seals and checkpoints after the checkpoint the last sound verify
    ended on (all of them with --full); name the first broken link. Exit 1 if any."""
    with build_existing(Settings()) as services, \
            Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console) as progress:
        task = progress.add_task(f"Verifying the log{' in full' if full else ''} (events)", total=None)
        report = services.registry.verify_log(lambda done: progress.update(task, completed=done), full=full)
    console.print_json(orjson.dumps(report.as_dict()).decode())
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("ownership")
def audit_ownership(
    village: Annotated[str, typer.Option(help="8-digit village code")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="ISO-8601 date or date-time; now if left out")] = None,
    actor: Annotated[str, typer.Option(help="who reads, for the read log")] = "",
    purpose: Annotated[str | None, typer.Option(help="why, for the read log")] = None,
) -> None:
    """Who held each parcel of a village at a recorded time, folded from the log."""
    from api.features import ownership
    from api.routes.parcels import instant_of
    from projections.history import village_as_of

    instant = instant_of(as_of) if as_of else None
    with build_existing(Settings()) as services:
        with services.queries.engine.connect() as connection:
            rows = [ownership(r) for r in village_as_of(connection, village, instant)]
        _read_logged(services, actor, purpose, "village_ownership", rows)
    table = Table(title=f"Village {village} as of {instant or 'now'}")
    for column in ("NIB", "status", "right", "certificate", "ed.", "holders"):
        table.add_column(column, no_wrap=column != "holders")
    for row in rows:
        holders = ", ".join(f"{h['name']} ({h['share']})" for h in row["holders"])
        table.add_row(row["nib"], row["status"], row["right_type"] or "-", row["certificate_number"] or "-",
                      str(row["edition"] or "-"), holders or "-")
    console.print(table)


@audit_app.command("export")
def audit_export(out: Annotated[Path, typer.Option(help="folder for the bundle")]) -> None:
    """Write an auditor's bundle; check it offline with `python -m registry.audit FOLDER`."""
    with build_existing(Settings()) as services, Progress(console=console) as progress:
        task = progress.add_task("Exporting the log", total=None)
        count = services.registry.export_audit(out, lambda done: progress.update(task, completed=done))
    console.print(f"{count:,} events written to {out}; verify with: python -m registry.audit {out}")


projections_app = typer.Typer(help="Read models: their positions, and rebuilding them from the log.")
app.add_typer(projections_app, name="projections")


@projections_app.command("status")
def projections_status() -> None:
    """Position and lag of each read model."""
    table = Table(title="Read models")
    for column in ("read model", "position", "log head", "lag"):
        table.add_column(column, justify="right" if column != "read model" else "left")
    with build_existing(Settings()) as services:
        for status in services.projector.status():
            table.add_row(status.name, f"{status.position:,}", f"{status.head:,}", f"{status.lag:,}")
    console.print(table)


@projections_app.command("rebuild")
def projections_rebuild(
    names: Annotated[list[str] | None, typer.Argument(
        help="parcels, certificates, procedures; all when left out")] = None,
) -> None:
    """Replay the log once into fresh tables of the read models, index them, then swap them in
    (the service keeps answering from the old tables meanwhile)."""
    with build_existing(Settings()) as services:
        chosen = names or list(services.projector.models)
        unknown = [n for n in chosen if n not in services.projector.models]
        if unknown:
            raise typer.BadParameter(f"no read model named {unknown[0]!r}; choose from "
                                     f"{', '.join(services.projector.models)}")
        with Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console) as progress:
            task = progress.add_task(f"Rebuilding {', '.join(chosen)} (log positions)", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=max(total, 1))

            count = services.projector.rebuild_all(chosen, advance)
            progress.update(task, description=f"Rebuilt {', '.join(chosen)}: {count:,} events")


@app.command()
def demo(quiet: Annotated[bool, typer.Option(help="build the village without printing it")] = False) -> None:
    """Fill the store with a small synthetic village (idempotent) and print its parcels."""
    settings = Settings()
    console.print(f"Store: {settings.store} ({settings.shown_database_url})")
    with build(settings) as services:
        registry = services.registry
        plan = demo_village.steps(registry)
        with Progress(console=console) as progress:
            task = progress.add_task("Building the demo village", total=len(plan))

            def advance(name: str) -> None:
                if "refused" in name:
                    progress.console.print(f"[yellow]{name}")
                progress.advance(task)

            nibs = demo_village.run(registry, advance)
        if not quiet:
            console.print(_village_table(registry, nibs))


def _village_table(registry: Registry, nibs: list[str]) -> Table:
    table = Table(title=f"Village {demo_village.VILLAGE}")
    for column in ("NIB", "area m²", "right", "certificate", "ed.", "holders", "mortgages", "blocks"):
        table.add_column(column, no_wrap=column != "holders")
    for nib in nibs:
        try:
            parcel = registry.get_parcel(nib)
        except NotFound:
            continue
        title = registry.title_on(nib)
        if title is None:
            table.add_row(nib, f"{parcel.area_m2:,.2f}", "-", "-", "-", "-", "-", "-")
            continue
        for shown, where in [(title, nib), *((registry.get_title(t["certificate_number"]), _beside(t))
                                             for t in parcel.others())]:
            table.add_row(
                where, f"{parcel.area_m2:,.2f}", shown.right_type, shown.certificate_number, str(shown.edition),
                ", ".join(f"{h['name']} ({h['share']})" for h in shown.holders),
                str(len(shown.active_mortgages())), str(len(shown.active_blocks(registry.clock()))),
            )
    return table


def _beside(title: dict[str, Any]) -> str:
    """How a title beside the parcel's primary one is listed: its unit, or the title it stands on."""
    return f"  unit {title['unit']['id']}" if title["unit"] else f"  on {title['on_title']}"


cli_ops.register(app, audit_app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
