"""How the `landreg` command line fails: whatever a command raises ends at its root command as
one line on stderr (no traceback, no secret) and an exit code; `landreg --debug` shows the traceback."""
from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from api import importer
from api.backup import BackupRefused
from api.bootstrap import StoreMissing
from registry.domain.errors import RegistryError
from registry.persistence.schema import PostgisMissing, SchemaOutdated
from registry.persistence.settings import Settings


class Landreg(typer.core.TyperGroup):
    """The root command: a subcommand that fails says why in one line on stderr and exits 1 (2 for
    a usage error); the traceback is shown only with --debug."""

    def invoke(self, ctx: Any) -> Any:  # a typer.Context
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:  # the command line's one boundary: every failure ends here
            if ctx.params.get("debug"):
                raise
            code = error.exit_code if isinstance(error, typer.TyperException) else 1
            typer.echo(f"error: {' '.join(explain(error).split())}", err=True)
            raise typer.Exit(code) from None


def explain(error: Exception) -> str:
    """What went wrong, for a person, without secrets: settings by variable name, URLs masked."""
    if isinstance(error, typer.TyperException):  # a usage error: a missing file, a bad option
        return error.format_message()
    if isinstance(error, ValidationError):  # the settings; the input (maybe a password) is left out
        return "; ".join(f"LANDREG_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
    if isinstance(error, SQLAlchemyError):
        cause = getattr(error, "orig", None) or error
        return f"the store at {_where()} failed: {str(cause).strip() or type(cause).__name__}"
    if isinstance(error, StoreMissing):
        return f"{error}; `landreg init` makes one there"
    if isinstance(error, (SchemaOutdated, PostgisMissing, BackupRefused)):
        return str(error)
    if isinstance(error, RegistryError):
        return error.message
    if isinstance(error, importer.Unreadable):
        return str(error)
    if isinstance(error, OSError):
        return f"{error.strerror or error}: {error.filename}" if error.filename else str(error)
    return f"{type(error).__name__}: {error} (run with --debug for the traceback)"


def _where() -> str:
    try:
        return Settings().shown_database_url
    except ValidationError:
        return "LANDREG_DATABASE_URL"
