"""Alembic's environment: runs on the connection registry/persistence/schema.py hands it (never a URL of its own)."""
from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
