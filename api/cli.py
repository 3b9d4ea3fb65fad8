"""The `landreg` command line."""
from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from api import demo as demo_village
from registry.application import Registry
from registry.errors import NotFound
from registry.settings import Settings

app = typer.Typer(help="landreg: the event-sourced land registry.", no_args_is_help=True)
console = Console()


@app.callback()
def landreg() -> None:
    """Settings come from LANDREG_* variables; LANDREG_DATABASE_URL picks the store (SQLite by default)."""


@app.command()
def demo() -> None:
    """Fill the store with a small synthetic village (idempotent) and print its parcels."""
    settings = Settings()
    registry = Registry(settings)
    console.print(f"Store: {settings.store} ({settings.database_url})")
    plan = demo_village.steps(registry)
    with Progress(console=console) as progress:
        task = progress.add_task("Building the demo village", total=len(plan))

        def advance(name: str) -> None:
            if "refused" in name:
                progress.console.print(f"[yellow]{name}")
            progress.advance(task)

        nibs = demo_village.run(registry, advance)
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
