"""The operator's commands of the `landreg` CLI: schema migrations, backup and restore
(api/backup.py), and the read log of personal data."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import sqlalchemy
import typer
from rich.console import Console
from rich.table import Table

from api import backup as backups
from api import readlog
from api.bootstrap import build_existing
from registry.application.runner import prepare_sqlite_folder
from registry.persistence import schema
from registry.persistence.settings import Settings

console = Console()


def migrate() -> None:
    """Bring the store's schema to this release's revision (Alembic; a new store gets every revision).

    Back the store up first (`landreg backup`); `serve` refuses a store that needs this.
    """
    settings = Settings()
    prepare_sqlite_folder(settings.database_url)
    engine = sqlalchemy.create_engine(settings.database_url)
    try:
        with console.status(f"Migrating {settings.shown_database_url}"):
            before, after = schema.upgrade(engine)
    finally:
        engine.dispose()
    said = "already at" if before == after else f"{before or 'made before migrations'} ->"
    console.print(f"schema of {settings.shown_database_url}: {said} revision {after}")


def audit_reads(
    holder: Annotated[str | None, typer.Option(help="the person whose data was read (holder id)")] = None,
    actor: Annotated[str | None, typer.Option(help="who read it")] = None,
    nib: Annotated[str | None, typer.Option(help="the parcel")] = None,
    since: Annotated[str | None, typer.Option("--from", help="ISO-8601 date or date-time")] = None,
    until: Annotated[str | None, typer.Option("--to", help="ISO-8601 date or date-time (a date: its end)")] = None,
    limit: Annotated[int, typer.Option(min=1, help="rows, newest first")] = 100,
) -> None:
    """The read log of personal data (UU PDP 2022): who read whose data, when, how and why."""
    from api.routes.other import moment

    with build_existing(Settings()) as services:
        rows = readlog.find(services.registry.engine, holder, actor, nib, moment(since, "--from", start=True),
                            moment(until, "--to", start=False), limit=limit)
    table = Table(title="Reads of personal data, newest first")
    for column in ("when (UTC)", "reader", "role", "access", "person", "NIB", "purpose", "request"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["read_at"][:19], row["actor"], row["role"], row["access"], row["subject"],
                      row["nib"] or "-", row["purpose"] or "-", row["request_id"] or "-")
    console.print(table)


def backup(
    out: Annotated[Path, typer.Option(file_okay=False, help="a new (or empty) folder for the backup")],
    with_private_key: Annotated[bool, typer.Option(
        help="also copy the private signing key (keep such a backup offline, like the key itself)")] = False,
) -> None:
    """Back up the store: database dump, audit anchor file, public keys, manifest with digests."""
    settings = Settings()
    with console.status(f"Backing up {settings.shown_database_url}"):
        manifest = backups.backup(settings, out, private_key=with_private_key)
    console.print(f"backup of {manifest['log_head']:,} events (schema {manifest['schema_revision']}) in {out}"
                  + ("" if with_private_key else "; the private key is not in it: back it up on its own"))


def restore(
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="a folder `landreg backup` wrote")],
    to: Annotated[str, typer.Option(help="the new store: an empty PostgreSQL database, or a new SQLite file")],
) -> None:
    """Restore a backup into a new store, then verify its audit (hash chains, seals, checkpoints).

    LANDREG_AUDIT_ANCHOR_FILE and LANDREG_AUDIT_KEY_FILE name where the anchor file (and the key,
    if the backup has it) go; the restored store is served with these and LANDREG_DATABASE_URL=TO.
    """
    target = Settings(database_url=to)
    with console.status(f"Restoring {folder} into {target.shown_database_url}"):
        manifest = backups.restore(folder, target)
    console.print(f"restored {manifest['log_head']:,} events into {target.shown_database_url}")
    if manifest["schema_revision"] != schema.head():
        console.print(f"the backup is of schema {manifest['schema_revision']}: run `landreg migrate` on it next")
        return
    with build_existing(target) as services:
        report = services.registry.verify_log()
    if not report.ok or report.events_checked != manifest["log_head"]:
        typer.echo(f"error: the restored store does not verify: {report.as_dict()}", err=True)
        raise typer.Exit(1)
    console.print(f"audit verified: {report.events_checked:,} events, {report.seals_checked:,} seals, "
                  f"{report.checkpoints_checked:,} checkpoints")


def register(app: typer.Typer, audit_app: typer.Typer) -> None:
    app.command()(migrate)
    app.command()(backup)
    app.command()(restore)
    audit_app.command("reads")(audit_reads)
