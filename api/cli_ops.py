"""The operator's commands of the `landreg` CLI: backup and restore (api/backup.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api import backup as backups
from api.bootstrap import build_existing
from registry.persistence import schema
from registry.persistence.settings import Settings

console = Console()


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
    services = build_existing(target)
    try:
        report = services.registry.verify_log()
    finally:
        services.close()
    if not report.ok or report.events_checked != manifest["log_head"]:
        typer.echo(f"error: the restored store does not verify: {report.as_dict()}", err=True)
        raise typer.Exit(1)
    console.print(f"audit verified: {report.events_checked:,} events, {report.seals_checked:,} seals, "
                  f"{report.checkpoints_checked:,} checkpoints")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
