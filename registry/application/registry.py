"""The registry application service: parcels and titles, one method per use case."""
from __future__ import annotations

from registry.application.audit_commands import AuditCommands
from registry.application.parcel_commands import ParcelCommands
from registry.application.procedure_commands import ProcedureCommands
from registry.application.runner import Result, registry_today
from registry.application.secondary_commands import SecondaryCommands
from registry.application.stock_commands import StockCommands
from registry.application.title_commands import TitleCommands
from registry.persistence.store import APPLICATION_NAME

__all__ = ["Registry", "Result", "registry_today"]


class Registry(ParcelCommands, SecondaryCommands, TitleCommands, StockCommands, ProcedureCommands, AuditCommands):
    """Parcels, titles and the public procedures, event-sourced. Each use case runs in one transaction (runner.py)."""

    # Set again here: the library names every subclass after itself, and the name is the
    # prefix of the stored tables (landreg_events, landreg_snapshots).
    name = APPLICATION_NAME
