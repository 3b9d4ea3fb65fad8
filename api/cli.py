"""The `landreg` command line."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TaskID
from rich.table import Table

from api import demo as demo_village
from api import importer
from api.auth import TokenStore
from api.bootstrap import build
from registry.application import Registry
from registry.errors import NotFound
from registry.settings import Settings
from registry.values import Actor

app = typer.Typer(help="landreg: the event-sourced land registry.", no_args_is_help=True)
console = Console()


@app.callback()
def landreg() -> None:
    """Settings come from LANDREG_* variables; LANDREG_DATABASE_URL picks the store (SQLite by default)."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Run the HTTP service (OpenAPI at /docs) on LANDREG_DATABASE_URL, SQLite by default."""
    import uvicorn

    from api.app import create_app

    settings = Settings()
    console.print(f"landreg on http://{host}:{port} (docs at /docs), store: {settings.store} ({settings.database_url})")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


tokens_app = typer.Typer(help="Bearer tokens for the HTTP service.")
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("create")
def tokens_create(
    role: Annotated[str, typer.Option(help="surveyor, officer, auditor or admin")],
    name: Annotated[str, typer.Option(help="who the token is for; recorded as the actor of every event")],
) -> None:
    """Create a token. It is printed once and only its hash is kept: store it now."""
    services = build(Settings(), inline_projections=False)
    try:
        token = TokenStore(services.registry.engine).create(name, role)
    except ValueError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    finally:
        services.close()
    print(token)


@tokens_app.command("revoke")
def tokens_revoke(name: Annotated[str, typer.Option(help="revoke every live token of this name")]) -> None:
    """Revoke tokens: requests with them get 401 from now on."""
    services = build(Settings(), inline_projections=False)
    count = TokenStore(services.registry.engine).revoke(name)
    services.close()
    console.print(f"revoked {count} token(s) of {name!r}" if count else f"[yellow]{name!r} has no live token")


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="GeoJSON FeatureCollection or JSON lines")],
    actor: Annotated[str, typer.Option(help="recorded as the actor of every event")] = "import",
    report: Annotated[Path | None, typer.Option(help="write refused lines here as JSON lines")] = None,
    batch: Annotated[int, typer.Option(min=1, help="commands per transaction")] = importer.BATCH,
) -> None:
    """Import surveys (GeoJSON) or commands (JSON lines: {"command": ..., "args": {...}}).

    Each line lands whole or not at all; running the same file again resumes where it stopped.
    """
    services = build(Settings())
    with Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console) as progress:
        task = progress.add_task(f"Importing {path.name}", total=importer.count(path))
        result = importer.run(services.registry, path, Actor(actor, "system"),
                              lambda done: progress.advance(task, done), batch)
    services.close()
    console.print(f"{result.accepted:,} accepted, {len(result.rejected):,} refused")
    for refusal in result.rejected[:20]:
        console.print(f"[yellow]line {refusal['line']}: {refusal.get('field', '')} {refusal['reason']}")
    if report is not None:
        report.write_bytes(b"".join(orjson.dumps(r, default=str) + b"\n" for r in result.rejected))
        console.print(f"refusals written to {report}")
    if result.rejected:
        raise typer.Exit(1)


audit_app = typer.Typer(help="Tamper evidence: checkpoints, verification, export for auditors.")
app.add_typer(audit_app, name="audit")


@audit_app.command("checkpoint")
def audit_checkpoint(actor: Annotated[str, typer.Option(help="recorded as the actor")] = "audit") -> None:
    """Sign an RFC 9162 Merkle root over the log since the last checkpoint (also in the anchor file)."""
    services = build(Settings(), inline_projections=False)
    result = services.registry.make_checkpoint(actor=Actor(actor, "auditor"))
    services.close()
    console.print(f"checkpoint up to position {result['to_position']:,}: {result['count']:,} events, "
                  f"root {result['merkle_root']}")


@audit_app.command("rotate-key")
def audit_rotate_key() -> None:
    """Make a new signing key; the old key signs the hand-over, kept in the store and the anchor file."""
    services = build(Settings(), inline_projections=False)
    handed = services.registry.rotate_key()
    services.close()
    console.print(f"signing key {handed['previous_key_id']} handed over to {handed['key_id']} after position "
                  f"{handed['since']:,}; the old key is now {handed['retired_key_file']}: move it offline or destroy it")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute every hash chain, seal and checkpoint; name the first broken link. Exit 1 if any."""
    services = build(Settings(), inline_projections=False)
    with Progress(console=console) as progress:
        task = progress.add_task("Verifying the log", total=None)
        report = services.registry.verify_log(lambda done: progress.update(task, completed=done))
    services.close()
    console.print_json(orjson.dumps(report.as_dict()).decode())
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("ownership")
def audit_ownership(
    village: Annotated[str, typer.Option(help="8-digit village code")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="ISO-8601 date or date-time; now if left out")] = None,
) -> None:
    """Who held each parcel of a village at a recorded time, folded from the log."""
    from api.features import ownership
    from api.routes.parcels import instant_of
    from projections.history import village_as_of

    services = build(Settings(), inline_projections=False)
    instant = instant_of(as_of) if as_of else None
    with services.queries.engine.connect() as connection:
        rows = [ownership(r) for r in village_as_of(connection, village, instant)]
    services.close()
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
    services = build(Settings(), inline_projections=False)
    with Progress(console=console) as progress:
        task = progress.add_task("Exporting the log", total=None)
        count = services.registry.export_audit(out, lambda done: progress.update(task, completed=done))
    services.close()
    console.print(f"{count:,} events written to {out}; verify with: python -m registry.audit {out}")


projections_app = typer.Typer(help="Read models: their positions, and rebuilding them from the log.")
app.add_typer(projections_app, name="projections")


@projections_app.command("status")
def projections_status() -> None:
    """Position and lag of each read model."""
    services = build(Settings(), inline_projections=False)
    table = Table(title="Read models")
    for column in ("read model", "position", "log head", "lag"):
        table.add_column(column, justify="right" if column != "read model" else "left")
    for status in services.projector.status():
        table.add_row(status.name, f"{status.position:,}", f"{status.head:,}", f"{status.lag:,}")
    console.print(table)
    services.close()


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[str | None, typer.Argument(help="parcels or certificates; all when left out")] = None,
) -> None:
    """Replay the whole log into fresh tables in batches, then swap them in (the service keeps answering)."""
    services = build(Settings(), inline_projections=False)
    names = [name] if name else list(services.projector.models)
    unknown = [n for n in names if n not in services.projector.models]
    if unknown:
        console.print(f"[red]No read model named {unknown[0]!r}; choose from {', '.join(services.projector.models)}.")
        raise typer.Exit(2)
    with Progress(console=console) as progress:
        for model in names:
            task = progress.add_task(f"Rebuilding {model}", total=None)

            def advance(done: int, total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=max(total, 1))

            count = services.projector.rebuild(model, advance)
            progress.update(task, description=f"Rebuilt {model}: {count:,} events")
    services.close()


@app.command()
def demo(quiet: Annotated[bool, typer.Option(help="build the village without printing it")] = False) -> None:
    """Fill the store with a small synthetic village (idempotent) and print its parcels."""
    settings = Settings()
    registry = build(settings).registry
    console.print(f"Store: {settings.store} ({settings.database_url})")
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
        table.add_row(
            nib, f"{parcel.area_m2:,.2f}", title.right_type, title.certificate_number, str(title.edition),
            ", ".join(f"{h['name']} ({h['share']})" for h in title.holders),
            str(len(title.active_mortgages())), str(len(title.active_blocks(registry.clock()))),
        )
    return table


def main() -> None:
    app()


if __name__ == "__main__":
    main()
